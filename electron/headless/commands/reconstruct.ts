/**
 * `sparrow reconstruct <photos-dir> --out <dir> [--preset fast|balanced|quality] ...`
 * Photos to scene: poses -> depth -> init -> train -> export, one progress display,
 * Ctrl-C to stop (a re-run resumes after the last finished stage), report.json.
 * Exit codes: 0 done; 2 bad flags; 3 bad input (names the file); 4 no GPU;
 * 5 a stage failed (named; finished stages kept); 130 cancelled.
 */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../exit-codes.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';
import type { ReconstructFlags } from './reconstruct-flags.js';

export function register(program: Command): void {
  program
    .command('reconstruct')
    .description('Reconstruct a scene from a folder of photos (no poses needed): poses, depth, Gaussians, export')
    .argument('<photos-dir>', 'folder with 2+ photos (.jpg/.png)')
    .requiredOption('--out <dir>', 'output folder: scene.ply, cameras/, depth/, report.json')
    .option('--preset <name>', 'fast | balanced | quality (default balanced)')
    .option('--iters <n>', 'training steps (overrides the preset)')
    .option('--max-side <px>', 'longest image side for training (overrides the preset)')
    .option('--features <kind>', 'auto | xfeat | xfeat+mnn | orb | akaze (default auto: learned when weights are found, else AKAZE)')
    .option('--models <dir>', 'folder with ONNX weights (see models/manifest.json)')
    .option('--formats <list>', 'scene formats to write, comma-separated (ply, compressed-ply, spz, splat, glb)')
    .option('--no-regularizers', 'plain training without the sparse-view regularizers')
    .option('--no-pose-refine', 'keep the estimated cameras fixed during training')
    .option('--render-placement', 'experimental: place masked photos the matches leave out by rendering Gaussians trained on the registered ones (can place views wrongly; see bench/results/poses.md)')
    .option('--restart', 'ignore finished stages of an earlier run in --out')
    .option('--json', 'one JSON line per event on stdout')
    .action(async (photosDir: string, flags: ReconstructFlags & { regularizers?: boolean; poseRefine?: boolean }) => {
      const { configFromReconstructFlags } = await import('./reconstruct-flags.js');
      // commander turns --no-x into x: false
      const config = configFromReconstructFlags({ ...flags, noRegularizers: flags.regularizers === false, noPoseRefine: flags.poseRefine === false });
      const [{ reconstruct }, { StageError }] = await Promise.all([import('../../../engine/pipeline/reconstruct.js'), import('../../../engine/pipeline/stage-runner.js')]);
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
