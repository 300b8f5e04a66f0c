/**
 * `sparrow matches <a> <b> --out pair.png [--models dir]`: extract and match features
 * on two photos, verify the matches geometrically, print the counts and write a
 * side-by-side picture with the verified matches drawn (inliers green, rejected red).
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { RgbaImage } from '../../../engine/io/image.js';
import type { FeaturePreference } from '../../../engine/pose/feature-backends.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { createProgressSink } from '../progress.js';

interface MatchesFlags {
  out: string;
  models?: string;
  matcher: string;
  maxKeypoints: string;
  threshold: string;
  outliers?: boolean;
  json?: boolean;
}

const MATCHERS: FeaturePreference[] = ['auto', 'xfeat', 'xfeat+mnn', 'orb'];

async function readImage(file: string): Promise<RgbaImage> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`, ExitCode.badInput, file);
  const { decodeImage, ImageDecodeError } = await import('../../../engine/io/image.js');
  try {
    return await decodeImage(new Uint8Array(readFileSync(file)), file);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw new UserError(e.message, ExitCode.badInput, file);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('matches')
    .description('match features between two photos and draw the verified matches side by side')
    .argument('<a>', 'first photo (PNG or JPEG)')
    .argument('<b>', 'second photo (PNG or JPEG)')
    .requiredOption('--out <file>', 'where to write the picture (PNG)')
    .option('--models <dir>', 'folder with the model weights (see models/README.md)')
    .option('--matcher <name>', `feature backend: ${MATCHERS.join(', ')}`, 'auto')
    .option('--max-keypoints <n>', 'keypoints per image', '2048')
    .option('--threshold <px>', 'epipolar inlier threshold in pixels (Sampson distance)', '1.5')
    .option('--outliers', 'also draw the matches rejected by verification (red)')
    .option('--json', 'progress and the result as JSON lines on stdout')
    .action(async (a: string, b: string, flags: MatchesFlags) => {
      const prefer = flags.matcher as FeaturePreference;
      if (!MATCHERS.includes(prefer)) throw new UserError(`--matcher must be one of ${MATCHERS.join(', ')}, got '${flags.matcher}'`, ExitCode.usage);
      const maxKeypoints = Number(flags.maxKeypoints);
      const threshold = Number(flags.threshold);
      if (!Number.isInteger(maxKeypoints) || maxKeypoints < 8) throw new UserError(`--max-keypoints must be an integer >= 8, got '${flags.maxKeypoints}'`, ExitCode.usage);
      if (!(threshold > 0)) throw new UserError(`--threshold must be a positive number of pixels, got '${flags.threshold}'`, ExitCode.usage);
      if (flags.models && !existsSync(flags.models)) throw new UserError(`${flags.models}: models folder does not exist`, ExitCode.badInput, flags.models);

      const [{ writeFileAtomic }, { encodePng }, { chooseFeatureBackend }, { drawMatches }, { verifyMatches }, { keypointCount }] = await Promise.all([
        import('../../../engine/io/atomic-write.js'),
        import('../../../engine/io/image.js'),
        import('../../../engine/pose/feature-backends.js'),
        import('../../../engine/pose/matching-draw.js'),
        import('../../../engine/pose/matching-verify.js'),
        import('../../../engine/pose/features.js'),
      ]);
      const { sink, stop } = createProgressSink({ json: Boolean(flags.json) });
      try {
        const [imgA, imgB] = [await readImage(a), await readImage(b)];
        const { backend } = await chooseFeatureBackend({ prefer, modelsDir: flags.models, maxKeypoints, onEvent: sink });
        const t0 = performance.now();
        sink({ type: 'stage', stage: 'features', status: 'start', message: backend.name });
        const ka = await backend.extractor.extract(imgA, maxKeypoints);
        const kb = await backend.extractor.extract(imgB, maxKeypoints);
        sink({ type: 'stage', stage: 'features', status: 'done', elapsedMs: performance.now() - t0 });
        const t1 = performance.now();
        sink({ type: 'stage', stage: 'matching', status: 'start' });
        const m = await backend.matcher.match(ka, kb);
        const v = verifyMatches(ka, kb, m, { thresholdPx: threshold });
        sink({ type: 'stage', stage: 'matching', status: 'done', elapsedMs: performance.now() - t1 });

        const picture = drawMatches(imgA, imgB, ka, kb, m, { inlierMask: v.inlierMask, showOutliers: Boolean(flags.outliers) });
        writeFileAtomic(flags.out, encodePng(picture));
        const report = {
          backend: backend.name,
          keypoints: [keypointCount(ka), keypointCount(kb)],
          matches: v.matchCount,
          inliers: v.inlierCount,
          verification: v.model,
          thresholdPx: threshold,
        };
        if (flags.json) sink({ type: 'done', message: 'matches', outputs: { picture: flags.out }, report });
        else {
          process.stdout.write(
            `${basename(a)} <-> ${basename(b)}: ${report.backend}, keypoints ${report.keypoints.join(' / ')}, ` +
              `${report.matches} matches, ${report.inliers} verified (${report.verification}, ${threshold} px)\nwrote ${flags.out}\n`,
          );
        }
        if (v.inlierCount < 8) process.exitCode = ExitCode.stageFailed;
      } finally {
        stop();
      }
    });
}
