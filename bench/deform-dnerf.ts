/**
 * D-NeRF figure of the control-point deformation: train on ../shared/data/dnerf_lego with
 * SC-GS control points (engine/deform/train-dynamic.ts) and, with the same trainer, settings
 * and step budget, without deformation (static baseline); PSNR / SSIM on the 20 test frames
 * (each rendered at its own time), wall time of training. Appends a section to
 * bench/results/deform.md.
 *   npx tsx bench/deform-dnerf.ts [--iters 400] [--downscale 4] [--gaussians 5000]
 *     [--ctrl 256] [--keyframes 12] [--warmup 100] [--sh 1] [--only dynamic|static] [--holdout 4] [--no-write]
 * --holdout k: every k-th training frame (by time) is held out too and evaluated beside the
 * official test frames (0: none): held-out times with the training photos' lighting.
 */
import { readFileSync } from 'node:fs';
import { configFromFlags } from '../electron/headless/commands/train.js';
import { trainDynamic, type DynamicTrainReport } from '../engine/deform/train-dynamic.js';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset } from '../engine/io/dataset/load.js';
import { sceneFromPoints } from '../engine/train/init.js';
import { Rng } from '../engine/math/random.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const iters = arg('--iters', '400');
const downscale = Number(arg('--downscale', '4'));
const gaussians = Number(arg('--gaussians', '5000'));
const ctrl = Number(arg('--ctrl', '256'));
const keyframes = Number(arg('--keyframes', '12'));
const warmup = Number(arg('--warmup', '100'));
const sh = arg('--sh', '1');
const only = arg('--only', '');
const holdout = Number(arg('--holdout', '4'));
const command = `npx tsx bench/deform-dnerf.ts ${args.join(' ')}`.trim();
const data = new URL('../../shared/data/dnerf_lego', import.meta.url).pathname;

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
console.log(`adapter: ${adapter}`);
const full = await loadDataset(data, { downscale });
const byTime = [...full.split.train].sort((a, b) => (full.frames[a].time ?? 0) - (full.frames[b].time ?? 0));
// Held-out training frames: interior ones only, so they are interpolated, not extrapolated.
const heldOut = holdout > 0 ? byTime.filter((_, k) => k % holdout === holdout - 1 && k < byTime.length - 1) : [];
const dataset = { ...full, split: { ...full.split, train: full.split.train.filter((i) => !heldOut.includes(i)) } };
const size = `${dataset.frames[0].camera.width}x${dataset.frames[0].camera.height}`;
// The CLI's schedule compression for short runs; white background (D-NeRF's evaluation).
const config = {
  ...configFromFlags({ out: '', iters, shDegree: sh }),
  background: [1, 1, 1] as [number, number, number],
  randomInitCount: gaussians,
  // No opacity reset: the CLI's floor (every 300 steps) would reset 100 steps before the end.
  opacityResetInterval: 0,
  maxGaussians: 2 * gaussians,
};
console.log(`${size}, ${dataset.split.train.length} train / ${dataset.split.test.length} test frames, config ${JSON.stringify(config)}`);

// 3DGS's initialization for Blender scenes without points: uniform in the cube [-1.3, 1.3]^3
// with random colours (the trainer's own random init fills the cameras' bounds, mostly empty
// space around an object-centred capture).
const rand = new Rng(1).next;
const cube = sceneFromPoints(Float32Array.from({ length: gaussians * 3 }, () => (rand() * 2 - 1) * 1.3), Float32Array.from({ length: gaussians * 3 }, rand), Number(sh));

