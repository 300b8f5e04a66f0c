/**
 * `npm run bench:train`: train on ../shared/data/lego and ../shared/data/fern (all train
 * views; the file's test split held out) and report held-out PSNR/SSIM, steps, wall time,
 * it/s, GPU bytes per Gaussian and the adapter -> bench/results/train.md.
 *
 * A full 30k-step run at the data's resolution is far beyond a CPU adapter (llvmpipe), so each
 * scene gets a wall-time budget (BENCH_TRAIN_SECONDS, default 540 s) at 1/DOWNSCALE resolution:
 * a 3-step probe measures s/step, the step count is set to fit the budget, and the 30k-step
 * schedules are compressed to it (as `sparrow train --iters`). Env: BENCH_TRAIN_SCENES
 * (default "lego,fern"), BENCH_TRAIN_DOWNSCALE (4), BENCH_TRAIN_INIT (random init count, 5000).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromFlags } from '../electron/headless/commands/train.js';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset } from '../engine/io/dataset/load.js';
import { runTraining, trainViewsOf, type TrainRunReport } from '../engine/train/run.js';
import { Trainer } from '../engine/train/trainer.js';
import { fieldWidths } from '../engine/splat/gpu-scene.js';
import { SsimL1Loss } from '../engine/train/ssim.js';

const budgetS = Number(process.env.BENCH_TRAIN_SECONDS ?? 540);
const downscale = Number(process.env.BENCH_TRAIN_DOWNSCALE ?? 4);
const initCount = Number(process.env.BENCH_TRAIN_INIT ?? 5000);
const scenes = (process.env.BENCH_TRAIN_SCENES ?? 'lego,fern').split(',');
const TARGET: Record<string, number> = { lego: 28, fern: 22 };
// NeRF-synthetic scenes are evaluated on white, as in 3DGS's published figures.
const BACKGROUND: Record<string, [number, number, number]> = { lego: [1, 1, 1], fern: [0, 0, 0] };

/** Allocated GPU bytes per Gaussian while training (buffer sizes; WebGPU has no memory query). */
function bytesPerGaussian(shDegree: number): { state: number; render: number; total: number } {
  const w = fieldWidths(shDegree);
  const params = (w.means + w.logScales + w.quats + w.opacityLogits + w.sh) * 4;
  // params + grads + Adam m + v, densify stats (2 words)
  const state = params * 4 + 8;
  // projected [12], depth keys + ids, tile counts + ends, vSplat2d [10] (engine/splat/render.ts)
  const render = (12 + 2 + 2 + 10) * 4;
  return { state, render, total: state + render };
}

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
console.log(`adapter: ${adapter}`);
const rows: { scene: string; r: TrainRunReport; size: string; views: number; iters: number; probeS: number }[] = [];
for (const scene of scenes) {
  const path = `../shared/data/${scene}`;
  const dataset = await loadDataset(path, { downscale });
  const size = `${dataset.frames[0].camera.width}x${dataset.frames[0].camera.height}`;
  const background = BACKGROUND[scene] ?? [0, 0, 0];
  // Probe: seconds per step at this size and initial count.
  const probe = await Trainer.create(gpu, dataset, { iterations: 3, randomInitCount: initCount, background, densifyFrom: 10 }, { trainViews: trainViewsOf(dataset, true) });
  const t0 = performance.now();
  await probe.train();
  const probeS = (performance.now() - t0) / 3000;
  probe.dispose();
  // Densification grows the count; leave a third of the budget for it and for evaluation.
  const iters = Math.max(10, Math.floor((0.66 * budgetS) / probeS));
  console.log(`${scene}: ${size}, ${probeS.toFixed(2)} s/step at ${initCount} Gaussians -> ${iters} steps`);
  const out = mkdtempSync(join(tmpdir(), `sparrow-bench-train-${scene}-`));
  const config = { ...configFromFlags({ out, iters: String(iters) }), randomInitCount: initCount, background };
  const r = await runTraining(gpu, {
    dataset: path, outDir: out, config, evaluate: true, downscale,
    onEvent: (e) => {
      if (e.type === 'step' && e.stage === 'train' && (e.step % 25 === 0 || e.step === e.total)) console.log(`  step ${e.step}/${e.total} ${JSON.stringify(e.metrics)}`);
      if (e.type === 'log') console.log(`  ${e.message}`);
    },
  });
  console.log(`  held-out PSNR ${r.eval?.psnr.toFixed(2)} dB, SSIM ${r.eval?.ssim.toFixed(4)}, ${r.gaussians} Gaussians, ${(r.wallMs / 1000).toFixed(0)} s`);
  rows.push({ scene, r, size, views: r.trainViews, iters, probeS });
}

const mem = bytesPerGaussian(3);
const ssimBytes = SsimL1Loss.bytesPerPixel;
const lines = [
  '# Training benchmark (`npm run bench:train`)',
  '',
  `- date: ${new Date().toISOString()}`,
  `- adapter: ${adapter}`,
  `- command: \`BENCH_TRAIN_SECONDS=${budgetS} BENCH_TRAIN_DOWNSCALE=${downscale} BENCH_TRAIN_INIT=${initCount} npm run bench:train\``,
  `- per scene: wall-time budget ${budgetS} s at 1/${downscale} resolution; steps chosen from a 3-step probe; 30k-step schedules compressed to the step count; random init (${initCount} points cast through training pixels; transforms.json has no sparse points); SH degree 3; test split from the file.`,
  '',
  '| scene | resolution | train views | steps | wall (train) | it/s | Gaussians | held-out PSNR | held-out SSIM | target |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(({ scene, r, size, views }) => `| ${scene} | ${size} | ${views} | ${r.steps} | ${(r.wallMs / 1000).toFixed(0)} s | ${r.itPerSec.toFixed(3)} | ${r.gaussians} | ${r.eval?.psnr.toFixed(2)} dB | ${r.eval?.ssim.toFixed(4)} | ≥ ${TARGET[scene] ?? '-'} dB |`),
  '',
  `GPU memory per Gaussian while training (allocated buffer sizes, SH degree 3; WebGPU has no memory query): ${mem.state} B of parameters + gradients + Adam moments + densify statistics, ${mem.render} B of per-splat render buffers: ${mem.total} B in all; plus 8 B per tile intersection (x2 for the sort) and ${ssimBytes + 40} B per pixel (loss scratch ${ssimBytes} B, render outputs and cotangents).`,
  '',
  ...rows.map(({ scene, probeS }) => `- ${scene}: probe ${probeS.toFixed(2)} s/step at ${initCount} Gaussians.`),
];
writeFileAtomic('bench/results/train.md', lines.join('\n') + '\n');
console.log(lines.join('\n'));
gpu.device.destroy?.();
process.exit(0);
