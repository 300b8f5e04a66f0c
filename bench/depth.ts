/**
 * bench:depth — multi-view stereo depth and depth initialization on the shared scenes.
 *
 *   fern, 3-view sparse split: completeness (fraction of confident pixels), cross-view
 *     consistency, time per view, at two working sizes.
 *   lego, 8 sparse train views (alpha as mask): completeness inside the object mask and
 *     cross-view reprojection consistency (the test views ship no depth).
 *   fern 3-view training comparison (optional, BENCH_TRAIN_STEPS > 0): held-out PSNR after a
 *     fixed number of steps from depth init vs random init (the shared fern has no SfM points).
 *
 * Writes bench/results/depth.md. Usage: npx tsx bench/depth.ts   (env: BENCH_FERN_SIDES=384,192
 * BENCH_LEGO_SIDE=256 BENCH_TRAIN_STEPS=0 BENCH_TRAIN_DOWNSCALE=4)
 */
import { join } from 'node:path';
import { acquireGpu, describeAdapter, type Gpu } from '../engine/gpu/acquire.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset } from '../engine/io/dataset/load.js';
import type { Dataset } from '../engine/io/dataset/types.js';
import { runDepthStage, type DepthStageResult } from '../engine/depth/stage.js';
import type { DepthMap, DepthView } from '../engine/depth/types.js';
import { relativePose } from '../engine/depth/geometry.js';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');

interface Consistency {
  pairs: number;
  /** Median |z_i->j - z_j| / z_j over confident pixels of i landing on confident pixels of j. */
  medianRel: number;
  within1: number;
  within5: number;
  samples: number;
}

/** Reproject every confident pixel of each view into every other view and compare depths. */
export function crossViewConsistency(views: DepthView[], maps: DepthMap[]): Consistency {
  const rel: number[] = [];
  let pairs = 0;
  for (let i = 0; i < views.length; i++) {
    for (let j = 0; j < views.length; j++) {
      if (i === j) continue;
      const a = views[i].camera, b = views[j].camera;
      const { R, t } = relativePose(a, b);
      let hits = 0;
      for (let y = 0; y < a.height; y += 2) for (let x = 0; x < a.width; x += 2) {
        const p = y * a.width + x;
        if (!(maps[i].confidence[p] > 0)) continue;
        const d = maps[i].depth[p];
        const xc = ((x + 0.5 - a.cx) / a.fx) * d, yc = ((y + 0.5 - a.cy) / a.fy) * d;
        const X = R[0] * xc + R[1] * yc + R[2] * d + t[0];
        const Y = R[3] * xc + R[4] * yc + R[5] * d + t[1];
        const Z = R[6] * xc + R[7] * yc + R[8] * d + t[2];
        if (Z <= 0) continue;
        const u = Math.floor((b.fx * X) / Z + b.cx), v = Math.floor((b.fy * Y) / Z + b.cy);
        if (u < 0 || v < 0 || u >= b.width || v >= b.height) continue;
        const q = v * b.width + u;
        if (!(maps[j].confidence[q] > 0)) continue;
        // Occluded points legitimately land behind j's surface; compare only where i's point is not hidden.
        if (Z > maps[j].depth[q] * 1.1) continue;
        rel.push(Math.abs(Z - maps[j].depth[q]) / maps[j].depth[q]);
        hits++;
      }
      if (hits > 0) pairs++;
    }
  }
  rel.sort((x, y) => x - y);
  const frac = (th: number) => rel.filter((e) => e < th).length / Math.max(rel.length, 1);
  return { pairs, medianRel: rel[rel.length >> 1] ?? Number.NaN, within1: frac(0.01), within5: frac(0.05), samples: rel.length };
}

function summarize(label: string, r: DepthStageResult): string[] {
  const c = crossViewConsistency(r.views, r.maps);
  const mean = r.mvs.reduce((s, v) => s + v.confidentFraction, 0) / r.mvs.length;
  const perView = r.mvs.map((s) => `${s.name} ${(100 * s.confidentFraction).toFixed(1)}%`).join(', ');
  const msPerView = r.timings.mvsMs / r.views.length;
  return [
    `| ${label} | ${r.views[0].camera.width}x${r.views[0].camera.height} | ${(100 * mean).toFixed(1)}% (${perView}) | ${(100 * c.medianRel).toFixed(2)}% | ${(100 * c.within1).toFixed(1)}% / ${(100 * c.within5).toFixed(1)}% | ${(msPerView / 1000).toFixed(1)} s | ${r.scene.count} |`,
  ];
}

async function depthRun(gpu: Gpu, ds: Dataset, maxSide: number, planes: number, maxNeighbours: number): Promise<DepthStageResult> {
  return runDepthStage(gpu, ds, { maxSide, mvs: { planes, maxNeighbours }, init: { stride: 2 } });
}

