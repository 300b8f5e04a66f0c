/**
 * The optimizer: `step()` = render one training view -> (1-λ)·L1 + λ·(1-SSIM) and its
 * gradient (GPU) -> extra loss terms -> rasterizer backward -> Adam per parameter group;
 * then, on schedule, `refine()` (clone/split/prune, Adam moments follow) and opacity reset.
 * `train()` loops with progress events, periodic checkpoints and cancellation.
 * Deterministic for a fixed seed on one adapter: on CPU adapters the backward ('rows') sums
 * without atomics, so scene gradients repeat bit for bit; the camera-pose gradient and the
 * GPU-adapter backward still sum with float atomics, whose order varies.
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, readF32, writeBuffer } from '../gpu/buffers.js';
import { FrameImages } from '../io/dataset/images.js';
import type { Dataset } from '../io/dataset/types.js';
import { CancelledError, RateMeter, type EventSink } from '../pipeline/events.js';
import { Rasterizer, type RenderResult } from '../splat/render.js';
import { SCENE_FIELDS, fieldWidths } from '../splat/gpu-scene.js';
import type { GaussianScene } from '../splat/scene.js';
import { Adam } from './adam.js';
import { AdamSh } from './adam-sh.js';
import { writeCheckpoint, type CheckpointData } from './checkpoint.js';
import { trainConfig, type TrainConfig } from './config.js';
import type { DensifyReport } from './densify.js';
import type { LossContext, LossTerm, StepHooks } from './hooks.js';
import { initialScene } from './init.js';
import { psnrOf } from './metrics.js';
import { Rng, shuffle } from '../math/random.js';
import { isDensifyStep, isOpacityResetStep, meansLrAt, shDegreeAt } from './schedule.js';
import { SsimL1Loss } from './ssim.js';
import { TrainState } from './gpu-state.js';
import type { StepProfiler } from './step-profile.js';

export interface TrainerOptions {
  /** Photos of the dataset (shared with evaluation); created with the config's background when absent. */
  images?: FrameImages;
  lossTerms?: LossTerm[];
  hooks?: StepHooks;
  /** Frame indices to train on (default: the dataset's train split). */
  trainViews?: number[];
  /** Benchmarks: time every phase of every step (waits for the GPU between phases; slower). */
  profiler?: StepProfiler;
}

export interface StepInfo {
  step: number;
  frameIndex: number;
  loss: number;
  l1: number;
  ssim: number;
  gaussians: number;
  refined?: DensifyReport;
}

/** What a checkpoint's header holds besides the arrays. */
export interface TrainerMeta {
  kind: 'sparrow-train';
  step: number;
  config: TrainConfig;
  count: number;
  shDegree: number;
  extent: number;
  rngState: number;
  viewOrder: number[];
  viewPos: number;
  trainViews: number[];
}

/** Largest Gaussian count whose biggest buffer (SH) fits one storage binding, capped at 8M. */
export function gaussianCapFromLimits(limits: GPUSupportedLimits, shDegree: number): number {
  const shBytes = (shDegree + 1) ** 2 * 3 * 4;
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  return Math.max(1, Math.min(8_000_000, Math.floor(binding / shBytes)));
}

export class Trainer {
  readonly cfg: TrainConfig;
  readonly images: FrameImages;
  readonly rasterizer: Rasterizer;
  readonly maxGaussians: number;
  state: TrainState;
  stepCount = 0;
  private readonly rng: Rng;
  private viewOrder: number[] = [];
  private viewPos = 0;
  private readonly trainViews: number[];
  private readonly adam: Adam;
  private readonly adamSh: AdamSh;
  private readonly losses = new Map<string, SsimL1Loss>();
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly lossTerms: LossTerm[];
  private readonly hooks: StepHooks;
  private readonly profiler: StepProfiler | undefined;
  /** Training PSNR of the last step where it was measured. */
  lastPsnr = Number.NaN;

  private constructor(readonly gpu: Gpu, readonly dataset: Dataset, cfg: TrainConfig, state: TrainState, rng: Rng, opts: TrainerOptions) {
    this.cfg = cfg;
    this.state = state;
    this.rng = rng;
    this.images = opts.images ?? new FrameImages(dataset.frames, { background: cfg.background });
    this.lossTerms = opts.lossTerms ?? [];
    this.hooks = opts.hooks ?? {};
    this.profiler = opts.profiler;
    this.trainViews = opts.trainViews ?? dataset.split.train;
    if (this.trainViews.length === 0) throw new Error('Trainer: no training views');
    this.rasterizer = new Rasterizer(gpu);
    const hyper = { beta1: cfg.adamBeta1, beta2: cfg.adamBeta2, eps: cfg.adamEps };
    this.adam = new Adam(gpu, hyper);
    this.adamSh = new AdamSh(gpu, hyper);
    this.maxGaussians = cfg.maxGaussians > 0 ? cfg.maxGaussians : gaussianCapFromLimits(gpu.device.limits, cfg.shDegree);
  }

