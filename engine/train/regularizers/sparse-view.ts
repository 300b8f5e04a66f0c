/**
 * The sparse-view regularizers wired into the trainer's seams (engine/train/hooks.ts):
 * depth correlation, ordinal depth and edge-aware smoothness on every training view
 * (a LossTerm), and after each backward: shape/opacity penalties, coherence of
 * Gaussians placed from one depth map, an FSGS pseudo view every few steps, and joint
 * pose refinement. Every term is switched off by a zero weight in SparseViewConfig.
 * Self-supervised terms that need no depth prior (Binocular3DGS): binocular stereo
 * consistency (a shifted camera rendered before the training view, binocular.ts) and
 * opacity decay after each optimizer step (opacity-decay.ts).
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, uploadStorage } from '../../gpu/buffers.js';
import type { Camera } from '../../splat/camera.js';
import { Rasterizer, type RenderResult } from '../../splat/render.js';
import type { LossContext, LossTerm, StepHooks } from '../hooks.js';
import { PoseRefiner, type PoseRefineConfig } from '../pose-refine.js';
import type { TrainState } from '../gpu-state.js';
import { CoherenceRegularizer } from './coherence.js';
import { remapNeighbourTable } from './knn-graph.js';
import { DepthCorrelationLoss } from './depth-correlation.js';
import { DepthPairRegularizers, drawOrdinalOffsets } from './depth-pairs.js';
import { samplePseudoView } from './pseudo-views.js';
import { ShapeRegularizer } from './shape.js';
import { BinocularConsistency, neighbourSpacing, shiftedCamera } from './binocular.js';
import { OpacityDecay } from './opacity-decay.js';
import { DropGaussianHook } from './drop-gaussian.js';
import { shDegreeAt } from '../schedule.js';
import type { TrainConfig } from '../config.js';
import { DepthWarper } from './warp-depth.js';
import { mulberry32 } from '../../math/random.js';

export interface SparseViewConfig {
  /** Pearson correlation with the depth prior: whole image and 16x16 patches. */
  depthCorrelationGlobal: number;
  depthCorrelationPatch: number;
  /** Ordinal (relative) depth: weight, relative tolerance, hinge margin (extent units), pairs per pixel, offset radius (px). */
  ordinalDepth: number;
  ordinalTau: number;
  ordinalMargin: number;
  ordinalOffsets: number;
  ordinalRadius: number;
  /** Edge-aware smoothness of rendered depth (per extent unit), and its edge sharpness. */
  edgeSmoothness: number;
  edgeGamma: number;
  /** Anti-needle: penalty on s_max / s_min above maxScaleRatio. */
  scaleRatio: number;
  maxScaleRatio: number;
  /** Anti-blob: squared penalty on s_max above maxScaleFraction * extent. */
  hugeScale: number;
  maxScaleFraction: number;
  /** Opacity entropy (pushes opacities to 0 or 1, against half-transparent floaters). */
  opacityEntropy: number;
  /** Neighbours on a depth map's pixel grid move together (until densification changes the set). */
  coherence: number;
  /** A pseudo view every this many steps (0: none); weight of its depth correlation (global and patch). */
  pseudoViewInterval: number;
  pseudoViewWeight: number;
  /**
   * Pseudo views start at this fraction of the run and ramp linearly to full weight over the
   * next `pseudoViewRamp` of it (FSGS: from step 2000 of 10000, over 500 steps), so the
   * warped prior constrains a scene that already fits the photos instead of the initial blobs.
   * Needs the trainer's iteration count (TrainerView.cfg); without it, full weight throughout.
   */
  pseudoViewFrom: number;
  pseudoViewRamp: number;
  /**
   * Binocular stereo consistency (Binocular3DGS): weight of the L1 between the training photo
   * and the render of a camera shifted along the view's x axis, warped back through the
   * rendered depth. The baseline is uniform in +-binocularBaseline x (mean distance between
   * neighbouring training cameras); the term starts at fraction binocularFrom of the run
   * (the paper: step 20k of 30k, once the geometry is roughly in place). Pixels whose rendered
   * alpha is under binocularMinAlpha have no depth to warp with and are skipped.
   * Costs one extra render and backward per step while on.
   */
  binocular: number;
  binocularBaseline: number;
  binocularFrom: number;
  binocularMinAlpha: number;
  /**
   * Opacity decay (Binocular3DGS): every opacity is multiplied by (1 - opacityDecay) after each
   * optimizer step from fraction opacityDecayFrom of the run (0: off; the paper: 0.005 from the
   * first densification on).
   */
  opacityDecay: number;
  opacityDecayFrom: number;
  /**
   * DropGaussian (Park et al., CVPR 2025; drop-gaussian.ts): each training render drops every
   * Gaussian with probability r and scales the kept opacities by 1 / (1 - r); evaluation renders
   * all of them. r = dropRate x a linear ramp from fraction dropFrom of the run over fraction
   * dropRamp of it (the paper: 0.2 x step / iterations; 0: off). At most 0.5.
   */
  dropRate: number;
  dropFrom: number;
  dropRamp: number;
  /**
   * CoR-GS co-regularization (Zhang et al., ECCV 2024; engine/train/co-regularization/): a second
   * field trained beside the first from the same start with another seed. Weight of the
   * pseudo-view term (SSIM + L1 between the two fields' renders at a camera between training
   * views, every step from fraction coRegularizationFrom of the run; 0: off); co-pruning every
   * coPruneInterval (a fraction of the run; 0: off) once densification has started, to the end,
   * of the Gaussians with no Gaussian of the other field within coPruneDistance x the mean
   * distance between neighbouring training cameras. Either on doubles the training cost (two fields); the pseudo view adds a render and
   * backward per field per step. The pipeline and bench/sparse run it when either is on.
   */
  coRegularization: number;
  coRegularizationFrom: number;
  coPruneInterval: number;
  coPruneDistance: number;
  /** Joint camera refinement (0 learning rates: off). */
  poses: PoseRefineConfig;
}

