/**
 * Interactive editing benchmark: `npm run bench:edit` (tsx bench/edit.ts [--splats 100000]
 * [--ctrl 256] [--sh 3] [--updates 30] [--iterations 8]).
 * The app's edit mode per drag update (renderer/edit/edit-session.ts): ARAP solve over the
 * control points (warm-started, `iterations` local/global steps), warp of every Gaussian
 * (positions + rotations, BlendWarp), upload to the GPU. Upload is measured two ways: only
 * means + quats (all an edit changes; what the app does through Viewer.updateSplats) and the
 * whole scene (Viewer.updateScene, the fallback: every field, SH included), each to
 * onSubmittedWorkDone.
 * Appends (or replaces) the "## Editing" section of bench/results/deform.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { writeBuffer } from '../engine/gpu/buffers.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { GpuScene } from '../engine/splat/gpu-scene.js';
import { createScene, rgbToShDc, type GaussianScene } from '../engine/splat/scene.js';
import { EditSession } from '../renderer/edit/edit-session.js';
import { mulberry32 } from '../engine/math/random.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const N = Number(arg('--splats', '100000'));
const M = Number(arg('--ctrl', '256'));
const SH = Number(arg('--sh', '3'));
const UPDATES = Number(arg('--updates', '30'));
const ITERATIONS = Number(arg('--iterations', '8'));
const command = `npm run bench:edit${args.length ? ` -- ${args.join(' ')}` : ''}`;
const RESULTS = 'bench/results/deform.md';

/** Deterministic scene: a wavy surface sheet plus a blob, random orientations, SH degree `sh`. */
function editScene(n: number, sh: number): GaussianScene {
  const rand = mulberry32(7);
  const s = createScene(n, sh);
  const K = (sh + 1) ** 2;
  for (let i = 0; i < n; i++) {
    const u = rand() * 4 - 2;
    const v = rand() * 4 - 2;
    const p = i % 3 === 0 ? [0.6 * (rand() - 0.5), -0.6 + 0.6 * (rand() - 0.5), 0.6 * (rand() - 0.5)] : [u, 0.2 * Math.sin(2 * u) * Math.cos(2 * v), v];
    s.means.set(p, i * 3);
    const q = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
    const qn = Math.hypot(...q);
    s.quats.set(q.map((x) => x / qn), i * 4);
    s.logScales.set([-4, -4, -5], i * 3);
    s.opacityLogits[i] = 2;
    for (let c = 0; c < 3; c++) s.sh[i * K * 3 + c] = rgbToShDc(rand());
  }
  return s;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const min = (xs: number[]) => Math.min(...xs);
const ms = (t0: number) => performance.now() - t0;

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
console.log(`adapter: ${adapter}`);
const scene = editScene(N, SH);
const gpuScene = GpuScene.upload(gpu, scene);
await gpu.device.queue.onSubmittedWorkDone();

let t0 = performance.now();
const session = new EditSession(scene, { controlPoints: M, iterations: ITERATIONS });
const setupMs = ms(t0);
// Handle: the control point nearest a corner of the sheet; the drag lifts it along -y.
let handle = 0;
let best = Infinity;
for (let i = 0; i < session.controlPointCount; i++) {
  const d = Math.hypot(session.positions[i * 3] - 1.8, session.positions[i * 3 + 1], session.positions[i * 3 + 2] - 1.8);
  if (d < best) [handle, best] = [i, d];
}
session.select(handle);
t0 = performance.now();
session.beginDrag();
session.dragTo([0, -0.02, 0]); // first update factorizes the constrained system
const firstMs = ms(t0);
const held = session.heldByDrag.length;

const solveOnly: number[] = [];
const warpOnly: number[] = [];
const uploadAll: number[] = [];
const uploadPose: number[] = [];
const energies: number[] = [];
for (let u = 1; u <= UPDATES; u++) {
  energies.push(session.dragTo([0.01 * u, -0.03 * u, 0]));
  solveOnly.push(session.lastTimings.solveMs);
  warpOnly.push(session.lastTimings.warpMs);
  const edited = session.editedScene;
  t0 = performance.now();
  gpuScene.write(edited);
  await gpu.device.queue.onSubmittedWorkDone();
  uploadAll.push(ms(t0));
  t0 = performance.now();
  writeBuffer(gpu, gpuScene.means, edited.means);
  writeBuffer(gpu, gpuScene.quats, edited.quats);
  await gpu.device.queue.onSubmittedWorkDone();
  uploadPose.push(ms(t0));
}
session.endDrag();
gpuScene.dispose();

const w = median(warpOnly);
const ua = median(uploadAll);
const up = median(uploadPose);
// Per-update sums, so the totals' minimum is one real update (the least disturbed under load).
const total = solveOnly.map((x, i) => x + warpOnly[i] + uploadAll[i]);
const totalPose = solveOnly.map((x, i) => x + warpOnly[i] + uploadPose[i]);
const row = (label: string, v: number, lo?: number) => `| ${label} | ${v.toFixed(1)} | ${lo === undefined ? '' : lo.toFixed(1)} |`;
const section = [
  '## Editing',
  '',
  `Adapter: ${adapter}`,
  `Date: ${new Date().toISOString()}`,
  `Command: \`${command}\` (bench/edit.ts)`,
  `Load: the 2-core machine was shared with other engineers' tests and benches (load average ${(await import('node:os')).loadavg()[0].toFixed(1)} at the end of the run): wall times are upper bounds.`,
  '',
  `The app's edit mode (renderer/edit/): ${N.toLocaleString('en-US')} Gaussians (SH degree ${SH}), ${session.controlPointCount} control points (farthest-point sampling), ` +
    `warp K = ${session.warp.K}, one handle dragged, ${held} control points held (region of interest ${session.options.regionRadius} x the scene radius, the 90th-percentile control-point distance from their centroid), ` +
    `${ITERATIONS} warm-started ARAP local/global iterations per update. Median and minimum over ${UPDATES} drag updates (the minimum is the least-disturbed update on the shared machine).`,
  '',
  '| step | median ms | min ms |',
  '|---|---:|---:|',
  row('entering edit mode (FPS sampling, ARAP graph, warp neighbours + weights), once', setupMs),
  row('first drag update (includes the Cholesky factorization of the constrained system), once', firstMs),
  row(`drag update: ARAP solve (${ITERATIONS} local/global iterations + final energy)`, median(solveOnly), min(solveOnly)),
  row('drag update: warp of all Gaussians, positions + rotations (host)', w, min(warpOnly)),
  row('drag update: upload, means + quats only (Viewer.updateSplats)', up, min(uploadPose)),
  row('drag update: upload, whole scene (Viewer.updateScene, the fallback)', ua, min(uploadAll)),
  row('**drag update total, as the app does it (solve + warp + means/quats upload)**', median(totalPose), min(totalPose)),
  row('drag update total with a whole-scene upload', median(total), min(total)),
  '',
  `ARAP energy over the drag: ${energies[0].toExponential(2)} at the first update, ${energies[energies.length - 1].toExponential(2)} at the last (handle moved ${Math.hypot(0.01 * UPDATES, 0.03 * UPDATES).toFixed(2)} units on a 4-unit sheet).`,
  'A frame of the viewer is drawn after the update; its cost is in bench/results/viewer.md and not included here.',
  '',
].join('\n');
console.log(section);

const existing = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
// Replace an earlier run of this bench (its section runs to the next "## " heading or the end); keep everything else.
const start = existing.indexOf('\n## Editing\n');
let merged: string;
if (start >= 0) {
  const next = existing.indexOf('\n## ', start + 1);
  merged = existing.slice(0, start + 1) + section + (next >= 0 ? existing.slice(next + 1) : '');
} else merged = `${existing.replace(/\n*$/, '\n\n')}${section}`;
writeFileAtomic(RESULTS, merged);
console.log(`appended to ${RESULTS}`);
