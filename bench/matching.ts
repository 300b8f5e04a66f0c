/**
 * bench/matching: learned (XFeat + LighterGlue, XFeat + mutual NN) vs classical (ORB)
 * feature matching on fern (3, 6, 12 views) and lego (8 views; 4 views ~90° apart),
 * with COLMAP on the same subsets. Per subset and matcher: verified inliers per pair,
 * views registered by the incremental SfM (engine/pose/incremental-sfm.ts, reference
 * intrinsics), mean/max pairwise rotation error of the registered views against the
 * reference poses, the same from two-view essential matrices per pair, time per image
 * and per pair. Writes bench/results/matching.md.
 *
 *   npx tsx bench/matching.ts [--quick] [--max-keypoints 2048] [--no-colmap]
 *                             [--subsets lego] [--learned-only] [--out results/x.md]
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { decodeImage, type RgbaImage } from '../engine/io/image.js';
import { loadTransformsFrames } from '../engine/io/dataset/transforms.js';
import type { Frame } from '../engine/io/dataset/types.js';
import { chooseFeatureBackend, type FeaturePreference } from '../engine/pose/feature-backends.js';
import type { FeatureBackend, Keypoints } from '../engine/pose/features.js';
import { incrementalSfm } from '../engine/pose/incremental-sfm.js';
import { createOrbBackend } from '../engine/pose/orb.js';
import { mul3, rotationAngleDeg, tr3 } from '../engine/pose/linalg.js';
import { verifyPair, type PinholeIntrinsics, type VerifiedPair } from '../engine/pose/two-view.js';
import { summarizeMatchGraph } from '../engine/pose/matching-graph.js';
import { filterViewGraph } from '../engine/pose/view-graph-filter.js';
import { colmapAvailable, runColmap } from './matching-colmap.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noColmap = args.includes('--no-colmap');
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const maxKp = Number(flag('--max-keypoints')) || 2048;
const subsetFilter = flag('--subsets');
const learnedOnly = args.includes('--learned-only');
const outFile = flag('--out');
const data = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const MIN_INLIERS = 20;
const THRESHOLD_PX = 2;

interface Subset {
  name: string;
  frames: Frame[];
  note?: string;
}

const evenly = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / Math.max(k - 1, 1)));

function centre(f: Frame): number[] {
  const { R, t } = f.camera;
  return [0, 1, 2].map((c) => -(R[c] * t[0] + R[3 + c] * t[1] + R[6 + c] * t[2]));
}

/** 4 lego views whose azimuths (about the world z axis) are ~90° apart at similar elevation. */
function ninetyApart(frames: Frame[]): { picked: Frame[]; note: string } {
  const az = frames.map((f) => Math.atan2(centre(f)[1], centre(f)[0]) * (180 / Math.PI));
  const el = frames.map((f) => {
    const c = centre(f);
    return Math.atan2(c[2], Math.hypot(c[0], c[1])) * (180 / Math.PI);
  });
  const wrap = (d: number) => Math.abs(((d + 540) % 360) - 180);
  let best: { cost: number; idx: number[] } = { cost: Infinity, idx: [] };
  for (let a = 0; a < frames.length; a++) {
    const idx = [a];
    let cost = 0;
    for (let k = 1; k < 4; k++) {
      let bi = -1;
      let bc = Infinity;
      for (let j = 0; j < frames.length; j++) {
        if (idx.includes(j)) continue;
        const c = wrap(az[j] - az[a] - 90 * k) + 0.5 * Math.abs(el[j] - el[a]);
        if (c < bc) [bc, bi] = [c, j];
      }
      idx.push(bi);
      cost = Math.max(cost, bc);
    }
    if (cost < best.cost) best = { cost, idx };
  }
  const picked = best.idx.map((i) => frames[i]);
  const gaps = picked.map((f, k) => rotationAngleDeg(f.camera.R, picked[(k + 1) % 4].camera.R).toFixed(0));
  return { picked, note: `azimuths ${best.idx.map((i) => az[i].toFixed(0)).join('/')}°, elevations ${best.idx.map((i) => el[i].toFixed(0)).join('/')}°, neighbour rotations ${gaps.join('/')}°` };
}

