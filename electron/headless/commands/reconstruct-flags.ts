/**
 * The flags of `sparrow reconstruct` (and the per-job options of `sparrow batch`) turned into a
 * ReconstructConfig. Apart from reconstruct.ts because the presets (engine/pipeline/config.ts)
 * import the training regularizers and the rasterizer: the commands load this module when they
 * run, not when `sparrow` starts.
 */
import { reconstructConfig, type DeepPartial, type Preset, type ReconstructConfig } from '../../../engine/pipeline/config.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { int } from '../flags.js';

export interface ReconstructFlags {
  out: string;
  preset?: string;
  iters?: string;
  maxSide?: string;
  features?: string;
  models?: string;
  formats?: string;
  noRegularizers?: boolean;
  noPoseRefine?: boolean;
  renderPlacement?: boolean;
  restart?: boolean;
  json?: boolean;
}


export function configFromReconstructFlags(flags: Omit<ReconstructFlags, 'out'>): ReconstructConfig {
  const preset = (flags.preset ?? 'balanced') as Preset;
  if (!['fast', 'balanced', 'quality'].includes(preset)) throw new UserError(`--preset must be fast, balanced or quality, got '${flags.preset}'`, ExitCode.usage);
  const o: DeepPartial<ReconstructConfig> = {};
  const iters = int('--iters', flags.iters, 1, 1_000_000);
  if (iters !== undefined) o.train = { iterations: iters, meansLrMaxSteps: iters };
  const side = int('--max-side', flags.maxSide, 32, 8192);
  if (side !== undefined) o.maxSide = side;
  if (flags.features !== undefined) {
    if (!['auto', 'xfeat', 'xfeat+mnn', 'orb', 'akaze'].includes(flags.features)) throw new UserError(`--features must be auto, xfeat, xfeat+mnn, orb or akaze, got '${flags.features}'`, ExitCode.usage);
    o.poses = { features: flags.features as 'auto' };
  }
  if (flags.models !== undefined) o.poses = { ...o.poses, modelsDir: flags.models };
  if (flags.renderPlacement) o.poses = { ...o.poses, renderPlacement: true };
  if (flags.formats !== undefined) {
    const formats = flags.formats.split(',').map((s) => s.trim());
    const ok = ['ply', 'compressed-ply', 'spz', 'splat', 'glb'];
    for (const f of formats) if (!ok.includes(f)) throw new UserError(`--formats: unknown format '${f}' (${ok.join(', ')})`, ExitCode.usage);
    o.exportFormats = formats as ReconstructConfig['exportFormats'];
  }
  const cfg = reconstructConfig(preset, o);
  if (flags.noRegularizers) {
    const poses = cfg.regularizers.poses;
    cfg.regularizers = { ...cfg.regularizers, depthCorrelationGlobal: 0, depthCorrelationPatch: 0, ordinalDepth: 0, edgeSmoothness: 0, scaleRatio: 0, hugeScale: 0, opacityEntropy: 0, coherence: 0, pseudoViewInterval: 0, poses };
  }
  if (flags.noPoseRefine) cfg.regularizers = { ...cfg.regularizers, poses: { ...cfg.regularizers.poses, rotationLr: 0, translationLr: 0 } };
  return cfg;
}
