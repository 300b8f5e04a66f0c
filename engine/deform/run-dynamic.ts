/**
 * One dynamic training run as the CLI starts it: load a D-NeRF style dataset, train the
 * canonical Gaussians with SC-GS control points (train-dynamic.ts), evaluate the test frames
 * at their times, write the outputs (each atomically) into `outDir`:
 *   canonical.ply  the canonical (rest) Gaussians
 *   motion.json    control points (rest positions, log radii) and their keyframed rotations /
 *                  translations (motion.ts layout); with canonical.ply this reproduces every time
 *   metrics.json   steps, wall time, Gaussians, per-test-frame PSNR / SSIM and their means
 */
import { join } from 'node:path';
import type { Gpu } from '../gpu/acquire.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { loadDataset } from '../io/dataset/load.js';
import { writeSceneFile } from '../io/scene-file.js';
import type { EventSink } from '../pipeline/events.js';
import type { TrainConfig } from '../train/config.js';
import type { DeformOptions } from './dynamic-warp.js';
import { DynamicTrainer, frameTime } from './train-dynamic.js';

export interface DynamicRunOptions {
  dataset: string;
  outDir: string;
  config?: Partial<TrainConfig>;
  deformOptions?: Partial<DeformOptions>;
  /** Train without deformation (the static baseline). */
  staticBaseline?: boolean;
  downscale?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface DynamicRunReport {
  steps: number;
  gaussians: number;
  controlPoints: number;
  trainMs: number;
  psnr: number;
  ssim: number;
  outputs: Record<string, string>;
}

export async function runDynamicTraining(gpu: Gpu, opts: DynamicRunOptions): Promise<DynamicRunReport> {
  const emit = opts.onEvent ?? (() => {});
  emit({ type: 'stage', stage: 'load', status: 'start', message: opts.dataset });
  const dataset = await loadDataset(opts.dataset, { downscale: opts.downscale });
  for (let i = 0; i < dataset.frames.length; i++) frameTime(dataset, i);
  emit({ type: 'stage', stage: 'load', status: 'done', message: `${dataset.split.train.length} train / ${dataset.split.test.length} test frames at ${dataset.frames[0].camera.width}x${dataset.frames[0].camera.height}` });
  const model = await DynamicTrainer.create(gpu, dataset, { config: opts.config, deform: !opts.staticBaseline, deformOptions: opts.deformOptions });
  try {
    emit({ type: 'stage', stage: 'train', status: 'start', message: `${model.trainer.cfg.iterations} steps${model.deformation ? `, control points after ${model.deformation.opts.warmupSteps}` : ', static baseline'}` });
    const trainMs = await model.train({ onEvent: emit, signal: opts.signal });
    emit({ type: 'stage', stage: 'train', status: 'done', elapsedMs: trainMs });
    emit({ type: 'stage', stage: 'eval', status: 'start', message: `${dataset.split.test.length} test frames` });
    const ev = await model.evaluate(dataset.split.test, { onEvent: emit, signal: opts.signal });
    emit({ type: 'stage', stage: 'eval', status: 'done', message: `PSNR ${ev.psnr.toFixed(2)} dB, SSIM ${ev.ssim.toFixed(4)}` });
    const outputs: Record<string, string> = { scene: join(opts.outDir, 'canonical.ply'), metrics: join(opts.outDir, 'metrics.json') };
    await writeSceneFile(outputs.scene, await model.trainer.scene(), 'ply');
    const d = model.deformation;
    if (d?.ctrl && d.motion) {
      outputs.motion = join(opts.outDir, 'motion.json');
      const c = d.controlPointsAt(d.motion.times[0]);
      writeFileAtomic(outputs.motion, JSON.stringify({
        kind: 'sparrow-keyframe-motion',
        neighbours: d.opts.neighbours,
        controlPoints: { count: c.count, positions: Array.from(c.positions), logRadius: Array.from(c.logRadius) },
        keyframes: { interpolation: d.motion.interpolation, times: Array.from(d.motion.times), quats: Array.from(d.motion.quats), trans: Array.from(d.motion.trans) },
      }) + '\n');
    }
    const report: DynamicRunReport = {
      steps: model.trainer.stepCount,
      gaussians: model.trainer.gaussians,
      controlPoints: d?.ctrl?.count ?? 0,
      trainMs,
      psnr: ev.psnr,
      ssim: ev.ssim,
      outputs,
    };
    writeFileAtomic(outputs.metrics, JSON.stringify({ ...report, views: ev.views, config: model.trainer.cfg, deform: d?.opts ?? null }, null, 2) + '\n');
    return report;
  } finally {
    model.dispose();
  }
}