export const NO_REGULARIZERS: Readonly<SparseViewConfig> = Object.freeze({
  depthCorrelationGlobal: 0,
  depthCorrelationPatch: 0,
  ordinalDepth: 0,
  ordinalTau: 0.05,
  ordinalMargin: 1e-4,
  ordinalOffsets: 4,
  ordinalRadius: 8,
  edgeSmoothness: 0,
  edgeGamma: 10,
  scaleRatio: 0,
  maxScaleRatio: 10,
  hugeScale: 0,
  maxScaleFraction: 0.1,
  opacityEntropy: 0,
  coherence: 0,
  pseudoViewInterval: 0,
  pseudoViewWeight: 0,
  pseudoViewFrom: 0,
  pseudoViewRamp: 0,
  binocular: 0,
  binocularBaseline: 0.2,
  binocularFrom: 0,
  binocularMinAlpha: 0.5,
  opacityDecay: 0,
  opacityDecayFrom: 0,
  dropRate: 0,
  dropFrom: 0,
  dropRamp: 1,
  coRegularization: 0,
  coRegularizationFrom: 0.05,
  coPruneInterval: 0,
  coPruneDistance: 2,
  poses: { rotationLr: 0, translationLr: 0, priorWeight: 1e-2, startStep: 50 },
});

/**
 * Each term's weight when it is switched on, from FSGS / SparseGS / CoherentGS / InstantSplat
 * magnitudes (pseudo-view weight 0.1: FSGS weights pseudo-view depth 10x training-view depth).
 * bench/sparse measures each alone at these weights.
 */