async function subsets(): Promise<Subset[]> {
  const fern = await loadTransformsFrames(resolve(data, 'fern', 'transforms.json'));
  const lego = await loadTransformsFrames(resolve(data, 'lego', 'transforms.json'));
  const fernSparse = (fern.sparseTrain ?? evenly(fern.frames.length, 3)).map((i) => fern.frames[i]);
  const legoTrain = (lego.train ?? lego.frames.map((_, i) => i)).map((i) => lego.frames[i]);
  const legoSparse = (lego.sparseTrain ?? evenly(legoTrain.length, 8)).map((i) => lego.frames[i]);
  const ninety = ninetyApart(legoTrain);
  const all: Subset[] = [
    { name: 'fern 3 (sparse split)', frames: fernSparse },
    { name: 'fern 6 (even)', frames: evenly(fern.frames.length, 6).map((i) => fern.frames[i]) },
    { name: 'fern 12 (even)', frames: evenly(fern.frames.length, 12).map((i) => fern.frames[i]) },
    { name: 'lego 8 (sparse split)', frames: legoSparse },
    { name: 'lego 4 (~90° apart)', frames: ninety.picked, note: ninety.note },
  ];
  const picked = quick ? [all[0], all[4]] : all;
  return subsetFilter ? picked.filter((s) => s.name.includes(subsetFilter)) : picked;
}

const imageCache = new Map<string, RgbaImage>();
async function image(f: Frame): Promise<RgbaImage> {
  let img = imageCache.get(f.imagePath);
  if (!img) {
    img = await decodeImage(new Uint8Array(readFileSync(f.imagePath)), f.imagePath);
    imageCache.set(f.imagePath, img);
  }
  return img;
}

interface Row {
  subset: string;
  matcher: string;
  views: number;
  keypoints: number;
  matchesPerPair: number;
  inliersMean: number;
  inliersMin: number;
  strongPairs: string;
  registered: string;
  sfmRotMean: number;
  sfmRotMax: number;
  pairRotMean: number;
  pairRotMax: number;
  msPerImage: number;
  msPerPair: number;
  note?: string;
}

function pairwiseRotationErrors(frames: Frame[], rotations: (number[] | undefined)[]): number[] {
  const errs: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    for (let j = i + 1; j < frames.length; j++) {
      const Ri = rotations[i];
      const Rj = rotations[j];
      if (!Ri || !Rj) continue;
      const est = mul3(Rj, tr3(Ri));
      const gt = mul3(frames[j].camera.R, tr3(frames[i].camera.R));
      errs.push(rotationAngleDeg(est, gt));
    }
  }
  return errs;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const max = (v: number[]) => (v.length ? Math.max(...v) : NaN);
const intrinsicsOf = (f: Frame): PinholeIntrinsics => ({ f: Math.sqrt(f.camera.fx * f.camera.fy), cx: f.camera.cx, cy: f.camera.cy });

const kpCache = new Map<string, { k: Keypoints; ms: number }>();