const rows: (DynamicTrainReport & { trainPsnr: number; trainSsim: number; heldPsnr: number; heldSsim: number })[] = [];
for (const deform of [true, false]) {
  if (only && only !== (deform ? 'dynamic' : 'static')) continue;
  let last = 0;
  const r = await trainDynamic(gpu, dataset, {
    config,
    deform,
    deformOptions: { controlPoints: ctrl, keyframes, warmupSteps: warmup },
    initialScene: cube,
    onEvent: (e) => {
      if (e.type === 'step' && e.stage === 'train' && (e.step - last >= 50 || e.step === e.total)) {
        last = e.step;
        console.log(`${deform ? 'dynamic' : 'static'} step ${e.step}/${e.total} loss ${e.metrics?.loss?.toFixed(4)} psnr ${e.metrics?.psnr?.toFixed(2) ?? '-'} gaussians ${e.metrics?.gaussians} rate ${e.rate?.toFixed(2)} it/s`);
      }
    },
  });
  // The same metrics on the training frames: how well each model fits what it saw.
  const fit = await r.model.evaluate(dataset.split.train);
  const held = heldOut.length ? await r.model.evaluate(heldOut) : { psnr: Number.NaN, ssim: Number.NaN, views: [] };
  r.model.dispose();
  const { model: _m, ...base } = r;
  const rep = { ...base, trainPsnr: fit.psnr, trainSsim: fit.ssim, heldPsnr: held.psnr, heldSsim: held.ssim };
  console.log(`held-out training frames: ${held.views.map((v) => `t=${v.time.toFixed(3)} ${v.psnr.toFixed(2)}`).join(', ')}`);
  console.log(JSON.stringify({ ...rep, views: rep.views.map((v) => [v.time.toFixed(3), v.psnr.toFixed(2), v.ssim.toFixed(3)]) }));
  rows.push(rep);
}

const fmt = (r: (typeof rows)[number]) =>
  `| ${r.deform ? `control points (${r.controlPoints}, ${r.keyframes} cubic keyframes, warm-up ${warmup})` : 'static (no deformation)'} | ${r.steps} | ${r.gaussians} | ${(r.trainMs / 1000).toFixed(0)} | ${r.trainPsnr.toFixed(2)} | ${r.trainSsim.toFixed(4)} | ${r.heldPsnr.toFixed(2)} | ${r.heldSsim.toFixed(4)} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(4)} |`;
// Test frames split by whether their time lies inside the training times' range (interpolation) or not.
const times = dataset.split.train.map((i) => dataset.frames[i].time ?? 0);
const [lo, hi] = [Math.min(...times), Math.max(...times)];
const inside = (r: DynamicTrainReport, yes: boolean) => {
  const v = r.views.filter((x) => (x.time >= lo && x.time <= hi) === yes);
  return v.length ? `${(v.reduce((s, x) => s + x.psnr, 0) / v.length).toFixed(2)} (${v.length})` : '-';
};
const out = [
  '',
  `## D-NeRF lego (partial, ${full.split.train.length} train / ${full.split.test.length} test frames) at ${size}: dynamic vs static`,
  '',
  `Adapter: ${adapter}`,
  `Date: ${new Date().toISOString()}`,
  `Command: \`${command}\``,
  `Init: ${gaussians} random Gaussians in [-1.3, 1.3]^3 (3DGS's Blender init; the scene has no sparse points), SH degree ${sh}, white background, schedules of \`sparrow train --iters ${iters}\` without opacity reset.`,
  '',
  `Frames: ${dataset.split.train.length} trained on; ${heldOut.length} training frames held out (every ${holdout}-th by time, interior: times ${heldOut.map((i) => (full.frames[i].time ?? 0).toFixed(3)).join(', ')}); the ${full.split.test.length} official test frames.`,
  '',
  '| model | steps | Gaussians | train s | trained-frame PSNR dB | SSIM | held-out training-frame PSNR dB | SSIM | test PSNR dB | test SSIM |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(fmt),
  '',
  `Test PSNR split by time: inside the training times [${lo.toFixed(3)}, ${hi.toFixed(3)}] vs outside (extrapolated: the partial scene has no training frame there):`,
  '',
  '| model | PSNR inside (frames) | PSNR outside (frames) |',
  '|---|---:|---:|',
  ...rows.map((r) => `| ${r.deform ? 'control points' : 'static'} | ${inside(r, true)} | ${inside(r, false)} |`),
  '',
];
const results = new URL('./results/deform.md', import.meta.url).pathname;
if (!args.includes('--no-write')) writeFileAtomic(results, readFileSync(results, 'utf8') + out.join('\n'));
console.log(out.join('\n'));