export const SPARSE_VIEW_TERMS: Readonly<SparseViewConfig> = Object.freeze({
  ...NO_REGULARIZERS,
  depthCorrelationGlobal: 0.05,
  depthCorrelationPatch: 0.05,
  ordinalDepth: 0.05,
  edgeSmoothness: 0.01,
  scaleRatio: 0.01,
  // The anti-blob bound is a fraction of the dataset extent (the camera spread); in
  // forward-facing captures (fern: spread ~3, depth up to 80) distant Gaussians are
  // legitimately larger, and bench/sparse measured -1.5 dB with it on.
  hugeScale: 0,
  opacityEntropy: 0.001,
  coherence: 1,
  pseudoViewInterval: 4,
  pseudoViewWeight: 0.1,
  // From the start: the scene starts from the same depth maps, so pseudo views are consistent
  // from step 0 (FSGS waits 20% of the run because it starts from sparse SfM points).
  pseudoViewFrom: 0,
  pseudoViewRamp: 0,
  // Binocular3DGS: weight 1 beside the photometric loss; max baseline 0.4 on LLFF (COLMAP units,
  // the same as ../shared/data/fern, whose 3 views are 2.4 apart on average: 0.2 x spacing);
  // starts at 2/3 of the run; opacity x 0.995 per step from where densification starts (paper: its
  // densify_from_iter; bench/sparse and the presets open the densification window at 1/10-1/5 of the run).
  binocular: 1,
  binocularBaseline: 0.2,
  binocularFrom: 2 / 3,
  opacityDecay: 0.005,
  opacityDecayFrom: 1 / 6,
  // DropGaussian: the authors' code ramps the rate linearly from 0 to 0.2 over the whole run.
  dropRate: 0.2,
  dropFrom: 0,
  dropRamp: 1,
  // CoR-GS on LLFF 3-view (its published scripts): pseudo-view weight 1 every step from step 500
  // of 10000; co-pruning every 500 steps after densify_from_iter, to the end, at τ = 5 (COLMAP
  // units; fern's training cameras are 2.4 apart here: 2x spacing).
  coRegularization: 1,
  coRegularizationFrom: 0.05,
  coPruneInterval: 0.05,
  coPruneDistance: 2,
  poses: { rotationLr: 1e-4, translationLr: 1e-4, priorWeight: 1e-2, startStep: 50 },
});

/**
 * Defaults for 3-12 views (bench/results/sparse.md; held-out PSNR, depth init, reference poses).
 * fern 3-view 126x94 600 steps, plain 23.88 dB, each term alone: depth correlation +0.05,
 * pseudo views -0.04, edge smoothness +0.21, opacity entropy +0.12, scale ratio -0.27,
 * coherence -0.03. lego 8-view 100x100 300 steps, plain 21.44: depth correlation -1.30,
 * pseudo views -0.95, edge +0.12, opacity +0.07, scale ratio and coherence 0.00; all terms
 * 19.73, all but the depth-prior terms 21.59. So the terms that tie the render to the MVS prior
 * (depth correlation, ordinal depth, pseudo views) are OFF by default: the prior comes from the
 * same photos, so it adds no information the photometric loss lacks, and forcing it (weight 0.3
 * on fern: -0.76 dB) fights the fit. They stay available (SPARSE_VIEW_TERMS) for priors that do
 * add information (a monocular depth model). Ordinal depth alone: -0.8 dB before it was limited
 * to confident pixels, -0.2 after. Differences under ~0.3 dB are within trajectory noise.
 * Opacity decay is ON and is the only image-space term on by default (plus joint pose
 * refinement, which matters with estimated poses): measured against plain on both schedules
 * and both scenes it is the one setting that helps everywhere, and the other terms together
 * work against it (opacity entropy pushes opacities to 1 while decay pulls them down):
 *   fern 3-view 126x94 2000 steps (plain stops improving: train 35.4, held out 24.47): decay
 *     alone +0.85 / +0.77 dB (2 seeds); the earlier defaults -0.28 without decay, +0.44 with it;
 *   fern 504x378 300 steps (the user's default schedule): plain 20.27, decay alone 20.54,
 *     the earlier defaults with decay 20.01;
 *   lego 8-view 100x100 300 steps: plain 21.44, decay alone 21.67, the earlier defaults 21.59.
 * Binocular consistency is OFF: +0.11 dB alone for one extra render and backward per step
 * over the last third of the run. Every other term stays available at SPARSE_VIEW_TERMS.
 */
export const SPARSE_VIEW_DEFAULTS: Readonly<SparseViewConfig> = Object.freeze({
  ...SPARSE_VIEW_TERMS,
  depthCorrelationGlobal: 0,
  depthCorrelationPatch: 0,
  ordinalDepth: 0,
  edgeSmoothness: 0,
  scaleRatio: 0,
  opacityEntropy: 0,
  coherence: 0,
  pseudoViewInterval: 0,
  binocular: 0,
  // DropGaussian off: on top of opacity decay, fern 126x94 2000 steps 25.11 vs 25.15 dB (2 seeds,
  // SSIM +0.007), 504x378 300 steps 20.23 vs 20.54 (bench/results/sparse.md).
  dropRate: 0,
  // CoR-GS off until measured (bench/results/sparse.md); it doubles the training cost.
  coRegularization: 0,
  coPruneInterval: 0,
});