async function benchMatcher(subset: Subset, backend: FeatureBackend): Promise<Row> {
  const { frames } = subset;
  let extractMs = 0;
  const kps: Keypoints[] = [];
  for (const f of frames) {
    // XFeat keypoints are shared by the two XFeat matchers; their time is counted once per image.
    const key = `${backend.extractor.name}|${f.imagePath}`;
    let hit = kpCache.get(key);
    if (!hit) {
      const img = await image(f);
      const t = performance.now();
      const k = await backend.extractor.extract(img, maxKp);
      hit = { k, ms: performance.now() - t };
      kpCache.set(key, hit);
    }
    extractMs += hit.ms;
    kps.push(hit.k);
  }
  const verified: VerifiedPair[] = [];
  const edges: { a: number; b: number; matches: number; inliers: number }[] = [];
  const pairRot: number[] = [];
  let matchMs = 0;
  let matchTotal = 0;
  for (let a = 0; a < frames.length; a++) {
    for (let b = a + 1; b < frames.length; b++) {
      const t = performance.now();
      const m = await backend.matcher.match(kps[a], kps[b]);
      matchMs += performance.now() - t;
      matchTotal += m.pairs.length / 2;
      const v = verifyPair(a, b, kps[a].xy, kps[b].xy, intrinsicsOf(frames[a]), intrinsicsOf(frames[b]), m.pairs, { thresholdPx: THRESHOLD_PX });
      edges.push({ a, b, matches: m.pairs.length / 2, inliers: v?.inlierCount ?? 0 });
      if (v) {
        verified.push(v);
        if (v.inlierCount >= MIN_INLIERS) {
          const gt = mul3(frames[b].camera.R, tr3(frames[a].camera.R));
          pairRot.push(rotationAngleDeg(v.relPose.R, gt));
        }
      }
    }
  }
  const graph = summarizeMatchGraph(frames.length, edges, MIN_INLIERS);
  // The pose pipeline's view-graph filter (loop checks) before SfM, as in estimatePoses.
  const filtered = filterViewGraph(frames.length, verified, { minInliers: MIN_INLIERS });
  const support = new Map(filtered.kept.map((k) => [k.pair, k.consistentTriangles]));
  const sfm = incrementalSfm(
    frames.map((f, i) => ({ name: basename(f.imagePath), width: f.camera.width, height: f.camera.height, group: 0, xy: kps[i].xy })),
    [intrinsicsOf(frames[0])],
    filtered.kept.map((k) => k.pair),
    { refineFocal: false, pairSupport: (p) => support.get(p) ?? 0 },
  );
  const rotations = sfm.views.map((v) => (v.registered && v.pose ? v.pose.R : undefined));
  const sfmErr = pairwiseRotationErrors(frames, rotations);
  const inl = edges.map((e) => e.inliers);
  const nPairs = edges.length;
  const unreg = sfm.views.filter((v) => !v.registered);
  return {
    subset: subset.name,
    matcher: backend.name,
    views: frames.length,
    keypoints: Math.round(mean(kps.map((k) => k.xy.length / 2))),
    matchesPerPair: Math.round(matchTotal / nPairs),
    inliersMean: Math.round(mean(inl)),
    inliersMin: Math.min(...inl),
    strongPairs: `${graph.strongPairs}/${nPairs} (${filtered.kept.length} kept)`,
    registered: `${frames.length - unreg.length}/${frames.length}`,
    sfmRotMean: mean(sfmErr),
    sfmRotMax: max(sfmErr),
    pairRotMean: mean(pairRot),
    pairRotMax: max(pairRot),
    msPerImage: extractMs / frames.length,
    msPerPair: matchMs / nPairs,
    note: unreg.length ? `unregistered: ${unreg.map((v) => `${v.name} (${v.reason ?? '?'})`).join('; ')}` : undefined,
  };
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');

async function main(): Promise<void> {
  const started = new Date();
  const sets = await subsets();
  const backends: FeatureBackend[] = [];
  for (const prefer of ['xfeat', 'xfeat+mnn'] as FeaturePreference[]) {
    const { backend } = await chooseFeatureBackend({ prefer, maxKeypoints: maxKp, onEvent: (e) => e.type === 'warning' && console.warn(e.message) });
    if (!backends.some((b) => b.name === backend.name)) backends.push(backend);
  }
  // The classical backends of engine/pose/orb.ts (E's), at their defaults.
  if (!learnedOnly) backends.push(createOrbBackend({ detector: 'orb' }), createOrbBackend({ detector: 'akaze' }));
  const rows: Row[] = [];
  const colmapRows: string[] = [];
  const withColmap = !noColmap && colmapAvailable();
  for (const s of sets) {
    console.log(`== ${s.name}: ${s.frames.map((f) => basename(f.imagePath)).join(' ')}${s.note ? ` (${s.note})` : ''}`);
    for (const b of backends) {
      const row = await benchMatcher(s, b);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    if (withColmap) {
      const r = runColmap(s.frames.map((f) => f.imagePath), intrinsicsOf(s.frames[0]));
      const rots = s.frames.map((f) => r.rotations.get(basename(f.imagePath)));
      const errs = pairwiseRotationErrors(s.frames, rots);
      const line = `| ${s.name} | ${rots.filter(Boolean).length}/${s.frames.length} | ${fmt(mean(errs))} | ${fmt(max(errs))} | ${fmt(r.wallMs / 1000, 1)} | ${r.error ?? ''} |`;
      colmapRows.push(line);
      console.log(line);
    }
    writeReport(started, sets, rows, colmapRows, withColmap);
  }
}

function writeReport(started: Date, sets: Subset[], rows: Row[], colmapRows: string[], withColmap: boolean): void {
  const cpu = cpus();
  const md = [
    '# bench/matching',
    '',
    `Date: ${started.toISOString()}. Command: \`npx tsx bench/matching.ts${args.length ? ' ' + args.join(' ') : ''}\`.`,
    `Machine: ${cpu.length} x ${cpu[0]?.model ?? 'CPU'} (shared with other jobs). onnxruntime-web 1.30.0, wasm execution provider, 1 thread (no GPU involved).`,
    `XFeat: top ${maxKp} keypoints, 640x640 letterboxed input. LighterGlue: 3-layer export, threshold 0.1. MNN: mutual nearest neighbour, cosine >= 0.82. ORB / AKAZE: engine/pose/orb.ts defaults (opencv-js detector + brute-force Hamming, ratio test, mutual check).`,
    `Verification: engine/pose/two-view.ts (essential matrix LO-MSAC with the reference intrinsics, ${THRESHOLD_PX} px Sampson threshold, cheirality). A pair is "strong" with >= ${MIN_INLIERS} inliers; "kept": strong pairs that also pass the view-graph filter (engine/pose/view-graph-filter.ts: inlier ratio, rotation consensus over loops, weak pairs confirmed by triplets).`,
    'Registration: engine/pose/incremental-sfm.ts on the kept pairs (reference intrinsics, focal fixed). Rotation errors: for every pair of registered views, the angle between estimated and reference relative rotations (degrees). "2-view" columns: the same from each strong pair\'s essential matrix alone.',
    '',
    '| subset | matcher | views | kp/img | matches/pair | inliers/pair mean (min) | strong pairs | registered | SfM rot err mean / max (°) | 2-view rot err mean / max (°) | ms/image | ms/pair |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.subset} | ${r.matcher} | ${r.views} | ${r.keypoints} | ${r.matchesPerPair} | ${r.inliersMean} (${r.inliersMin}) | ${r.strongPairs} | ${r.registered} | ${fmt(r.sfmRotMean)} / ${fmt(r.sfmRotMax)} | ${fmt(r.pairRotMean)} / ${fmt(r.pairRotMax)} | ${fmt(r.msPerImage, 0)} | ${fmt(r.msPerPair, 0)} |`,
    ),
    '',
    ...sets.filter((s) => s.note).map((s) => `${s.name}: ${s.note}.`),
    ...rows.filter((r) => r.note).map((r) => `- ${r.subset}, ${r.matcher}: ${r.note}`),
    '',
    withColmap ? '## COLMAP 3.8 (CPU SIFT, exhaustive matcher, mapper; reference intrinsics fixed, 2 threads)' : '## COLMAP: not run',
    '',
    ...(withColmap ? ['| subset | registered | rot err mean (°) | rot err max (°) | wall (s) | error |', '|---|---|---|---|---|---|', ...colmapRows] : []),
    '',
  ].join('\n');
  const out = outFile ? resolve(outFile) : resolve(import.meta.dirname, 'results', quick ? 'matching-quick.md' : 'matching.md');
  writeFileAtomic(out, md);
  console.log(`wrote ${out}`);
}

await main();
