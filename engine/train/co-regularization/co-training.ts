/**
 * CoR-GS (Zhang et al., ECCV 2024): two Gaussian fields trained side by side on the same photos
 * from the same start, differing only through their seeds (view order, split draws). Where the
 * photos pin the scene down they agree; where they do not, they disagree, and two terms act on it:
 * - pseudo-view co-regularization: before each step, both fields render a camera between two
 *   training cameras (pseudo-views.ts) and R = w·[(1 - λ)·L1 + λ·D-SSIM] between the two renders
 *   is back-propagated into BOTH fields (co-reg-loss.ts). The gradients land in the trainers'
 *   gradient buffers, which the rasterizer backward adds to and Adam clears, so each field's
 *   next step() applies them together with its photometric gradient;
 * - co-pruning: every coPruneInterval of the run once densification has started (the paper's
 *   code: every 500 of 10000 steps, to the end), the Gaussians of each field with no Gaussian of
 *   the other within τ are removed from it (co-prune.ts, keep-rows.ts).
 * The result is the first field (as the paper). The second field has its own regularizers
 * (the same terms; joint pose refinement stays with the first, whose cameras both share).
 * Unlike the paper, the two fields see the training views in different orders within each pass
 * over them: a trainer's one seeded stream draws both its view order and its split samples.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, readF32 } from '../../gpu/buffers.js';
import { mulberry32 } from '../../math/random.js';
import { CancelledError, RateMeter, type EventSink } from '../../pipeline/events.js';
import type { GaussianScene } from '../../splat/scene.js';
import { shDegreeAt } from '../schedule.js';
import type { LossTerm, StepHooks } from '../hooks.js';
import { Trainer, type StepInfo } from '../trainer.js';
import { neighbourSpacing } from '../regularizers/binocular.js';
import { samplePseudoView } from '../regularizers/pseudo-views.js';
import { NO_REGULARIZERS, rampFactor, type SparseViewConfig } from '../regularizers/sparse-view.js';
import { CoRegLoss } from './co-reg-loss.js';
import { coPruneSelection } from './co-prune.js';
import { keepRows } from './keep-rows.js';

export type CoRegConfig = Pick<SparseViewConfig, 'coRegularization' | 'coRegularizationFrom' | 'coPruneInterval' | 'coPruneDistance'>;

/** Whether a sparse-view config asks for a second field. */
export function coRegularizationOn(cfg: CoRegConfig): boolean {
  return cfg.coRegularization > 0 || cfg.coPruneInterval > 0;
}

/** What a co-pruning removed. */
export interface CoPruneReport {
  step: number;
  distance: number;
  beforeA: number;
  afterA: number;
  beforeB: number;
  afterB: number;
}

export interface SecondFieldRegularizers {
  lossTerms: LossTerm[];
  hooks: StepHooks;
  dispose(): void;
}

export class CoTraining {
  /** Scale of τ: mean distance between neighbouring training cameras (at construction). */
  readonly pruneDistance: number;
  readonly coPrunes: CoPruneReport[] = [];
  /** Last pseudo-view co-regularization loss (unweighted SSIM + L1), NaN before the first. */
  lastCoRegLoss = Number.NaN;
  private readonly losses = new Map<string, CoRegLoss>();
  private readonly buffers = new Map<string, GPUBuffer>();

  private constructor(
    readonly gpu: Gpu,
    readonly a: Trainer,
    readonly b: Trainer,
    readonly cfg: CoRegConfig,
    private readonly trainViews: number[],
    private readonly secondRegularizers: SecondFieldRegularizers | undefined,
  ) {
    this.pruneDistance = cfg.coPruneDistance * neighbourSpacing(trainViews.map((i) => a.dataset.frames[i].camera));
    if (cfg.coPruneInterval > 0 && !(this.pruneDistance > 0)) throw new Error('co-pruning: needs at least two training cameras at distinct positions');
    if (cfg.coRegularization > 0 && trainViews.length < 2) throw new Error('co-regularization: pseudo views need at least two training views');
  }

  /**
   * The second field beside `first`: the same start (`initial`, the scene `first` was made from),
   * the same config and photos, seed + 1. `regularizers` makes its own sparse-view terms for a
   * config (called with joint pose refinement off) and a getter of the second trainer.
   */
  static pair(
    first: Trainer,
    initial: GaussianScene,
    cfg: CoRegConfig,
    opts: { trainViews: number[]; regularizers?: (cfg: SparseViewConfig, trainer: () => Trainer) => SecondFieldRegularizers; regularizerConfig?: SparseViewConfig },
  ): CoTraining {
    let second: Trainer | undefined;
    const reg = opts.regularizers?.({ ...(opts.regularizerConfig ?? NO_REGULARIZERS), poses: { ...NO_REGULARIZERS.poses } }, () => second!);
    second = Trainer.fromScene(first.gpu, first.dataset, initial, { ...first.cfg, seed: first.cfg.seed + 1 }, {
      images: first.images,
      trainViews: opts.trainViews,
      ...(reg ? { lossTerms: reg.lossTerms, hooks: reg.hooks } : {}),
    });
    return new CoTraining(first.gpu, first, second, cfg, opts.trainViews, reg);
  }

  get stepCount(): number {
    return this.a.stepCount;
  }

  private buffer(name: string, bytes: number): GPUBuffer {
    let buf = this.buffers.get(name);
    if (!buf || buf.size < bytes) {
      buf?.destroy();
      buf = createStorage(this.gpu, bytes, `co-reg/${name}`);
      this.buffers.set(name, buf);
    }
    return buf;
  }