  /** A trainer initialized from the dataset (sparse points, else random frustum points). */
  static async create(gpu: Gpu, dataset: Dataset, config: Partial<TrainConfig> = {}, opts: TrainerOptions = {}): Promise<Trainer> {
    const cfg = trainConfig(config);
    const rng = new Rng(cfg.seed);
    const images = opts.images ?? new FrameImages(dataset.frames, { background: cfg.background });
    const cap = cfg.maxGaussians > 0 ? cfg.maxGaussians : gaussianCapFromLimits(gpu.device.limits, cfg.shDegree);
    const scene = await initialScene(dataset, images, { shDegree: cfg.shDegree, randomCount: cfg.randomInitCount, maxGaussians: cap, rng });
    return Trainer.fromScene(gpu, dataset, scene, cfg, { ...opts, images }, rng);
  }

  /** A trainer starting from a given scene (tests, or a later stage's initialization). */
  static fromScene(gpu: Gpu, dataset: Dataset, scene: GaussianScene, config: Partial<TrainConfig> = {}, opts: TrainerOptions = {}, rng?: Rng): Trainer {
    const cfg = trainConfig(config);
    if (scene.shDegree !== cfg.shDegree) throw new Error(`Trainer: scene has SH degree ${scene.shDegree}, config asks for ${cfg.shDegree}`);
    return new Trainer(gpu, dataset, cfg, TrainState.create(gpu, scene), rng ?? new Rng(cfg.seed ^ 0x5eed), opts);
  }

  /** Continue exactly where a checkpoint stopped (same dataset). */
  static resume(gpu: Gpu, dataset: Dataset, ckpt: CheckpointData<TrainerMeta>, file: string, opts: TrainerOptions = {}, overrides: Partial<TrainConfig> = {}): Trainer {
    const meta = ckpt.meta;
    if (meta?.kind !== 'sparrow-train') throw new Error(`${file}: not a training checkpoint`);
    const cfg = trainConfig({ ...meta.config, ...overrides });
    const state = TrainState.restore(gpu, meta.count, meta.shDegree, ckpt.arrays, file);
    const rng = new Rng(0);
    rng.state = meta.rngState;
    const t = new Trainer(gpu, dataset, cfg, state, rng, { ...opts, trainViews: opts.trainViews ?? meta.trainViews });
    t.stepCount = meta.step;
    t.viewOrder = [...meta.viewOrder];
    t.viewPos = meta.viewPos;
    return t;
  }

  get gaussians(): number {
    return this.state.count;
  }

  /** Next training view: a seeded shuffle of the train views, reshuffled when used up (3DGS). */
  private nextView(): number {
    if (this.viewPos >= this.viewOrder.length) {
      this.viewOrder = shuffle([...this.trainViews], this.rng.next);
      this.viewPos = 0;
    }
    return this.viewOrder[this.viewPos++];
  }

  private buffer(name: string, bytes: number): GPUBuffer {
    let b = this.buffers.get(name);
    if (!b || b.size < bytes) {
      b?.destroy();
      b = createStorage(this.gpu, bytes, `train/${name}`);
      this.buffers.set(name, b);
    }
    return b;
  }

  private lossFor(width: number, height: number): SsimL1Loss {
    const key = `${width}x${height}`;
    let l = this.losses.get(key);
    if (!l) {
      l = new SsimL1Loss(this.gpu, width, height, this.cfg.ssimLambda);
      this.losses.set(key, l);
    }
    return l;
  }

  /** Render frame `index` with the current parameters (evaluation, previews). */
  render(index: number): Promise<RenderResult> {
    const cam = this.dataset.frames[index].camera;
    return this.rasterizer.forward(this.state.scene, cam, { background: this.cfg.background, shDegree: shDegreeAt(this.cfg, Math.max(this.stepCount, 1)) });
  }

