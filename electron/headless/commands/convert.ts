/**
 * `sparrow convert <in> <out> [--format F] [--sh-degree N] [--spz-version V]`: convert a
 * Gaussian-splat scene between formats (engine/io/scene-file.ts) and report the sizes.
 * The output format comes from --format or the output extension; the input format
 * from the file's content (magic bytes), falling back to its extension.
 */
import type { Command } from 'commander';
import type { SceneFormat } from '../../../engine/io/scene-codec.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { runCommandSession } from '../session.js';
import { SCENE_FORMATS } from '../../../engine/io/scene-format-names.js';

interface ConvertFlags {
  format?: string;
  shDegree?: string;
  spzVersion?: string;
  json?: boolean;
}

export interface ConvertReport {
  input: { path: string; format: SceneFormat; bytes: number; splats: number; shDegree: number };
  output: { path: string; format: SceneFormat; bytes: number; shDegree: number };
  /** input bytes / output bytes */
  ratio: number;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('Convert a splat scene between formats and report the sizes')
    .argument('<in>', 'input scene (.ply, .compressed.ply, .spz, .splat, .glb, .sog, SOG meta.json)')
    .argument('<out>', 'output scene; the format comes from the extension unless --format is given')
    .option('--format <format>', `output format: ${SCENE_FORMATS.join('|')}`)
    .option('--sh-degree <n>', 'SH degree to keep (0-3; default: the input\'s, capped by the format)')
    .option('--spz-version <v>', 'SPZ version to write: 2, 3 (gzip; read by current web viewers) or 4 (zstd streams)', '3')
    .option('--json', 'progress and the size report as JSON lines on stdout')
    .action(async (input: string, output: string, flags: ConvertFlags) => {
      const { MAX_SH_DEGREE, formatFromExtension, readSceneFileDetailed, writeSceneFile } = await import('../../../engine/io/scene-file.js');
      let format: SceneFormat | undefined;
      if (flags.format !== undefined) {
        if (!SCENE_FORMATS.includes(flags.format as SceneFormat)) throw new UserError(`--format must be one of ${SCENE_FORMATS.join(', ')}, got '${flags.format}'`, ExitCode.usage);
        format = flags.format as SceneFormat;
      } else {
        format = formatFromExtension(output);
        if (!format) throw new UserError(`cannot tell the output format from '${output}'; use --format ${SCENE_FORMATS.join('|')}`, ExitCode.usage);
      }
      let shDegree: number | undefined;
      if (flags.shDegree !== undefined) {
        shDegree = Number(flags.shDegree);
        if (!Number.isInteger(shDegree) || shDegree < 0 || shDegree > 3) throw new UserError(`--sh-degree must be 0, 1, 2 or 3, got '${flags.shDegree}'`, ExitCode.usage);
      }
      const spzVersion = Number(flags.spzVersion ?? 3);
      if (![2, 3, 4].includes(spzVersion)) throw new UserError(`--spz-version must be 2, 3 or 4, got '${flags.spzVersion}'`, ExitCode.usage);

      // Ctrl-C cancels between phases; the atomic write leaves no partial output.
      await runCommandSession(flags, async ({ sink, signal }) => {
        let t0 = performance.now();
        sink({ type: 'stage', stage: 'load', status: 'start', message: input });
        const { scene, format: inFormat, bytes: inBytes } = await readSceneFileDetailed(input);
        sink({ type: 'stage', stage: 'load', status: 'done', elapsedMs: performance.now() - t0, message: `${scene.count} splats, SH degree ${scene.shDegree}` });
        const wanted = shDegree ?? scene.shDegree;
        const outDegree = Math.min(wanted, MAX_SH_DEGREE[format]);
        if (outDegree < wanted) sink({ type: 'warning', stage: 'export', message: `${format} holds SH degree ${MAX_SH_DEGREE[format]} at most; writing degree ${outDegree}` });
        t0 = performance.now();
        sink({ type: 'stage', stage: 'export', status: 'start', message: `${output} (${format})` });
        const outBytes = await writeSceneFile(output, scene, format, { shDegree: outDegree, spzVersion: spzVersion as 2 | 3 | 4, signal });
        sink({ type: 'stage', stage: 'export', status: 'done', elapsedMs: performance.now() - t0 });
        const report: ConvertReport = {
          input: { path: input, format: inFormat, bytes: inBytes, splats: scene.count, shDegree: scene.shDegree },
          output: { path: output, format, bytes: outBytes, shDegree: outDegree },
          ratio: outBytes > 0 ? inBytes / outBytes : 0,
        };
        const message =
          `${input} (${inFormat}, ${scene.count} splats, SH ${scene.shDegree}): ${formatBytes(inBytes)} -> ` +
          `${output} (${format}${format === 'spz' ? ` v${spzVersion}` : ''}, SH ${outDegree}): ${formatBytes(outBytes)} ` +
          `(${report.ratio >= 1 ? `${report.ratio.toFixed(2)}x smaller` : `${(1 / report.ratio).toFixed(2)}x larger`})`;
        sink({ type: 'done', message, outputs: { scene: output }, report });
      });
    });
}