  /** One step of both fields (the pseudo-view term first, co-pruning after a densification); returns the first field's info. */
  async step(measurePsnr = false): Promise<StepInfo> {
    const s = this.a.stepCount + 1;
    if (this.b.stepCount !== this.a.stepCount) throw new Error(`co-regularization: fields out of step (${this.a.stepCount} vs ${this.b.stepCount})`);
    if (this.cfg.coRegularization > 0 && rampFactor(s, this.a.cfg.iterations, this.cfg.coRegularizationFrom, 0) > 0) await this.pseudoViewTerm(s);
    const info = await this.a.step(measurePsnr);
    await this.b.step();
    if (this.isCoPruneStep(s)) await this.coPrune(s);
    return { ...info, gaussians: this.a.gaussians };
  }

  /** Whether co-pruning runs after step `s`: every coPruneInterval x iterations steps (at least 1) after densifyFrom. */
  isCoPruneStep(s: number): boolean {
    if (!(this.cfg.coPruneInterval > 0)) return false;
    const every = Math.max(1, Math.round(this.cfg.coPruneInterval * this.a.cfg.iterations));
    return s > this.a.cfg.densifyFrom && s % every === 0;
  }

  /** Renders both fields at this step's pseudo camera and adds dR/d(params) to each field's gradients. */
  private async pseudoViewTerm(step: number): Promise<void> {
    // Deterministic per step and seed, independent of everything else that draws numbers.
    const rand = mulberry32(Math.imul(step, 0x9e3779b1) ^ Math.imul(this.a.cfg.seed + 1, 0x85ebca6b) ^ 0xc02e);
    const { camera } = samplePseudoView(this.trainViews.map((i) => this.a.dataset.frames[i].camera), rand);
    const { width: W, height: H } = camera;
    const opts = { background: this.a.cfg.background, shDegree: shDegreeAt(this.a.cfg, step) };
    const ra = await this.a.rasterizer.forward(this.a.state.scene, camera, opts);
    const rb = await this.b.rasterizer.forward(this.b.state.scene, camera, opts);
    const key = `${W}x${H}`;
    let loss = this.losses.get(key);
    if (!loss) this.losses.set(key, (loss = new CoRegLoss(this.gpu, W, H, this.a.cfg.ssimLambda)));
    const vA = this.buffer('v-a', W * H * 12);
    const vB = this.buffer('v-b', W * H * 12);
    const lossOut = this.buffer('loss', 16);
    const enc = this.gpu.device.createCommandEncoder({ label: 'co-reg/pseudo-view' });
    loss.encode(enc, { colorA: ra.color, colorB: rb.color, vA, vB, lossOut }, this.cfg.coRegularization);
    this.gpu.device.queue.submit([enc.finish()]);
    // No densification statistics: those come from the training views (as 3DGS/CoR-GS).
    this.a.rasterizer.backward(ra, { vColor: vA }, this.a.state.grads);
    this.b.rasterizer.backward(rb, { vColor: vB }, this.b.state.grads);
    if (step % 50 === 0) this.lastCoRegLoss = (await readF32(this.gpu, lossOut, 1))[0];
  }

  /** Removes from each field its Gaussians with no Gaussian of the other within τ. */
  private async coPrune(step: number): Promise<void> {
    const meansA = await readF32(this.gpu, this.a.state.scene.means, this.a.gaussians * 3);
    const meansB = await readF32(this.gpu, this.b.state.scene.means, this.b.gaussians * 3);
    const { keepA, keepB } = coPruneSelection(meansA, meansB, this.pruneDistance);
    const report = { step, distance: this.pruneDistance, beforeA: this.a.gaussians, afterA: this.a.gaussians, beforeB: this.b.gaussians, afterB: this.b.gaussians };
    // A field the other field does not overlap at all is left alone rather than emptied.
    if (keepA.length > 0) this.a.state = await keepRows(this.a.state, keepA);
    if (keepB.length > 0) this.b.state = await keepRows(this.b.state, keepB);
    report.afterA = this.a.gaussians;
    report.afterB = this.b.gaussians;
    this.coPrunes.push(report);
  }

  /** Run both fields to the configured iterations with 'step' and 'log' events; cancellable (no checkpoint: a cancelled run restarts). */
  async train(opts: { onEvent?: EventSink; signal?: AbortSignal; psnrEvery?: number } = {}): Promise<void> {
    const total = this.a.cfg.iterations;
    const meter = new RateMeter(total);
    const psnrEvery = opts.psnrEvery ?? 25;
    while (this.stepCount < total) {
      if (opts.signal?.aborted) throw new CancelledError(`training (two fields, co-regularized) cancelled at step ${this.stepCount}`);
      const pruned = this.coPrunes.length;
      const info = await this.step((this.stepCount + 1) % psnrEvery === 0 || this.stepCount + 1 === total);
      const { rate, etaMs } = meter.update(info.step);
      const metrics: Record<string, number> = { loss: info.loss, gaussians: info.gaussians };
      if (Number.isFinite(this.a.lastPsnr)) metrics.psnr = this.a.lastPsnr;
      if (Number.isFinite(this.lastCoRegLoss)) metrics.coRegLoss = this.lastCoRegLoss;
      opts.onEvent?.({ type: 'step', stage: 'train', step: info.step, total, metrics, rate, etaMs });
      for (const r of this.coPrunes.slice(pruned)) {
        opts.onEvent?.({ type: 'log', stage: 'train', message: `step ${r.step}: co-pruning (τ ${r.distance.toFixed(3)}) ${r.beforeA} -> ${r.afterA} Gaussians (second field ${r.beforeB} -> ${r.afterB})` });
      }
    }
  }

  /** Frees the second field and this object's buffers (the first trainer stays with its owner). */
  dispose(): void {
    this.b.dispose();
    this.secondRegularizers?.dispose();
    for (const l of this.losses.values()) l.dispose();
    for (const buf of this.buffers.values()) buf.destroy();
  }
}