  /** One optimization step. `measurePsnr` reads the render back to report the training PSNR. */
  async step(measurePsnr = false): Promise<StepInfo> {
    const s = this.stepCount + 1;
    const cfg = this.cfg;
    const frameIndex = this.nextView();
    const frame = this.dataset.frames[frameIndex];
    const { width, height } = frame.camera;
    const prof = this.profiler;
    if (prof) await prof.begin(s);
    const img = await this.images.get(frameIndex);
    const pixels = width * height;
    const target = this.buffer('target', pixels * 12);
    writeBuffer(this.gpu, target, img.rgb);
    // A hook may render a derived scene (e.g. warped to the frame's time, engine/deform); its
    // gradients land in state.grads and afterBackward maps them back before Adam.
    const renderScene = (await this.hooks.beforeRender?.({ step: s, frameIndex, scene: this.state.scene })) ?? this.state.scene;
    const result = await this.rasterizer.forward(renderScene, frame.camera, { background: cfg.background, shDegree: shDegreeAt(cfg, s), profile: Boolean(prof) });
    if (prof) {
      await prof.lap('forward');
      prof.detail({ ...result.timings, intersections: result.numIntersections, gaussians: this.state.count });
    }

    const cot = { vColor: this.buffer('v-color', pixels * 12), vAlpha: this.buffer('v-alpha', pixels * 4), vDepth: this.buffer('v-depth', pixels * 4) };
    const lossOut = this.buffer('loss', 16);
    const ctx: LossContext = { step: s, frameIndex, frame, result, target, cot };
    let enc = this.gpu.device.createCommandEncoder({ label: 'train/loss' });
    this.lossFor(width, height).encodeForwardBackward(enc, result.color, target, cot.vColor, lossOut);
    if (prof) {
      this.gpu.device.queue.submit([enc.finish()]);
      await prof.lap('loss');
      enc = this.gpu.device.createCommandEncoder({ label: 'train/loss-terms' });
    }
    if (this.lossTerms.length > 0) {
      enc.clearBuffer(cot.vAlpha, 0, pixels * 4);
      enc.clearBuffer(cot.vDepth, 0, pixels * 4);
      for (const term of this.lossTerms) term.encode(enc, ctx);
    }
    this.gpu.device.queue.submit([enc.finish()]);
    if (prof) await prof.lap('regularizers: depth terms');
    if (measurePsnr) {
      this.lastPsnr = psnrOf(await readF32(this.gpu, result.color, pixels * 3), img.rgb);
      if (prof) await prof.lap('readback: psnr');
    }
    const extra = this.lossTerms.length > 0 ? { vAlpha: cot.vAlpha, vDepth: cot.vDepth } : {};
    const densifying = s <= cfg.densifyUntil;
    const { vPose } = this.rasterizer.backward(result, { vColor: cot.vColor, ...extra }, this.state.grads, densifying ? this.state.stats : undefined);
    if (prof) await prof.lap('backward');
    await this.hooks.afterBackward?.({ ...ctx, vPose });
    if (prof) await prof.lap('regularizers: hooks');
    this.encodeAdam(s);
    if (prof) await prof.lap('optimizer');
    const [loss, l1, ssim] = await readF32(this.gpu, lossOut, 3);
    if (prof) await prof.lap('readback: loss');
    this.stepCount = s;

    let refined: DensifyReport | undefined;
    let densified: { keep: Uint32Array; append: Uint32Array } | undefined;
    if (isDensifyStep(cfg, s)) ({ report: refined, rows: densified } = await this.refineRows(s));
    if (isOpacityResetStep(cfg, s)) await this.state.resetOpacity(cfg.opacityResetValue);
    await this.hooks.afterStep?.({ step: s, frameIndex, loss, ...(densified ? { densified } : {}) });
    if (prof) await prof.lap('densify');
    return { step: s, frameIndex, loss, l1, ssim, gaussians: this.state.count, refined };
  }

