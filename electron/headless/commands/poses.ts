/**
 * `sparrow poses <photos-dir> --out <dir> [--features orb|xfeat|auto] [--models <dir>] [--render-placement] [--json]`:
 * estimate camera poses and a sparse point cloud from unposed photos and write
 * them as a COLMAP text model (sparse/0), a nerfstudio transforms.json and a
 * per-view report (poses.json). Exit code 5 (stage failed) when some photos could
 * not be registered; what was registered is still written.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { PhotoInput } from '../../../engine/pose/estimate-poses.js';
import type { FeaturePreference } from '../../../engine/pose/feature-backends.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

interface PosesFlags {
  out: string;
  features: string;
  models?: string;
  maxKeypoints?: string;
  renderPlacement?: boolean;
  json?: boolean;
}

const FEATURES = ['auto', 'xfeat', 'orb', 'akaze'] as const;
const PHOTO_EXT = new Set(['.png', '.jpg', '.jpeg']);

/** Photos of a folder in name order (PNG/JPEG by extension). */
export function listPhotos(dir: string): string[] {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such folder`, ExitCode.badInput, dir);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: not a folder (give the folder that holds the photos)`, ExitCode.badInput, dir);
  return readdirSync(dir)
    .filter((f) => PHOTO_EXT.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
}

export function register(program: Command): void {
  program
    .command('poses')
    .description('estimate camera poses and sparse points from unposed photos (COLMAP text model + transforms.json)')
    .argument('<photos-dir>', 'folder with the photos (PNG or JPEG)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--features <kind>', `feature backend: ${FEATURES.join(', ')} (orb/akaze = classical)`, 'auto')
    .option('--models <dir>', 'folder with the learned feature weights (see models/README.md)')
    .option('--max-keypoints <n>', 'keypoints per photo (default 2048: the pipeline config\'s, as in `sparrow reconstruct`)')
    .option('--render-placement', 'experimental: try to place masked photos left out by rendering Gaussians trained on the registered ones (uses the GPU; can place views wrongly, see bench/results/poses.md)')
    .option('--json', 'progress and the report as JSON lines on stdout')
    .action(async (dir: string, flags: PosesFlags) => {
      if (!(FEATURES as readonly string[]).includes(flags.features)) throw new UserError(`--features must be one of ${FEATURES.join(', ')}, got '${flags.features}'`, ExitCode.usage);
      // The default is the pipeline config's, read here so that `sparrow` starts without the engine.
      const maxKeypoints = Number(flags.maxKeypoints ?? (await import('../../../engine/pipeline/config.js')).reconstructConfig().poses.maxKeypoints);
      if (!Number.isInteger(maxKeypoints) || maxKeypoints < 64) throw new UserError(`--max-keypoints must be an integer >= 64, got '${flags.maxKeypoints}'`, ExitCode.usage);
      if (flags.models && !existsSync(flags.models)) throw new UserError(`${flags.models}: models folder does not exist`, ExitCode.badInput, flags.models);
      const files = listPhotos(dir);
      if (files.length < 2) throw new UserError(`${dir}: need at least 2 photos (PNG/JPEG), found ${files.length}`, ExitCode.badInput, dir);
      const photos: PhotoInput[] = files.map((f) => ({ name: f.slice(dir.length).replace(/^[\\/]+/, ''), bytes: new Uint8Array(readFileSync(f)) }));
      // The engine loads only when the command runs, so `sparrow --help` and the other commands start fast.
      const [{ ImageDecodeError }, { estimatePoses, PoseInputError }, { writePoseOutputs, poseReport }, { chooseFeatureBackend }, { createOrbBackend }] = await Promise.all([
        import('../../../engine/io/image.js'),
        import('../../../engine/pose/estimate-poses.js'),
        import('../../../engine/pose/export.js'),
        import('../../../engine/pose/feature-backends.js'),
        import('../../../engine/pose/orb.js'),
      ]);

      await runCommandSession(flags, async ({ sink, signal }) => {
        const classical = () => createOrbBackend({ detector: flags.features === 'orb' ? 'orb' : 'akaze', maxKeypoints });
        const prefer = flags.features as FeaturePreference;
        const { backend } = await chooseFeatureBackend({ prefer, modelsDir: flags.models, maxKeypoints, onEvent: sink, classical });
        let est;
        try {
          est = await estimatePoses(photos, { backend, maxKeypoints, onEvent: sink, signal });
        } catch (e) {
          if (e instanceof PoseInputError) throw new UserError(e.message, ExitCode.badInput, e.file ?? dir);
          if (e instanceof ImageDecodeError) throw new UserError(e.message, ExitCode.badInput, e.file);
          throw e;
        }
        // Asked for: views left out of a masked capture are tried by rendering (GPU, acquired only then).
        if (flags.renderPlacement && est.views.some((v) => !v.registered)) {
          const { renderFallback } = await import('../../../engine/pose/render-fallback.js');
          const gpu = await acquireLoggedGpu(sink, 'poses', ' (placement by rendering)');
          await renderFallback({ gpu, est, photoBytes: photos.map((p) => p.bytes), onEvent: sink, signal });
        }
        const outputs = writePoseOutputs(est, resolve(flags.out), files.map((f) => resolve(f)));
        const report = poseReport(est);
        const registered = est.views.filter((v) => v.registered).length;
        const message = `${registered}/${est.views.length} photos registered (${est.backend}), ${est.points.length / 3} points; wrote ${flags.out}`;
        if (flags.json) sink({ type: 'done', stage: 'poses', message, outputs, report });
        else {
          process.stdout.write(`${message}\n`);
          for (const v of est.views) {
            process.stdout.write(
              v.registered ? `  ${registeredLine(v)}\n` : `  ${v.name}: NOT registered — ${v.reason}\n`,
            );
          }
        }
        if (registered < est.views.length) process.exitCode = ExitCode.stageFailed;
      });
    });
}

/**
 * One registered view for the terminal. Views placed by their silhouettes have no inliers and
 * may see no model point: those figures are left out rather than printed as 0 and NaN.
 */
export function registeredLine(v: { name: string; method?: string; registrationInliers: number; observations: number; rmsErrorPx: number }): string {
  const parts = [v.method ?? 'registered'];
  if (v.registrationInliers > 0) parts.push(`${v.registrationInliers} inliers`);
  parts.push(v.observations > 0 ? `${v.observations} points seen, reprojection ${v.rmsErrorPx.toFixed(2)} px` : 'sees no model point');
  return `${v.name}: ${parts.join(', ')}`;
}