/** A depth prior at a frame's training resolution. */
export interface FramePrior {
  width: number;
  height: number;
  /** [H, W] z-depth, 0 = unknown */
  depth: Float32Array;
  /** [H, W] in [0, 1] */
  confidence: Float32Array;
}

export interface CoherenceInit {
  /** [N, 4] grid neighbours (right, down, left, up; -1 none) of the initial Gaussians */
  neighbours: Int32Array;
  edges: number;
  /** [N, 3] initial means */
  initialMeans: Float32Array;
}

export interface TrainerView {
  readonly state: TrainState;
  readonly rasterizer: Rasterizer;
  /** The run's length, for schedules given as fractions of it (Trainer has it), and its SH schedule. */
  readonly cfg?: { readonly iterations: number } & Partial<Pick<TrainConfig, 'shDegree' | 'shDegreeInterval' | 'seed'>>;
}

/**
 * [H, W] the prior's depth where its confidence is > 0, else 0 (= unknown). Hole-filled pixels
 * carry a guessed depth with confidence 0; terms that only test `depth > 0` must read this copy
 * so that only what the stereo measured constrains the geometry.
 */
export function trustedDepth(p: FramePrior): Float32Array {
  return p.depth.map((z, k) => (p.confidence[k] > 0 ? z : 0));
}

/** Weight factor in [0, 1] of a term that starts at fraction `from` of the run and ramps up over `ramp`. */
export function rampFactor(step: number, iterations: number | undefined, from: number, ramp: number): number {
  if (!iterations || iterations <= 0) return 1;
  const f = step / iterations;
  if (f < from) return 0;
  return ramp > 0 ? Math.min(1, (f - from) / ramp) : 1;
}

export interface SparseViewSetup {
  lossTerms: LossTerm[];
  hooks: StepHooks;
  poseRefiner?: PoseRefiner;
  dispose(): void;
}

/** Deterministic per-step PRNG so regularizer sampling does not depend on call order. */
function stepRandom(step: number, salt: number): () => number {
  return mulberry32(Math.imul(step, 0x9e3779b1) ^ salt);
}

