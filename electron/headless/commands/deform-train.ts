/**
 * `sparrow deform-train <dataset> --out <dir> [--iters N] [--control-points N] [--keyframes N]
 *  [--warmup N] [--static] [--sh-degree N] [--background r,g,b] [--downscale N] [--json]`
 *
 * Trains a dynamic scene (D-NeRF style transforms.json with a per-frame `time`) as canonical
 * Gaussians moved by SC-GS control points with keyframed motion (engine/deform/run-dynamic.ts);
 * evaluates the test frames at their times. Writes <out>/canonical.ply, <out>/motion.json,
 * <out>/metrics.json. Exit codes: 0 done; 2 bad flags; 3 bad dataset (e.g. a frame without
 * `time`; the message names the file); 4 no GPU; 130 Ctrl-C; 1 internal error.
 */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../exit-codes.js';
import { int } from '../flags.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';
import { configFromFlags } from './train.js';

interface DeformTrainFlags {
  out: string;
  iters?: string;
  controlPoints?: string;
  keyframes?: string;
  warmup?: string;
  static?: boolean;
  shDegree?: string;
  background?: string;
  downscale?: string;
  json?: boolean;
}


export function register(program: Command): void {
  program
    .command('deform-train')
    .description('Train a dynamic scene (frames with a time) with SC-GS control points; PSNR/SSIM on its test frames')
    .argument('<dataset>', 'D-NeRF style dataset folder or transforms.json (every frame has a "time")')
    .requiredOption('--out <dir>', 'output folder: canonical.ply, motion.json, metrics.json')
    .option('--iters <n>', 'optimization steps (default 30000; shorter runs compress the schedules as `sparrow train`)')
    .option('--control-points <n>', 'control points, by farthest-point sampling after the warm-up (default 256)')
    .option('--keyframes <n>', 'motion keyframes over the training times (default 12)')
    .option('--warmup <n>', 'static steps before the control points are placed (default 100)')
    .option('--static', 'train without deformation (the static baseline)')
    .option('--sh-degree <n>', 'highest SH degree 0-3 (default 3)')
    .option('--background <r,g,b>', 'background colour in [0, 1] (default 0,0,0)')
    .option('--downscale <n>', 'integer factor to downscale photos by (default 1)')
    .option('--json', 'one JSON line per event on stdout')
    .action(async (dataset: string, flags: DeformTrainFlags) => {
      const config = configFromFlags({ out: flags.out, iters: flags.iters, shDegree: flags.shDegree, background: flags.background });
      const deformOptions = {
        ...(flags.controlPoints !== undefined ? { controlPoints: int('--control-points', flags.controlPoints, 4, 100_000) } : {}),
        ...(flags.keyframes !== undefined ? { keyframes: int('--keyframes', flags.keyframes, 1, 10_000) } : {}),
        ...(flags.warmup !== undefined ? { warmupSteps: int('--warmup', flags.warmup, 0) } : {}),
      };
      const downscale = int('--downscale', flags.downscale, 1, 64) ?? 1;
      const { runDynamicTraining } = await import('../../../engine/deform/run-dynamic.js');
      await runCommandSession(flags, async ({ sink, signal }) => {
        const gpu = await acquireLoggedGpu(sink);
        const report = await runDynamicTraining(gpu, { dataset, outDir: flags.out, config, deformOptions, staticBaseline: Boolean(flags.static), downscale, onEvent: sink, signal });
        sink({ type: 'done', message: `${report.steps} steps, ${report.gaussians} Gaussians, ${report.controlPoints} control points, ${(report.trainMs / 1000).toFixed(1)} s; test PSNR ${report.psnr.toFixed(2)} dB, SSIM ${report.ssim.toFixed(4)}; wrote ${report.outputs.scene}`, outputs: report.outputs, report });
      });
    });
}
