/**
 * The one typed configuration of a reconstruction: every knob of every stage, with
 * presets. The CLI's flags and the app's settings both produce this; report.json and
 * the resume fingerprint record it.
 */
import type { MvsOptions } from '../depth/mvs.js';
import type { FeaturePreference } from '../pose/feature-backends.js';
import type { DepthInitOptions } from '../train/init-from-depth.js';
import type { TrainConfig } from '../train/config.js';
import { NO_REGULARIZERS, SPARSE_VIEW_DEFAULTS, type SparseViewConfig } from '../train/regularizers/sparse-view.js';
import type { SceneFormat } from '../io/scene-codec.js';

export type Preset = 'fast' | 'balanced' | 'quality';

export interface ReconstructConfig {
  preset: Preset;
  /** Longest image side used for depth and training, in pixels (photos are box-downscaled by an integer factor). */
  maxSide: number;
  poses: {
    features: FeaturePreference;
    /** Folder with ONNX weights (XFeat, LighterGlue); see models/manifest.json. */
    modelsDir?: string;
    maxKeypoints: number;
    /**
     * Experimental, off by default: place masked photos the matches and silhouettes leave out
     * by rendering Gaussians trained on the registered ones (pose/render-placement.ts). On
     * held-out lego subsets it placed views 100-160° wrong even after its self-test passed
     * (bench/results/poses.md).
     */
    renderPlacement: boolean;
  };
  depth: Pick<MvsOptions, 'planes' | 'radius' | 'maxNeighbours' | 'fillHoles' | 'geometricPasses'> & {
    /** Longest side of the stereo working resolution. */
    maxSide: number;
  };
  init: DepthInitOptions;
  train: Partial<TrainConfig>;
  regularizers: SparseViewConfig;
  /** Scene formats written at the end (PLY always). */
  exportFormats: SceneFormat[];
}

const BASE: Omit<ReconstructConfig, 'preset'> = {
  maxSide: 504,
  poses: { features: 'auto', maxKeypoints: 2048, renderPlacement: false },
  depth: { maxSide: 384, planes: 96, radius: 3, maxNeighbours: 4, fillHoles: true },
  init: { stride: 2, targetCount: 60_000, minNeighbours: 3, opacity: 0.1, shDegree: 1 },
  // Short schedules suit sparse views (InstantSplat trains for hundreds of steps): densify
  // early and briefly, no opacity reset (it needs many steps to recover).
  train: {
    iterations: 600,
    shDegree: 1,
    shDegreeInterval: 200,
    densifyFrom: 100,
    densifyUntil: 400,
    densifyInterval: 100,
    opacityResetInterval: 0,
    meansLrMaxSteps: 600,
    evalInterval: 0,
    checkpointInterval: 200,
  },
  regularizers: SPARSE_VIEW_DEFAULTS,
  exportFormats: ['ply'],
};

export const PRESETS: Record<Preset, ReconstructConfig> = {
  fast: {
    ...BASE,
    preset: 'fast',
    maxSide: 320,
    // One geometric-consistency pass instead of the default two keeps the fast preset's depth
    // stage near its old cost (two passes measured 1.4x photometric-only at 192 px, bench/results/depth.md).
    depth: { ...BASE.depth, maxSide: 256, planes: 64, geometricPasses: 1 },
    init: { ...BASE.init, targetCount: 30_000 },
    train: { ...BASE.train, iterations: 300, densifyFrom: 60, densifyUntil: 200, densifyInterval: 60, meansLrMaxSteps: 300, shDegree: 0, checkpointInterval: 100 },
  },
  balanced: { ...BASE, preset: 'balanced' },
  quality: {
    ...BASE,
    preset: 'quality',
    maxSide: 1008,
    depth: { ...BASE.depth, maxSide: 512, planes: 128 },
    init: { ...BASE.init, targetCount: 150_000, shDegree: 3 },
    train: { ...BASE.train, iterations: 3000, shDegree: 3, shDegreeInterval: 500, densifyFrom: 300, densifyUntil: 2000, densifyInterval: 100, meansLrMaxSteps: 3000, checkpointInterval: 500 },
  },
};

/** A preset with overrides applied section by section. */
export function reconstructConfig(preset: Preset = 'balanced', overrides: DeepPartial<ReconstructConfig> = {}): ReconstructConfig {
  const base = PRESETS[preset];
  if (!base) throw new Error(`unknown preset '${preset}' (fast, balanced, quality)`);
  return {
    ...base,
    ...stripUndefined(overrides),
    preset,
    poses: { ...base.poses, ...stripUndefined(overrides.poses ?? {}) },
    depth: { ...base.depth, ...stripUndefined(overrides.depth ?? {}) },
    init: { ...base.init, ...stripUndefined(overrides.init ?? {}) },
    train: { ...base.train, ...stripUndefined(overrides.train ?? {}) },
    regularizers: { ...base.regularizers, ...stripUndefined(overrides.regularizers ?? {}), poses: { ...base.regularizers.poses, ...stripUndefined(overrides.regularizers?.poses ?? {}) } },
    exportFormats: (overrides.exportFormats as SceneFormat[] | undefined) ?? base.exportFormats,
  } as ReconstructConfig;
}

export { NO_REGULARIZERS, SPARSE_VIEW_DEFAULTS };

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
