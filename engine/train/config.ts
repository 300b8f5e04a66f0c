/**
 * The one training configuration: CLI flags, the desktop app's settings and the
 * config saved in checkpoints are all this type. Defaults follow 3DGS (Kerbl et
 * al. 2023) unless a comment says otherwise; learning rates of positions are
 * multiplied by the scene extent.
 */
export interface TrainConfig {
  /** Optimization steps (one training view per step). */
  iterations: number;
  /** Seed for initialization, view order and densification sampling. */
  seed: number;
  /** Highest SH degree; raised by one every `shDegreeInterval` steps from 0. */
  shDegree: number;
  shDegreeInterval: number;
  /** Background colour of renders and of photos' transparent pixels, linear [0, 1]. */
  background: [number, number, number];
  /** Loss = (1 - lambda) L1 + lambda (1 - SSIM). */
  ssimLambda: number;

  /** Position learning rate at step 0 and at the last step (x extent), exponential decay between. */
  meansLr: number;
  meansLrFinal: number;
  /** Steps over which the position rate decays (3DGS: 30000). */
  meansLrMaxSteps: number;
  /** DC colour rate; higher SH bands use sh0Lr / shNLrDivisor. */
  sh0Lr: number;
  shNLrDivisor: number;
  opacityLr: number;
  scalesLr: number;
  quatsLr: number;
  /** Adam hyper-parameters (3DGS uses eps 1e-15). */
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;

  /** Densify (clone/split) from this step ... */
  densifyFrom: number;
  /** ... until this step ... */
  densifyUntil: number;
  /** ... every this many steps. */
  densifyInterval: number;
  /** Mean view-space positional gradient (NDC units) above which a Gaussian is cloned or split. */
  densifyGradThreshold: number;
  /** Gaussians larger than this fraction of the extent are split, smaller ones cloned. */
  percentDense: number;
  /** Opacities are reset to `opacityResetValue` every this many steps (0: never). */
  opacityResetInterval: number;
  opacityResetValue: number;
  /** Gaussians with opacity below this are pruned at every densification step. */
  pruneOpacity: number;
  /** After the first opacity reset, Gaussians with a world-space scale above this fraction of the extent are pruned. */
  pruneWorldSize: number;
  /** Hard cap on the Gaussian count (0: derived from GPU memory). */
  maxGaussians: number;

  /** Initial Gaussians when the dataset has no sparse points (random in the cameras' bounds). */
  randomInitCount: number;
  /** Evaluate held-out views every this many steps during training (0: only at the end). */
  evalInterval: number;
  /** Write a checkpoint every this many steps (0: only at the end and on Ctrl-C). */
  checkpointInterval: number;
}

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  iterations: 30_000,
  seed: 0,
  shDegree: 3,
  shDegreeInterval: 1000,
  background: [0, 0, 0] as [number, number, number],
  ssimLambda: 0.2,
  meansLr: 1.6e-4,
  meansLrFinal: 1.6e-6,
  meansLrMaxSteps: 30_000,
  sh0Lr: 2.5e-3,
  shNLrDivisor: 20,
  // 3DGS used 0.05; gsplat and later work use 0.025 with the same results and fewer floaters.
  opacityLr: 0.025,
  scalesLr: 5e-3,
  quatsLr: 1e-3,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-15,
  densifyFrom: 500,
  densifyUntil: 15_000,
  densifyInterval: 100,
  densifyGradThreshold: 2e-4,
  percentDense: 0.01,
  opacityResetInterval: 3000,
  opacityResetValue: 0.01,
  pruneOpacity: 0.005,
  pruneWorldSize: 0.1,
  maxGaussians: 0,
  randomInitCount: 100_000,
  evalInterval: 0,
  checkpointInterval: 0,
});

/** Defaults merged with `overrides`, validated; throws on a value that cannot work. */
export function trainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, background: [...DEFAULT_TRAIN_CONFIG.background], ...overrides };
  const bad = (msg: string) => {
    throw new Error(`invalid training config: ${msg}`);
  };
  if (!Number.isInteger(c.iterations) || c.iterations < 0) bad(`iterations must be a non-negative integer, got ${c.iterations}`);
  if (!Number.isInteger(c.shDegree) || c.shDegree < 0 || c.shDegree > 3) bad(`shDegree must be 0..3, got ${c.shDegree}`);
  if (c.background.length !== 3 || !c.background.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)) bad(`background must be three numbers in [0, 1], got ${c.background.join(',')}`);
  if (!(c.ssimLambda >= 0 && c.ssimLambda <= 1)) bad(`ssimLambda must be in [0, 1], got ${c.ssimLambda}`);
  if (!Number.isInteger(c.maxGaussians) || c.maxGaussians < 0) bad(`maxGaussians must be a non-negative integer, got ${c.maxGaussians}`);
  if (!Number.isInteger(c.seed)) bad(`seed must be an integer, got ${c.seed}`);
  for (const k of ['meansLr', 'meansLrFinal', 'sh0Lr', 'opacityLr', 'scalesLr', 'quatsLr'] as const) if (!(c[k] >= 0 && Number.isFinite(c[k]))) bad(`${k} must be a finite non-negative number`);
  if (c.densifyInterval <= 0) bad('densifyInterval must be positive');
  return c;
}
