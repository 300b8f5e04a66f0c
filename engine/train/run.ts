/**
 * One training run as the CLI and the app start it: load the dataset, create (or resume)
 * the trainer, train with progress events and cancellation, then write the scene (INRIA
 * PLY), a checkpoint, and the evaluation on held-out views. Outputs in `outDir`:
 *   scene.ply        trained Gaussians
 *   checkpoint.ckpt  parameters + Adam state + step + config (also written on cancel)
 *   metrics.json     training summary and, with `evaluate`, per-view PSNR/SSIM
 *   eval/*.png       render | ground truth per test view (with `evalImages`)
 * Every file is written atomically.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/acquire.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { loadDataset } from '../io/dataset/load.js';
import type { Dataset } from '../io/dataset/types.js';
import { writeSceneFile } from '../io/scene-file.js';
import type { EventSink } from '../pipeline/events.js';
import { readCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { evaluate, type EvalReport } from './evaluate.js';
import { Trainer, type TrainerMeta } from './trainer.js';

export interface TrainRunOptions {
  dataset: string;
  outDir: string;
  config?: Partial<TrainConfig>;
  /** Hold out the test split and report PSNR/SSIM on it. */
  evaluate?: boolean;
  /** Also write render | ground-truth PNGs of the test views. */
  evalImages?: boolean;
  /** Continue from outDir/checkpoint.ckpt. */
  resume?: boolean;
  downscale?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface TrainRunReport {
  dataset: string;
  steps: number;
  gaussians: number;
  trainViews: number;
  wallMs: number;
  /** Steps per second of this run (resumed steps excluded). */
  itPerSec: number;
  finalLoss: number;
  eval?: EvalReport;
  outputs: Record<string, string>;
}

export const CHECKPOINT_FILE = 'checkpoint.ckpt';

/** Which views train: the test split is held out when evaluating or when the file defines a split. */
export function trainViewsOf(dataset: Dataset, evaluating: boolean): number[] {
  if (evaluating || dataset.split.source === 'file') return dataset.split.train;
  return dataset.frames.map((_, i) => i);
}

export async function runTraining(gpu: Gpu, opts: TrainRunOptions): Promise<TrainRunReport> {
  const emit = opts.onEvent ?? (() => {});
  let t0 = performance.now();
  emit({ type: 'stage', stage: 'load', status: 'start', message: opts.dataset });
  const dataset = await loadDataset(opts.dataset, { downscale: opts.downscale });
  const views = trainViewsOf(dataset, Boolean(opts.evaluate));
  if (opts.evaluate && dataset.split.test.length === 0) emit({ type: 'warning', stage: 'load', message: `nothing to evaluate: ${dataset.root} holds out no views (its test_filenames list is empty); training on all ${views.length}` });
  const size = `${dataset.frames[0].camera.width}x${dataset.frames[0].camera.height}`;
  emit({ type: 'stage', stage: 'load', status: 'done', elapsedMs: performance.now() - t0, message: `${dataset.frames.length} views (${views.length} train, ${dataset.split.test.length} test) at ${size}, extent ${dataset.extent.toFixed(3)}${dataset.points ? `, ${dataset.points.count} sparse points` : ''}` });

  const ckptPath = join(opts.outDir, CHECKPOINT_FILE);
  t0 = performance.now();
  emit({ type: 'stage', stage: 'init', status: 'start' });
  let trainer: Trainer;
  if (opts.resume) {
    if (!existsSync(ckptPath)) throw Object.assign(new Error(`${ckptPath}: no checkpoint to resume from`), { name: 'FormatError' });
    const ckpt = readCheckpoint<TrainerMeta>(ckptPath);
    // Only the step budget may change on resume; everything else is the checkpoint's.
    const overrides = opts.config?.iterations !== undefined ? { iterations: opts.config.iterations } : {};
    trainer = Trainer.resume(gpu, dataset, ckpt, ckptPath, {}, overrides);
  } else {
    trainer = await Trainer.create(gpu, dataset, opts.config ?? {}, { trainViews: views });
  }
  emit({ type: 'stage', stage: 'init', status: 'done', elapsedMs: performance.now() - t0, message: `${trainer.gaussians} Gaussians${opts.resume ? ` (resumed at step ${trainer.stepCount})` : ''}, cap ${trainer.maxGaussians}` });
  try {
    t0 = performance.now();
    const startStep = trainer.stepCount;
    let finalLoss = Number.NaN;
    emit({ type: 'stage', stage: 'train', status: 'start', message: `${trainer.cfg.iterations - startStep} steps` });
    await trainer.train({
      signal: opts.signal,
      checkpointPath: ckptPath,
      onEvent: (e) => {
        if (e.type === 'step') finalLoss = e.metrics?.loss ?? finalLoss;
        emit(e);
      },
    });
    const wallMs = performance.now() - t0;
    emit({ type: 'stage', stage: 'train', status: 'done', elapsedMs: wallMs });

    t0 = performance.now();
    emit({ type: 'stage', stage: 'export', status: 'start' });
    const outputs: Record<string, string> = { scene: join(opts.outDir, 'scene.ply'), checkpoint: ckptPath, metrics: join(opts.outDir, 'metrics.json') };
    await writeSceneFile(outputs.scene, await trainer.scene(), 'ply');
    await trainer.saveCheckpoint(ckptPath);
    emit({ type: 'stage', stage: 'export', status: 'done', elapsedMs: performance.now() - t0, message: outputs.scene });

    let evalReport: EvalReport | undefined;
    if (opts.evaluate && dataset.split.test.length > 0) {
      t0 = performance.now();
      emit({ type: 'stage', stage: 'eval', status: 'start', message: `${dataset.split.test.length} held-out views` });
      const imagesDir = opts.evalImages ? join(opts.outDir, 'eval') : undefined;
      evalReport = await evaluate(trainer, dataset.split.test, { imagesDir, onEvent: emit, signal: opts.signal });
      if (imagesDir) outputs.evalImages = imagesDir;
      emit({ type: 'stage', stage: 'eval', status: 'done', elapsedMs: performance.now() - t0, message: `PSNR ${evalReport.psnr.toFixed(2)} dB, SSIM ${evalReport.ssim.toFixed(4)}` });
    }
    const steps = trainer.stepCount - startStep;
    const report: TrainRunReport = {
      dataset: dataset.root,
      steps: trainer.stepCount,
      gaussians: trainer.gaussians,
      trainViews: views.length,
      wallMs,
      itPerSec: steps > 0 ? (steps * 1000) / wallMs : 0,
      finalLoss,
      eval: evalReport,
      outputs,
    };
    writeFileAtomic(outputs.metrics, JSON.stringify({ ...report, config: trainer.cfg }, null, 2) + '\n');
    return report;
  } finally {
    trainer.dispose();
  }
}
