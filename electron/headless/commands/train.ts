/**
 * `sparrow train <dataset> --out <dir> [--iters N] [--max-gaussians N] [--eval] [--eval-images]
 *  [--resume] [--seed N] [--sh-degree N] [--background r,g,b] [--downscale N] [--json]`
 *
 * Trains Gaussians on posed photos (COLMAP model folder or transforms.json); writes
 * <out>/scene.ply, <out>/checkpoint.ckpt, <out>/metrics.json (engine/train/run.ts).
 * Exit codes (electron/headless/exit-codes.ts): 0 done; 2 bad flags; 3 bad dataset or
 * checkpoint (the message names the file); 4 no GPU; 130 Ctrl-C (a checkpoint was written;
 * rerun with --resume to continue); 1 internal error.
 */
import type { Command } from 'commander';
import type { TrainConfig } from '../../../engine/train/config.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { int } from '../flags.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

interface TrainFlags {
  out: string;
  iters?: string;
  maxGaussians?: string;
  eval?: boolean;
  evalImages?: boolean;
  resume?: boolean;
  seed?: string;
  shDegree?: string;
  background?: string;
  downscale?: string;
  json?: boolean;
}


/** The config overrides the flags ask for (undefined flags keep the defaults). */
export function configFromFlags(flags: TrainFlags): Partial<TrainConfig> {
  const c: Partial<TrainConfig> = {};
  const iters = int('--iters', flags.iters, 0);
  if (iters !== undefined) c.iterations = iters;
  const maxG = int('--max-gaussians', flags.maxGaussians, 1);
  if (maxG !== undefined) c.maxGaussians = maxG;
  const seed = int('--seed', flags.seed, 0, 2 ** 31 - 1);
  if (seed !== undefined) c.seed = seed;
  const deg = int('--sh-degree', flags.shDegree, 0, 3);
  if (deg !== undefined) c.shDegree = deg;
  if (flags.background !== undefined) {
    const v = flags.background.split(',').map(Number);
    if (v.length !== 3 || !v.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)) throw new UserError(`--background must be r,g,b in [0, 1], got '${flags.background}'`, ExitCode.usage);
    c.background = v as [number, number, number];
  }
  // Schedules are defined for 30k steps; a shorter run compresses them proportionally, with
  // floors: densifying every step, or resetting opacities every few steps, only destroys a scene.
  if (c.iterations !== undefined && c.iterations < 30_000) {
    const f = c.iterations / 30_000;
    Object.assign(c, {
      meansLrMaxSteps: c.iterations,
      densifyFrom: Math.max(10, Math.round(500 * f)),
      densifyUntil: Math.round(15_000 * f),
      densifyInterval: Math.max(10, Math.round(100 * f)),
      opacityResetInterval: Math.max(300, Math.round(3000 * f)),
      shDegreeInterval: Math.max(1, Math.round(1000 * f)),
    });
  }
  return c;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Optimize Gaussians on posed photos (COLMAP model or transforms.json)')
    .argument('<dataset>', 'dataset folder (COLMAP sparse/0 + images/, or transforms.json) or a transforms.json file')
    .requiredOption('--out <dir>', 'output folder: scene.ply, checkpoint.ckpt, metrics.json')
    .option('--iters <n>', 'optimization steps (default 30000; shorter runs compress the schedules)')
    .option('--max-gaussians <n>', 'hard cap on the Gaussian count (default: what one GPU buffer holds)')
    .option('--eval', 'hold out the test split and report PSNR/SSIM on it')
    .option('--eval-images', 'with --eval, write render | ground-truth PNGs to <out>/eval')
    .option('--resume', 'continue from <out>/checkpoint.ckpt')
    .option('--seed <n>', 'random seed (default 0)')
    .option('--sh-degree <n>', 'highest SH degree 0-3 (default 3)')
    .option('--background <r,g,b>', 'background colour in [0, 1] (default 0,0,0); transparent pixels are composited on it')
    .option('--downscale <n>', 'integer factor to downscale photos by (default 1)')
    .option('--json', 'one JSON line per event on stdout')
    .action(async (dataset: string, flags: TrainFlags) => {
      const config = configFromFlags(flags);
      const downscale = int('--downscale', flags.downscale, 1, 64) ?? 1;
      const { runTraining } = await import('../../../engine/train/run.js');
      // Ctrl-C: stop after the current step, write a checkpoint, exit 130.
      await runCommandSession(flags, async ({ sink, signal }) => {
        const gpu = await acquireLoggedGpu(sink);
        const report = await runTraining(gpu, { dataset, outDir: flags.out, config, evaluate: Boolean(flags.eval), evalImages: Boolean(flags.evalImages), resume: Boolean(flags.resume), downscale, onEvent: sink, signal });
        const evalText = report.eval ? `; held-out PSNR ${report.eval.psnr.toFixed(2)} dB, SSIM ${report.eval.ssim.toFixed(4)}` : '';
        sink({ type: 'done', message: `${report.steps} steps, ${report.gaussians} Gaussians, ${report.itPerSec.toFixed(2)} it/s${evalText}; wrote ${report.outputs.scene}`, outputs: report.outputs, report });
      });
    });
}