export function createSparseViewRegularizers(
  gpu: Gpu,
  cfg: SparseViewConfig,
  inputs: {
    /** Training cameras by frame index (mutated in place by pose refinement). */
    cameras: Camera[];
    trainViews: number[];
    priors: Map<number, FramePrior>;
    extent: number;
    background: [number, number, number];
    coherence?: CoherenceInit;
    trainer: () => TrainerView;
  },
): SparseViewSetup {
  // The ordinal term and the pseudo-view warp read the trusted copy (see trustedDepth).
  const priorBuffers = new Map<number, { depth: GPUBuffer; trusted: GPUBuffer; confidence: GPUBuffer; width: number; height: number }>();
  for (const [i, p] of inputs.priors) {
    priorBuffers.set(i, { depth: uploadStorage(gpu, p.depth), trusted: uploadStorage(gpu, trustedDepth(p)), confidence: uploadStorage(gpu, p.confidence), width: p.width, height: p.height });
  }
  const corr = new Map<string, DepthCorrelationLoss>();
  const pairs = new Map<string, DepthPairRegularizers>();
  const sized = <T>(m: Map<string, T>, w: number, h: number, make: () => T) => {
    const k = `${w}x${h}`;
    let v = m.get(k);
    if (!v) m.set(k, (v = make()));
    return v;
  };
  const depthTerm: LossTerm = {
    name: 'depth-prior',
    encode(enc: GPUCommandEncoder, ctx: LossContext) {
      const prior = priorBuffers.get(ctx.frameIndex);
      const { width: W, height: H } = ctx.result;
      if (!prior || prior.width !== W || prior.height !== H) return;
      const rand = stepRandom(ctx.step, 17);
      if (cfg.depthCorrelationGlobal > 0 || cfg.depthCorrelationPatch > 0) {
        sized(corr, W, H, () => new DepthCorrelationLoss(gpu, W, H)).encode(
          enc,
          { rendered: ctx.result.depth, prior: prior.depth, confidence: prior.confidence, vDepth: ctx.cot.vDepth },
          { global: cfg.depthCorrelationGlobal, patch: cfg.depthCorrelationPatch },
          [Math.floor(rand() * 16), Math.floor(rand() * 16)],
        );
      }
      const pr = sized(pairs, W, H, () => new DepthPairRegularizers(gpu, W, H));
      if (cfg.ordinalDepth > 0) {
        pr.encodeOrdinal(enc, { rendered: ctx.result.depth, prior: prior.trusted, vDepth: ctx.cot.vDepth }, drawOrdinalOffsets(rand, cfg.ordinalOffsets, cfg.ordinalRadius), {
          weight: cfg.ordinalDepth,
          tau: cfg.ordinalTau,
          margin: cfg.ordinalMargin * inputs.extent,
        });
      }
      if (cfg.edgeSmoothness > 0) {
        pr.encodeEdgeSmoothness(enc, { rendered: ctx.result.depth, image: ctx.target, vDepth: ctx.cot.vDepth }, { weight: cfg.edgeSmoothness / inputs.extent, gamma: cfg.edgeGamma });
      }
    },
  };

  const shape = new ShapeRegularizer(gpu);
  const coherence = new CoherenceRegularizer(gpu);
  // Host copies follow densification (remapNeighbourTable); the GPU copies are re-uploaded then.
  const coherenceBufs = inputs.coherence && cfg.coherence > 0
    ? {
        neighbours: uploadStorage(gpu, inputs.coherence.neighbours),
        initialMeans: uploadStorage(gpu, inputs.coherence.initialMeans),
        count: inputs.coherence.initialMeans.length / 3,
        edges: inputs.coherence.edges,
        host: { neighbours: inputs.coherence.neighbours, initialMeans: inputs.coherence.initialMeans },
      }
    : undefined;
  const warper = new DepthWarper(gpu);
  const pseudo = { depth: undefined as GPUBuffer | undefined, ones: undefined as GPUBuffer | undefined, vColor: undefined as GPUBuffer | undefined, vDepth: undefined as GPUBuffer | undefined, pixels: 0 };
  const poseRefiner = cfg.poses.rotationLr > 0 || cfg.poses.translationLr > 0 ? new PoseRefiner(inputs.cameras, cfg.poses, inputs.extent) : undefined;
  const poseHook = poseRefiner?.hook(gpu);
  const trainCams = inputs.trainViews.map((i) => inputs.cameras[i]);

  // Binocular consistency: the shifted camera is rendered in beforeRender with a rasterizer of
  // its own (so the training view's render stays valid), the warp loss is a LossTerm on the
  // training view's depth and alpha, and the shifted render's backward runs in afterBackward.
  const bino = cfg.binocular > 0
    ? {
        rasterizer: new Rasterizer(gpu),
        maxBaseline: cfg.binocularBaseline * neighbourSpacing(trainCams),
        terms: new Map<string, BinocularConsistency>(),
        vShifted: undefined as GPUBuffer | undefined,
        pixels: 0,
        pending: undefined as { step: number; result: RenderResult; fxb: number } | undefined,
      }
    : undefined;
  const decay = cfg.opacityDecay > 0 ? new OpacityDecay(gpu) : undefined;
  const drop = cfg.dropRate > 0 ? new DropGaussianHook(gpu, { rate: cfg.dropRate, from: cfg.dropFrom, ramp: cfg.dropRamp }) : undefined;
  const binocularTerm: LossTerm = {
    name: 'binocular',
    encode(enc: GPUCommandEncoder, ctx: LossContext) {
      const p = bino?.pending;
      if (!bino || !p || p.step !== ctx.step) return;
      const { width: W, height: H } = ctx.result;
      if (bino.pixels !== W * H) {
        bino.vShifted?.destroy();
        bino.vShifted = createStorage(gpu, W * H * 12, 'binocular/v-shifted');
        bino.pixels = W * H;
      }
      sized(bino.terms, W, H, () => new BinocularConsistency(gpu, W, H)).encode(
        enc,
        { shifted: p.result.color, target: ctx.target, depth: ctx.result.depth, alpha: ctx.result.alpha, vShifted: bino.vShifted!, vDepth: ctx.cot.vDepth, vAlpha: ctx.cot.vAlpha },
        { fxb: p.fxb, weight: cfg.binocular, minAlpha: cfg.binocularMinAlpha },
      );
    },
  };

  // DropGaussian substitutes the training view's scene after the binocular hook rendered its
  // shifted camera (which keeps the whole scene).
  const withDrop = (before: StepHooks['beforeRender']): StepHooks['beforeRender'] =>
    drop
      ? async (info) => {
          await before?.(info);
          const c = inputs.trainer().cfg;
          return drop.beforeRender(info.step, c?.iterations, c?.seed ?? 0, info.scene);
        }
      : before;
  const hooks: StepHooks = {
    beforeRender: withDrop(bino
      ? async ({ step, frameIndex }) => {
          bino.pending = undefined;
          const t = inputs.trainer();
          if (rampFactor(step, t.cfg?.iterations, cfg.binocularFrom, 0) <= 0) return undefined;
          const cam = inputs.cameras[frameIndex];
          // Uniform in [-max, max] (Binocular3DGS: random distance, random side).
          const baseline = (stepRandom(step, 53)() * 2 - 1) * bino.maxBaseline;
          if (baseline === 0) return undefined;
          const c = t.cfg;
          const shDegree = c?.shDegree !== undefined && c.shDegreeInterval !== undefined ? shDegreeAt(c as TrainConfig, step) : undefined;
          const result = await bino.rasterizer.forward(t.state.scene, shiftedCamera(cam, baseline), { background: inputs.background, ...(shDegree !== undefined ? { shDegree } : {}) });
          bino.pending = { step, result, fxb: cam.fx * baseline };
          return undefined;
        }
      : undefined),
    afterBackward: async (ctx) => {
      const t = inputs.trainer();
      const st = t.state;
      // First: the gradient of the dropped render becomes the trained logits' gradient before
      // the terms below add theirs (which are w.r.t. the trained parameters already).
      drop?.afterBackward(ctx.step, st);
      const enc = gpu.device.createCommandEncoder({ label: 'sparse-view/params' });
      if (cfg.scaleRatio > 0 || cfg.hugeScale > 0 || cfg.opacityEntropy > 0) {
        shape.encode(enc, st.count, { logScales: st.scene.logScales, opacityLogits: st.scene.opacityLogits, vLogScales: st.grads.vLogScales, vOpacityLogits: st.grads.vOpacityLogits }, {
          wRatio: cfg.scaleRatio,
          maxRatio: cfg.maxScaleRatio,
          wHuge: cfg.hugeScale,
          maxScale: cfg.maxScaleFraction * inputs.extent,
          wOpacity: cfg.opacityEntropy,
        });
      }
      // The neighbour table follows densification (afterStep); a count mismatch would mean a
      // refinement the hook did not see, so the term skips rather than read wrong rows.
      if (coherenceBufs && st.count === coherenceBufs.count) {
        coherence.encode(enc, st.count, coherenceBufs.edges, { means: st.scene.means, initialMeans: coherenceBufs.initialMeans, neighbours: coherenceBufs.neighbours, vMeans: st.grads.vMeans }, cfg.coherence / (inputs.extent * inputs.extent));
      }
      gpu.device.queue.submit([enc.finish()]);
      const shifted = bino?.pending;
      if (bino && shifted && shifted.step === ctx.step && shifted.result.scene.count === st.count) {
        // vShifted was written by the binocular LossTerm of this step.
        bino.rasterizer.backward(shifted.result, { vColor: bino.vShifted! }, st.grads);
      }
      if (bino) bino.pending = undefined;
      if (cfg.pseudoViewInterval > 0 && cfg.pseudoViewWeight > 0 && trainCams.length >= 2 && ctx.step % cfg.pseudoViewInterval === 0) {
        await pseudoViewStep(ctx.step, t);
      }
      // Pose refinement last: it reads this view's pose gradient, which the pseudo view does not touch.
      await poseHook?.afterBackward(ctx);
    },
    afterStep: ({ step, densified }) => {
      if (decay) {
        const t = inputs.trainer();
        if (rampFactor(step, t.cfg?.iterations, cfg.opacityDecayFrom, 0) > 0) {
          const enc = gpu.device.createCommandEncoder({ label: 'sparse-view/opacity-decay' });
          decay.encode(enc, t.state.scene.opacityLogits, t.state.count, 1 - cfg.opacityDecay);
          gpu.device.queue.submit([enc.finish()]);
        }
      }
      if (!densified || !coherenceBufs) return;
      const next = remapNeighbourTable(coherenceBufs.host.neighbours, coherenceBufs.host.initialMeans, 4, densified.keep, densified.append);
      coherenceBufs.neighbours.destroy();
      coherenceBufs.initialMeans.destroy();
      coherenceBufs.neighbours = uploadStorage(gpu, next.neighbours);
      coherenceBufs.initialMeans = uploadStorage(gpu, next.initialMeans);
      coherenceBufs.count = next.initialMeans.length / 3;
      coherenceBufs.edges = next.edges;
      coherenceBufs.host = { neighbours: next.neighbours, initialMeans: next.initialMeans };
    },
  };

  async function pseudoViewStep(step: number, t: TrainerView): Promise<void> {
    const scale = rampFactor(step, t.cfg?.iterations, cfg.pseudoViewFrom, cfg.pseudoViewRamp);
    if (scale <= 0) return;
    const rand = stepRandom(step, 91);
    const { camera, source } = samplePseudoView(trainCams, rand);
    const srcFrame = inputs.trainViews[source];
    const prior = priorBuffers.get(srcFrame);
    if (!prior) return;
    const { width: W, height: H } = camera;
    if (pseudo.pixels !== W * H) {
      for (const b of [pseudo.depth, pseudo.ones, pseudo.vColor, pseudo.vDepth]) b?.destroy();
      pseudo.pixels = W * H;
      pseudo.depth = createStorage(gpu, W * H * 4, 'pseudo/depth');
      pseudo.ones = uploadStorage(gpu, new Float32Array(W * H).fill(1), 'pseudo/ones');
      pseudo.vColor = createStorage(gpu, W * H * 12, 'pseudo/v-color');
      pseudo.vDepth = createStorage(gpu, W * H * 4, 'pseudo/v-depth');
    }
    const result = await t.rasterizer.forward(t.state.scene, camera, { background: inputs.background });
    const enc = gpu.device.createCommandEncoder({ label: 'sparse-view/pseudo' });
    warper.encode(enc, prior.trusted, inputs.cameras[srcFrame], camera, pseudo.depth!);
    enc.clearBuffer(pseudo.vColor!);
    enc.clearBuffer(pseudo.vDepth!);
    sized(corr, W, H, () => new DepthCorrelationLoss(gpu, W, H)).encode(
      enc,
      { rendered: result.depth, prior: pseudo.depth!, confidence: pseudo.ones!, vDepth: pseudo.vDepth! },
      { global: scale * cfg.pseudoViewWeight, patch: scale * cfg.pseudoViewWeight },
      [Math.floor(rand() * 16), Math.floor(rand() * 16)],
    );
    gpu.device.queue.submit([enc.finish()]);
    t.rasterizer.backward(result, { vColor: pseudo.vColor!, vDepth: pseudo.vDepth! }, t.state.grads);
  }

  return {
    lossTerms: [
      ...(cfg.depthCorrelationGlobal > 0 || cfg.depthCorrelationPatch > 0 || cfg.ordinalDepth > 0 || cfg.edgeSmoothness > 0 ? [depthTerm] : []),
      ...(bino ? [binocularTerm] : []),
    ],
    hooks,
    poseRefiner,
    dispose() {
      for (const p of priorBuffers.values()) {
        p.depth.destroy();
        p.trusted.destroy();
        p.confidence.destroy();
      }
      for (const c of corr.values()) c.dispose();
      for (const p of pairs.values()) p.dispose();
      shape.dispose();
      coherence.dispose();
      warper.dispose();
      for (const b of [pseudo.depth, pseudo.ones, pseudo.vColor, pseudo.vDepth]) b?.destroy();
      coherenceBufs?.neighbours.destroy();
      coherenceBufs?.initialMeans.destroy();
      if (bino) {
        bino.rasterizer.dispose();
        for (const b of bino.terms.values()) b.dispose();
        bino.vShifted?.destroy();
      }
      decay?.dispose();
      drop?.dispose();
    },
  };
}