async function trainingComparison(gpu: Gpu, steps: number, downscale: number): Promise<string[]> {
  const { Trainer } = await import('../engine/train/trainer.js');
  const { evaluate } = await import('../engine/train/evaluate.js');
  const ds = await loadDataset(join(DATA, 'fern'), { downscale });
  const trainViews = ds.split.sparseTrain!;
  const depth = await runDepthStage(gpu, ds, { maxSide: Math.max(ds.frames[0].camera.width, ds.frames[0].camera.height), mvs: { planes: 64 }, init: { stride: 1, shDegree: 3 } });
  const cfg = { iterations: steps, densifyFrom: Math.min(500, Math.floor(steps / 4)), densifyUntil: Math.floor(steps * 0.8), opacityResetInterval: 0, randomInitCount: 20_000 };
  const rows: string[] = [];
  for (const init of ['depth', 'random'] as const) {
    const t0 = performance.now();
    const trainer = init === 'depth'
      ? Trainer.fromScene(gpu, ds, depth.scene, cfg, { trainViews })
      : await Trainer.create(gpu, ds, cfg, { trainViews });
    const start = trainer.gaussians;
    // step() densifies on the config's schedule by itself.
    for (let s = 0; s < steps; s++) await trainer.step();
    const ev = await evaluate(trainer, ds.split.test);
    rows.push(`| ${init} | ${start} | ${trainer.gaussians} | ${ev.psnr.toFixed(2)} | ${ev.ssim.toFixed(3)} | ${((performance.now() - t0) / 1000).toFixed(0)} s |`);
    console.log(rows[rows.length - 1]);
  }
  return rows;
}

async function main(): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = describeAdapter(gpu.report);
  console.log(`adapter: ${adapter}`);
  const fernSides = (process.env.BENCH_FERN_SIDES ?? '384,192').split(',').map(Number);
  const legoSide = Number(process.env.BENCH_LEGO_SIDE ?? 256);
  const trainSteps = Number(process.env.BENCH_TRAIN_STEPS ?? 0);
  const lines: string[] = [
    '# Depth (bench/depth.ts)',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Adapter: ${adapter}`,
    `- Command: \`BENCH_FERN_SIDES=${fernSides.join(',')} BENCH_LEGO_SIDE=${legoSide} BENCH_TRAIN_STEPS=${trainSteps} npx tsx bench/depth.ts\``,
    '- MVS defaults unless stated: NCC 7x7, cost box filter 5x5, best-k = half the neighbours, WTA + parabolic refinement,',
    '  photometric confidence >= 0.1, round trip <= 1.5 px and <= 2% depth with >= 1 neighbour, edge-aware hole filling.',
    '- Confident = passed the photometric and geometric checks (hole-filled pixels excluded). Cross-view consistency: every',
    '  confident pixel (stride 2) reprojected into every other view, compared with that view\'s confident depth (pixels hidden',
    '  behind the other view\'s surface skipped): median relative depth difference, and the fraction within 1% / 5%.',
    '',
    '| scene | working size | confident pixels (mean; per view) | cross-view median diff | within 1% / 5% | MVS time per view | initial Gaussians |',
    '|---|---|---|---|---|---|---|',
  ];
  const fern = await loadDataset(join(DATA, 'fern'));
  for (const side of fernSides) {
    const r = await depthRun(gpu, fern, side, 96, 4);
    lines.push(...summarize(`fern 3-view, 96 planes`, r));
    console.log(lines[lines.length - 1]);
  }
  const lego = await loadDataset(join(DATA, 'lego'));
  const r = await depthRun(gpu, lego, legoSide, 64, 2);
  lines.push(...summarize('lego 8 sparse views (mask), 64 planes, 2 neighbours', r));
  console.log(lines[lines.length - 1]);
  lines.push('', 'Target: >= 70% confident pixels on fern 3-view.', '');
  if (trainSteps > 0) {
    const ds = Number(process.env.BENCH_TRAIN_DOWNSCALE ?? 4);
    lines.push(`## Effect on training (fern 3-view, downscale ${ds}, ${trainSteps} steps, held-out = LLFF test views)`, '');
    lines.push('The shared fern has no SfM points, so the "sparse points" start is not available here; random = the trainer\'s frustum init (20k points).', '');
    lines.push('| init | Gaussians at start | at end | held-out PSNR | SSIM | wall time |', '|---|---|---|---|---|---|');
    try {
      lines.push(...(await trainingComparison(gpu, trainSteps, ds)));
    } catch (e) {
      lines.push('', `Not done: the training run failed (${(e as Error).message.split('\n')[0]}).`);
      console.error(e);
    }
  } else {
    lines.push('Effect on training: not run (BENCH_TRAIN_STEPS=0).');
  }
  writeFileAtomic(join(import.meta.dirname, 'results', 'depth.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

await main();
