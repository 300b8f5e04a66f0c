/**
 * `sparrow reconstruct <photos-dir> --out <dir> [--preset fast|balanced|quality] ...`
 * Photos to scene: poses -> depth -> init -> train -> export, one progress display,
 * Ctrl-C to stop (a re-run resumes after the last finished stage), report.json.
 * Exit codes: 0 done; 2 bad flags; 3 bad input (names the file); 4 no GPU;
 * 5 a stage failed (named; finished stages kept); 130 cancelled.
 */
import type { Command } from 'commander';
import { reconstructConfig, type DeepPartial, type Preset, type ReconstructConfig } from '../../../engine/pipeline/config.js';
import { reconstruct } from '../../../engine/pipeline/reconstruct.js';
import { StageError } from '../../../engine/pipeline/stage-runner.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { int } from '../flags.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

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
    if (!['auto', 'xfeat', 'xfeat+mnn', 'orb'].includes(flags.features)) throw new UserError(`--features must be auto, xfeat, xfeat+mnn or orb, got '${flags.features}'`, ExitCode.usage);
    o.poses = { features: flags.features as 'auto' };
  }
  if (flags.models !== undefined) o.poses = { ...o.poses, modelsDir: flags.models };
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

export function register(program: Command): void {
  program
    .command('reconstruct')
    .description('Reconstruct a scene from a folder of photos (no poses needed): poses, depth, Gaussians, export')
    .argument('<photos-dir>', 'folder with 2+ photos (.jpg/.png)')
    .requiredOption('--out <dir>', 'output folder: scene.ply, cameras/, depth/, report.json')
    .option('--preset <name>', 'fast | balanced | quality (default balanced)')
    .option('--iters <n>', 'training steps (overrides the preset)')
    .option('--max-side <px>', 'longest image side for training (overrides the preset)')
    .option('--features <kind>', 'auto | xfeat | xfeat+mnn | orb (default auto: learned when weights are found)')
    .option('--models <dir>', 'folder with ONNX weights (see models/manifest.json)')
    .option('--formats <list>', 'scene formats to write, comma-separated (ply, compressed-ply, spz, splat, glb)')
    .option('--no-regularizers', 'plain training without the sparse-view regularizers')
    .option('--no-pose-refine', 'keep the estimated cameras fixed during training')
    .option('--restart', 'ignore finished stages of an earlier run in --out')
    .option('--json', 'one JSON line per event on stdout')
    .action(async (photosDir: string, flags: ReconstructFlags & { regularizers?: boolean; poseRefine?: boolean }) => {
      // commander turns --no-x into x: false
      const config = configFromReconstructFlags({ ...flags, noRegularizers: flags.regularizers === false, noPoseRefine: flags.poseRefine === false });
      await runCommandSession(flags, async ({ sink, signal }) => {
        const gpu = await acquireLoggedGpu(sink);
        try {
          const report = await reconstruct({ photosDir, outDir: flags.out, config, gpu, onEvent: sink, signal, resume: !flags.restart });
          sink({ type: 'log', message: `${report.registered}/${report.photos} photos registered (${report.featureBackend}); ${report.gaussians} Gaussians; scene: ${report.outputs.ply}; report: ${flags.out}/report.json` });
        } catch (e) {
          if (e instanceof StageError) throw new UserError(`${e.message} (finished stages are kept in ${flags.out}; re-run to resume)`, ExitCode.stageFailed);
          throw e;
        }
      });
    });
}
