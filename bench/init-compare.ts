/**
 * bench:init-compare (issue 5) — does depth initialization beat sparse-point initialization?
 *
 * fern, 3-view sparse split, REFERENCE poses, held-out LLFF test views. Three starts, the
 * same trainer config, steps and resolution:
 *   depth   MVS depth of the 3 views (engine/depth, at the training resolution) -> one
 *           Gaussian per confident pixel, voxel-merged (engine/train/init-from-depth)
 *   sparse  the 3DGS start: features matched across the 3 photos (the pose pipeline's
 *           backend), triangulated with the reference poses (engine/depth/sparse-points),
 *           one Gaussian per point
 *   random  the trainer's own frustum start (20k points)
 *
 * npm run bench:init-compare -- [--steps 300] [--downscale 4] [--runs sparse,depth,random] [--planes 64] [--seed 0]
 * Writes bench/out/init-compare-seed<seed>.md after every run (so a timeout keeps what finished).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { runDepthStage } from '../engine/depth/stage.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset } from '../engine/io/dataset/load.js';
import type { GaussianScene } from '../engine/splat/scene.js';
import { evaluate } from '../engine/train/evaluate.js';
import { sceneFromPoints } from '../engine/train/init.js';
import { Trainer } from '../engine/train/trainer.js';
import { sparseReference } from './depth-sparse-reference.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const steps = Number(arg('steps', '300'));
const downscale = Number(arg('downscale', '4'));
const planes = Number(arg('planes', '64'));
const runs = arg('runs', 'sparse,depth,random').split(',');
const seed = Number(arg('seed', '0'));

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
const fernDir = join(import.meta.dirname, '../../shared/data/fern');
const ds = await loadDataset(fernDir, { downscale });
const full = await loadDataset(fernDir);
const train = ds.split.sparseTrain ?? [];
const test = ds.split.test;
if (train.length !== 3) throw new Error(`${fernDir}: expected the 3-view sparse split, got ${train.length} views`);
const { width: W, height: H } = ds.frames[0].camera;
const cfg = {
  iterations: steps,
  meansLrMaxSteps: steps,
  densifyFrom: Math.floor(steps / 4),
  densifyUntil: Math.floor(steps * 0.8),
  densifyInterval: Math.max(1, Math.floor(steps / 6)),
  opacityResetInterval: 0,
  randomInitCount: 20_000,
  checkpointInterval: 0,
  seed,
};
const outDir = join(import.meta.dirname, 'out');
mkdirSync(outDir, { recursive: true });
const header = [
  `# Initialization comparison (bench/init-compare.ts)`,
  '',
  `- Date: ${new Date().toISOString()}; adapter: ${adapter}`,
  `- Command: \`npm run bench:init-compare -- --steps ${steps} --downscale ${downscale} --planes ${planes} --runs ${runs.join(',')} --seed ${seed}\``,
  `- fern 3-view (${train.map((i) => ds.frames[i].name).join(', ')}), reference poses, ${W}x${H}, ${steps} steps, held-out = ${test.length} LLFF test views`,
  `- Trainer config: ${JSON.stringify(cfg)}`,
  '',
];
const notes: string[] = [];
const rows: string[] = ['| init | Gaussians at start | at end | held-out PSNR | SSIM | init time | train time |', '|---|---|---|---|---|---|---|'];
const save = () => writeFileAtomic(join(outDir, `init-compare-seed${seed}.md`), [...header, ...notes, '', ...rows, ''].join('\n'));
console.log(header.join('\n'));

/** 3DGS's sparse start with known poses: features of the full-size photos, matched pairwise, triangulated. */
async function sparseScene(): Promise<GaussianScene> {
  const ref = await sparseReference(train.map((i) => full.frames[i].imagePath), train.map((i) => full.frames[i].camera));
  const { tri, keypoints: kps, matches } = ref;
  const n = tri.xyz.length / 3;
  const lengths = [2, 3].map((l) => tri.tracks.filter((t) => t.views.length === l).length);
  notes.push(`- sparse: ${ref.backend}, ${kps.map((k) => k.xy.length / 2).join('/')} keypoints, ${matches.map((m) => m.pairs.length / 2).join('/')} putative matches per pair; ${n} points (${lengths[0]} seen in 2 views, ${lengths[1]} in 3); ${tri.rejectedMatches} matches and ${tri.rejectedTracks} tracks rejected (reprojection > 2 px or ray angle < 1 deg)`);
  return sceneFromPoints(tri.xyz, ref.rgb, 3);
}

for (const run of runs) {
  const t0 = performance.now();
  let trainer: Trainer;
  if (run === 'depth') {
    const depth = await runDepthStage(gpu, ds, { views: train, maxSide: Math.max(W, H), mvs: { planes }, init: { stride: 1, shDegree: 3 } });
    const conf = depth.mvs.reduce((s, v) => s + v.confidentFraction, 0) / depth.mvs.length;
    notes.push(`- depth: MVS at ${W}x${H}, ${planes} planes, ${(100 * conf).toFixed(1)}% confident pixels; ${depth.init.unprojected} unprojected, ${depth.init.merged} after outlier removal and voxel merge`);
    trainer = Trainer.fromScene(gpu, ds, depth.scene, cfg, { trainViews: train });
  } else if (run === 'sparse') {
    trainer = Trainer.fromScene(gpu, ds, await sparseScene(), cfg, { trainViews: train });
  } else if (run === 'random') {
    trainer = await Trainer.create(gpu, { ...ds, points: undefined, split: { ...ds.split, train } }, cfg, { trainViews: train });
  } else throw new Error(`unknown run '${run}' (sparse, depth, random)`);
  const initMs = performance.now() - t0;
  const start = trainer.gaussians;
  const t1 = performance.now();
  for (let s = 0; s < steps; s++) await trainer.step();
  const ev = await evaluate(trainer, test);
  rows.push(`| ${run} | ${start} | ${trainer.gaussians} | ${ev.psnr.toFixed(2)} | ${ev.ssim.toFixed(3)} | ${(initMs / 1000).toFixed(0)} s | ${((performance.now() - t1) / 1000).toFixed(0)} s |`);
  console.log(notes.join('\n'));
  console.log(rows[rows.length - 1]);
  save();
}
save();