  private encodeAdam(s: number): void {
    const cfg = this.cfg;
    const st = this.state;
    const n = st.count;
    const W = fieldWidths(st.scene.shDegree);
    const lr = {
      means: meansLrAt(cfg, s - 1, this.dataset.extent),
      logScales: cfg.scalesLr,
      quats: cfg.quatsLr,
      opacityLogits: cfg.opacityLr,
    };
    const enc = this.gpu.device.createCommandEncoder({ label: 'train/adam' });
    for (const f of SCENE_FIELDS) {
      const group = { params: st.scene.buffers[f], grads: st.grads.buffers[f], m: st.moments[f].m, v: st.moments[f].v };
      if (f === 'sh') this.adamSh.encodeStep(enc, group, n, W.sh, cfg.sh0Lr, cfg.sh0Lr / cfg.shNLrDivisor, s);
      else this.adam.encodeStep(enc, { ...group, count: n * W[f] }, lr[f], s);
    }
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** Clone/split/prune by the statistics accumulated since the last refinement. */
  async refine(step: number): Promise<DensifyReport> {
    return (await this.refineRows(step)).report;
  }

  /** refine(), also returning the row map when the set changed (for afterStep hooks). */
  private async refineRows(step: number): Promise<{ report: DensifyReport; rows?: { keep: Uint32Array; append: Uint32Array } }> {
    const cfg = this.cfg;
    const { state, report, rows } = await this.state.refine(
      {
        gradThreshold: cfg.densifyGradThreshold,
        percentDense: cfg.percentDense,
        extent: this.dataset.extent,
        pruneOpacity: cfg.pruneOpacity,
        pruneWorldSize: cfg.opacityResetInterval > 0 && step > cfg.opacityResetInterval ? cfg.pruneWorldSize * this.worldScale() / this.dataset.extent : 0,
        maxGaussians: this.maxGaussians,
        grow: step < cfg.densifyUntil,
      },
      this.rng.next,
    );
    this.state = state;
    return { report, rows };
  }

  /**
   * Scale for world-size pruning: the camera extent, or the far depth when the dataset states
   * one. For forward-facing captures (LLFF) the cameras span far less than the scene's depth,
   * and 0.1 x the camera extent is smaller than a pixel's footprint at the far plane.
   */
  worldScale(): number {
    return Math.max(this.dataset.extent, this.dataset.depthRange?.[1] ?? 0);
  }

  /** Current parameters on the host. */
  scene(): Promise<GaussianScene> {
    return this.state.scene.download();
  }

  async checkpoint(): Promise<CheckpointData<TrainerMeta>> {
    return {
      meta: {
        kind: 'sparrow-train',
        step: this.stepCount,
        config: this.cfg,
        count: this.state.count,
        shDegree: this.state.scene.shDegree,
        extent: this.dataset.extent,
        rngState: this.rng.state,
        viewOrder: this.viewOrder,
        viewPos: this.viewPos,
        trainViews: this.trainViews,
      },
      arrays: await this.state.snapshot(),
    };
  }

  async saveCheckpoint(path: string): Promise<void> {
    writeCheckpoint(path, await this.checkpoint());
  }

  /**
   * Run to `cfg.iterations`, emitting 'step' events (loss, training PSNR every `psnrEvery`
   * steps, Gaussian count, rate, ETA). On abort: writes the checkpoint (when a path is given)
   * and throws CancelledError.
   */
  async train(opts: { onEvent?: EventSink; signal?: AbortSignal; checkpointPath?: string; psnrEvery?: number } = {}): Promise<void> {
    const total = this.cfg.iterations;
    const meter = new RateMeter(total);
    const psnrEvery = opts.psnrEvery ?? 25;
    while (this.stepCount < total) {
      if (opts.signal?.aborted) {
        if (opts.checkpointPath) await this.saveCheckpoint(opts.checkpointPath);
        opts.onEvent?.({ type: 'warning', stage: 'train', message: `cancelled at step ${this.stepCount}${opts.checkpointPath ? `; checkpoint written, continue with --resume` : ''}`, file: opts.checkpointPath });
        throw new CancelledError(`training cancelled at step ${this.stepCount}${opts.checkpointPath ? `; checkpoint ${opts.checkpointPath}` : ''}`);
      }
      const info = await this.step((this.stepCount + 1) % psnrEvery === 0 || this.stepCount + 1 === total);
      const { rate, etaMs } = meter.update(info.step);
      opts.onEvent?.({
        type: 'step',
        stage: 'train',
        step: info.step,
        total,
        metrics: { loss: info.loss, ...(Number.isFinite(this.lastPsnr) ? { psnr: this.lastPsnr } : {}), gaussians: info.gaussians },
        rate,
        etaMs,
      });
      if (info.refined && (info.refined.cloned || info.refined.split || info.refined.pruned)) {
        const r = info.refined;
        opts.onEvent?.({ type: 'log', stage: 'train', message: `step ${info.step}: ${r.before} -> ${r.after} Gaussians (cloned ${r.cloned}, split ${r.split}, pruned ${r.pruned})` });
      }
      if (opts.checkpointPath && this.cfg.checkpointInterval > 0 && info.step % this.cfg.checkpointInterval === 0) {
        await this.saveCheckpoint(opts.checkpointPath);
        await this.profiler?.lap('checkpoint');
      }
    }
  }

  dispose(): void {
    this.state.dispose();
    this.rasterizer.dispose();
    this.adam.dispose();
    this.adamSh.dispose();
    for (const l of this.losses.values()) l.dispose();
    for (const b of this.buffers.values()) b.destroy();
  }
}
