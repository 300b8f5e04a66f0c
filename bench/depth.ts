/**
 * bench:depth — multi-view stereo depth and depth initialization on the shared scenes.
 *
 *   fern, 3-view sparse split: completeness (fraction of confident pixels), cross-view
 *     consistency, time per view, at two working sizes.
 *   lego, 8 sparse train views (alpha as mask): completeness inside the object mask and
 *     cross-view reprojection consistency (the test views ship no depth).
 *   fern accuracy: the confident depth against sparse points triangulated from matched
 *     features with the reference poses (an independent reference on real photos), as the
 *     disparity error it amounts to in the other view.
 *   "before" rows (BENCH_BEFORE_SIDES): the photometric-only MVS with the old 2% depth check,
 *     for a like-for-like comparison with the default (geometric passes, 3% check).
 *   The training comparison (depth vs sparse vs random init) is bench/init-compare.ts.
 *
 * Writes bench/results/depth.md. Usage: npx tsx bench/depth.ts   (env: BENCH_FERN_SIDES=384,192
 * BENCH_BEFORE_SIDES=192 BENCH_LEGO_SIDE=256 BENCH_LEGO_BEFORE=0)
 */
import { join } from 'node:path';
import { acquireGpu, describeAdapter, type Gpu } from '../engine/gpu/acquire.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset } from '../engine/io/dataset/load.js';
import type { Dataset } from '../engine/io/dataset/types.js';
import { runDepthStage, type DepthStageResult } from '../engine/depth/stage.js';
import { crossViewConsistency, depthAccuracyAt, type DepthSamples } from '../engine/depth/metrics.js';
import type { MvsOptions } from '../engine/depth/mvs.js';
import { samplesForView, sparseReference, type SparseReference } from './depth-sparse-reference.js';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');
/** The MVS as it was before the geometric passes (photometric WTA, 2% depth check). */
const BEFORE: MvsOptions = { geometricPasses: 0, maxRelDepth: 0.02 };

/** Accuracy of the confident pixels at the sparse points each view observes. */
function sparseAccuracy(r: DepthStageResult, samples: DepthSamples[]): string {
  let compared = 0, total = 0, p1 = 0, p3 = 0;
  r.maps.forEach((m, v) => {
    const a = depthAccuracyAt(m, samples[v]);
    total += samples[v].depth.length;
    compared += a.compared;
    p1 += a.within1Px! * a.compared;
    p3 += a.beyond3Px! * a.compared;
  });
  return `${compared}/${total} | ${(100 * p1 / compared).toFixed(1)}% / ${(100 * p3 / compared).toFixed(1)}%`;
}

function summarize(label: string, r: DepthStageResult, samples?: DepthSamples[]): string[] {
  const c = crossViewConsistency(r.views, r.maps);
  const mean = r.mvs.reduce((s, v) => s + v.confidentFraction, 0) / r.mvs.length;
  const perView = r.mvs.map((s) => `${s.name} ${(100 * s.confidentFraction).toFixed(1)}%`).join(', ');
  const msPerView = r.timings.mvsMs / r.views.length;
  return [
    `| ${label} | ${r.views[0].camera.width}x${r.views[0].camera.height} | ${(100 * mean).toFixed(1)}% (${perView}) | ${(100 * c.medianRel).toFixed(2)}% | ${(100 * c.within1).toFixed(1)}% / ${(100 * c.within5).toFixed(1)}% | ${(msPerView / 1000).toFixed(1)} s | ${r.scene.count} | ${samples ? sparseAccuracy(r, samples) : '— | —'} |`,
  ];
}

async function depthRun(gpu: Gpu, ds: Dataset, maxSide: number, planes: number, maxNeighbours: number, mvs: MvsOptions = {}): Promise<DepthStageResult> {
  return runDepthStage(gpu, ds, { maxSide, mvs: { planes, maxNeighbours, ...mvs }, init: { stride: 2 } });
}

