/**
 * `sparrow batch <jobs.json | dir-of-photo-sets> --out <dir> [--preset ...]`
 * Many reconstructions in one process: a per-job folder and log, one failing job
 * never stops the others, a re-run resumes a half-done batch, a summary table at the end.
 * Exit code 5 when any job failed.
 */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../exit-codes.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

export function register(program: Command): void {
  program
    .command('batch')
    .description('Run many reconstructions: a jobs.json ([{name, input, options}]) or a folder whose sub-folders are photo sets')
    .argument('<jobs>', 'jobs.json or a folder of photo-set folders')
    .requiredOption('--out <dir>', 'output folder (one sub-folder per job, batch-summary.json)')
    .option('--preset <name>', 'fast | balanced | quality (default balanced; a job may override it)')
    .option('--iters <n>', 'training steps for every job')
    .option('--restart', 'redo jobs that finished in an earlier run')
    .option('--json', 'one JSON line per event on stdout')
    .action(async (jobsPath: string, flags: { out: string; preset?: string; iters?: string; restart?: boolean; json?: boolean }) => {
      const [{ formatBatchSummary, loadBatchJobs, runBatch }, { reconstruct }, { configFromReconstructFlags }] = await Promise.all([
        import('../../../engine/pipeline/batch.js'),
        import('../../../engine/pipeline/reconstruct.js'),
        import('./reconstruct-flags.js'),
      ]);
      let jobs;
      try {
        jobs = loadBatchJobs(jobsPath);
      } catch (e) {
        throw new UserError((e as Error).message, ExitCode.badInput);
      }
      await runCommandSession(flags, async ({ sink, signal, stopProgress }) => {
        const gpu = await acquireLoggedGpu(sink, undefined, `; ${jobs.length} jobs`);
        const results = await runBatch(
          jobs,
          flags.out,
          async (job, ctx) => {
            const o = (job.options ?? {}) as { preset?: string; iters?: string | number };
            const config = configFromReconstructFlags({ preset: o.preset ?? flags.preset, iters: o.iters !== undefined ? String(o.iters) : flags.iters });
            const report = await reconstruct({ photosDir: job.input, outDir: ctx.outDir, config, gpu, onEvent: ctx.onEvent, signal: ctx.signal });
            return { registered: report.registered, photos: report.photos, gaussians: report.gaussians, ...(report.train?.trainPsnr ? { trainPsnr: report.train.trainPsnr } : {}) };
          },
          { onEvent: sink, signal, resume: !flags.restart },
        );
        stopProgress();
        process.stdout.write(formatBatchSummary(results) + '\n');
        if (results.some((r) => r.status === 'failed')) process.exitCode = ExitCode.stageFailed;
      });
    });
}