async function main(): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = describeAdapter(gpu.report);
  console.log(`adapter: ${adapter}`);
  const fernSides = (process.env.BENCH_FERN_SIDES ?? '384,192').split(',').map(Number);
  const beforeSides = (process.env.BENCH_BEFORE_SIDES ?? '192').split(',').filter((x) => x).map(Number);
  const legoSide = Number(process.env.BENCH_LEGO_SIDE ?? 256);
  const legoBefore = process.env.BENCH_LEGO_BEFORE === '1';
  const lines: string[] = [
    '# Depth (bench/depth.ts)',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Adapter: ${adapter}`,
    `- Command: \`BENCH_FERN_SIDES=${fernSides.join(',')} BENCH_BEFORE_SIDES=${beforeSides.join(',')} BENCH_LEGO_SIDE=${legoSide} BENCH_LEGO_BEFORE=${legoBefore ? 1 : 0} npx tsx bench/depth.ts\``,
    '- MVS defaults ("after"): NCC 7x7, cost box filter 5x5, best-k = half the neighbours, WTA + parabolic refinement,',
    '  then 2 geometric-consistency passes (the sweep again with cost + 0.2 x min(round-trip px, 3) against the best',
    '  neighbour\'s previous depth, ACMM), photometric confidence >= 0.1, round trip <= 1.5 px and <= 3% depth with >= 1',
    '  neighbour, edge-aware hole filling. "before": photometric pass only, <= 2% depth (the MVS until 2026-11-29 evening).',
    '- Confident = passed the photometric and geometric checks (hole-filled pixels excluded). Cross-view consistency: every',
    '  confident pixel (stride 2) reprojected into every other view, compared with that view\'s confident depth (pixels hidden',
    '  behind the other view\'s surface skipped): median relative depth difference, and the fraction within 1% / 5%.',
    '- Accuracy vs sparse points (fern): features of the 3 full-size photos matched pairwise (the pose pipeline\'s backend),',
    '  triangulated with the reference poses (reprojection <= 2 px at 504 px, ray angle >= 1 deg; engine/depth/sparse-points.ts);',
    '  at each point\'s pixel in each view that observes it, the confident depth\'s error converted to the disparity it',
    '  amounts to in the track\'s other view (working pixels): points on a confident pixel / all, fraction within 1 px / beyond',
    '  3 px. The sparse points carry their own error (accepted up to 2 px at 504 px), and they sit on textured spots: this checks',
    '  that the newly confident pixels are not garbage, it is not a ground truth.',
    '',
    '| scene | working size | confident pixels (mean; per view) | cross-view median diff | within 1% / 5% | MVS time per view | initial Gaussians | sparse points on confident pixels | disparity error <= 1 px / > 3 px |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const fern = await loadDataset(join(DATA, 'fern'));
  const idx = fern.split.sparseTrain!;
  let ref: SparseReference | undefined;
  try {
    ref = await sparseReference(idx.map((i) => fern.frames[i].imagePath), idx.map((i) => fern.frames[i].camera));
  } catch (e) {
    console.error(`sparse reference unavailable: ${(e as Error).message}`);
  }
  for (const side of fernSides) {
    const variants: [string, MvsOptions][] = [['after', {}]];
    if (beforeSides.includes(side)) variants.push(['before', BEFORE]);
    for (const [name, mvs] of variants) {
      const r = await depthRun(gpu, fern, side, 96, 4, mvs);
      const samples = ref ? idx.map((_, v) => samplesForView(ref!, v, idx.map((j) => fern.frames[j].camera), r.views[v].camera)) : undefined;
      lines.push(...summarize(`fern 3-view, 96 planes, ${name}`, r, samples));
      console.log(lines[lines.length - 1]);
    }
  }
  const lego = await loadDataset(join(DATA, 'lego'));
  for (const [name, mvs] of [['after', {}], ...(legoBefore ? [['before', BEFORE]] : [])] as [string, MvsOptions][]) {
    const r = await depthRun(gpu, lego, legoSide, 64, 2, mvs);
    lines.push(...summarize(`lego 8 sparse views (mask), 64 planes, 2 neighbours, ${name}`, r));
    console.log(lines[lines.length - 1]);
  }
  lines.push('', 'Target: >= 70% confident pixels on fern 3-view.', '');
  writeFileAtomic(join(import.meta.dirname, 'results', 'depth.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

await main();
