/**
 * `npx tsx bench/poses-cold.ts [--subsets fern3,fern6,fern12] [--repeats 5] [--root DIR] [--before DIR] [--no-colmap] [--cli-source] [--out FILE]`
 *
 * Sparrow (AKAZE + brute force) against COLMAP (Debian `colmap`, CPU SIFT, 2 threads; the
 * runner of bench/poses.ts) with the same start and end points: photo files on disk ->
 * camera poses, every run in a fresh process (cold: nothing loaded, no JIT warm-up).
 *   - COLMAP: wall time of its three processes (feature_extractor, exhaustive_matcher,
 *     mapper) including their start-up, plus reading the model back.
 *   - Sparrow, "files->poses": in a fresh process, from before reading the photo files
 *     to the poses in memory (opencv.js load and JIT warm-up included; node start-up and
 *     module imports not) — what the app or CLI spends on the stage the first time.
 *   - Sparrow, "process": the wall time of that whole process (node + tsx start-up, the
 *     modules' TypeScript transform and import, the stage, exit) — a bound a CLI user sees.
 *   - Sparrow CLI: `sparrow poses <folder> --out <dir> --features akaze` as a user runs it
 *     (bin/sparrow.mjs: the prebuilt bundle of `npm run build:cli` when it is current, which
 *     this bench requires; --cli-source adds the same command run from the TypeScript sources
 *     through tsx), whole process wall time, including writing the COLMAP and transforms.json
 *     export; cameras read back from that transforms.json.
 * CPU: user + system time of the child processes (all their threads), from
 * /proc/self/stat; for Sparrow also the main thread's own CPU over files->poses. Runs of the methods are interleaved in each repeat (order rotated),
 * so that load from other jobs on the machine falls on all of them alike; the 1-minute
 * load average is recorded at every run. --before DIR runs a second Sparrow tree (e.g. a
 * copy of the code before a change) the same way; --root DIR the main one (default: here).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { freshCliBundle } from '../bin/cli-bundle.mjs';
import { loadTransformsFrames } from '../engine/io/dataset/transforms.js';
import type { Camera } from '../engine/splat/camera.js';
import { errorsFor, f, flagReader, loadScene, runColmap, subsets, type Subset } from './poses.js';

/** CPU time (ms) of this process's waited-for children so far. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields 3.. of proc(5)
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime, cstime
  return (ticks * 1000) / 100; // USER_HZ = 100 on Linux
}

interface Run {
  method: string;
  subset: string;
  wallS: number;
  filesToPosesS?: number;
  /** CPU time of the Sparrow process over files->poses (all its threads) */
  filesToPosesCpuS?: number;
  /** the main thread's CPU time over files->poses (NaN where not measured) */
  filesToPosesMainCpuS?: number;
  cpuS: number;
  load1: number;
  registered: number;
  total: number;
  pairMean: number;
  pairMax: number;
  ate: number;
  focalErr: number;
  stages?: Record<string, number>;
}

function runSparrowCold(method: string, root: string, s: Subset, ref: Map<string, Camera>): Run {
  const load1 = loadavg()[0];
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const out = spawnSync(process.execPath, ['--import', 'tsx', resolve('bench/poses-cold-child.ts'), root, resolve('../shared/data', s.scene), s.files.join(',')], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 600_000,
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = (childrenCpuMs() - cpu0) / 1000;
  const line = out.stdout?.split('\n').find((l) => l.startsWith('{'));
  if (out.status !== 0 || !line) throw new Error(`${method} ${s.id}: child failed (${out.status}): ${out.stderr?.slice(-2000)}`);
  const r = JSON.parse(line) as { views: { name: string; camera: Camera | null }[]; timingsMs: Record<string, number>; filesToPosesMs: number; filesToPosesCpuMs: number; filesToPosesMainCpuMs?: number | null };
  const cams = new Map<string, Camera>();
  for (const v of r.views) if (v.camera) cams.set(v.name, v.camera);
  const e = errorsFor(cams, ref, s.files);
  return {
    method,
    subset: s.id,
    wallS,
    filesToPosesS: r.filesToPosesMs / 1000,
    filesToPosesCpuS: r.filesToPosesCpuMs / 1000,
    filesToPosesMainCpuS: typeof r.filesToPosesMainCpuMs === 'number' ? r.filesToPosesMainCpuMs / 1000 : NaN,
    cpuS,
    load1,
    registered: cams.size,
    total: s.files.length,
    pairMean: e?.pairwiseRotationMeanDeg ?? NaN,
    pairMax: e?.pairwiseRotationMaxDeg ?? NaN,
    ate: e?.ateFraction ?? NaN,
    focalErr: e?.focalErr ?? NaN,
    stages: r.timingsMs,
  };
}

/** `sparrow poses` as a user runs it, one fresh process; cameras read back from its transforms.json. */
async function runSparrowCli(method: string, fromSource: boolean, s: Subset, ref: Map<string, Camera>): Promise<Run> {
  const work = mkdtempSync(join(tmpdir(), 'sparrow-cli-cold-'));
  try {
    const photos = join(work, 'photos');
    mkdirSync(photos);
    for (const f of s.files) symlinkSync(resolve('../shared/data', s.scene, f), join(photos, basename(f)));
    const load1 = loadavg()[0];
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const out = spawnSync(process.execPath, [resolve('bin/sparrow.mjs'), 'poses', photos, '--out', join(work, 'out'), '--features', 'akaze'], {
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, SPARROW_FROM_SOURCE: fromSource ? '1' : '0' },
    });
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = (childrenCpuMs() - cpu0) / 1000;
    if (out.status !== 0) throw new Error(`${method} ${s.id}: sparrow poses failed (${out.status}): ${out.stderr?.slice(-2000)}`);
    const tf = await loadTransformsFrames(join(work, 'out', 'transforms.json'));
    const byBase = new Map(s.files.map((f) => [basename(f), f]));
    const cams = new Map<string, Camera>();
    for (const fr of tf.frames) cams.set(byBase.get(basename(fr.name))!, fr.camera);
    const e = errorsFor(cams, ref, s.files);
    return { method, subset: s.id, wallS, cpuS, load1, registered: cams.size, total: s.files.length, pairMean: e?.pairwiseRotationMeanDeg ?? NaN, pairMax: e?.pairwiseRotationMaxDeg ?? NaN, ate: e?.ateFraction ?? NaN, focalErr: e?.focalErr ?? NaN };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runColmapCold(s: Subset, ref: Map<string, Camera>): Run {
  const load1 = loadavg()[0];
  const cpu0 = childrenCpuMs();
  const r = runColmap(s, ref);
  return {
    method: 'COLMAP 3.8',
    subset: s.id,
    wallS: r.seconds,
    cpuS: (childrenCpuMs() - cpu0) / 1000,
    load1,
    registered: r.registered,
    total: r.total,
    pairMean: r.pairMean,
    pairMax: r.pairMax,
    ate: r.ate,
    focalErr: r.focalErr,
  };
}

const median = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (x: number[], d = 2) => `${f(median(x), d)} (${f(Math.min(...x), d)}-${f(Math.max(...x), d)})`;

async function main() {
  const args = process.argv.slice(2);
  const arg = flagReader(args);
  const wanted = (arg('--subsets') ?? 'fern3,fern6,fern12').split(',');
  const repeats = Number(arg('--repeats') ?? 5);
  const before = arg('--before');
  const withColmap = !args.includes('--no-colmap');
  if (!freshCliBundle(resolve('.'))) throw new Error('the CLI bundle is missing or older than the sources: run `npm run build:cli` first');
  const methods: { name: string; run: (s: Subset, ref: Map<string, Camera>) => Run | Promise<Run> }[] = [
    { name: 'sparrow akaze+bf', run: (s, ref) => runSparrowCold('sparrow akaze+bf', resolve(arg('--root') ?? '.'), s, ref) },
    { name: 'sparrow CLI (bundled)', run: (s, ref) => runSparrowCli('sparrow CLI (bundled)', false, s, ref) },
    ...(args.includes('--cli-source') ? [{ name: 'sparrow CLI (tsx)', run: (s: Subset, ref: Map<string, Camera>) => runSparrowCli('sparrow CLI (tsx)', true, s, ref) }] : []),
    ...(before ? [{ name: 'sparrow before', run: (s: Subset, ref: Map<string, Camera>) => runSparrowCold('sparrow before', resolve(before), s, ref) }] : []),
    ...(withColmap ? [{ name: 'COLMAP 3.8', run: runColmapCold }] : []),
  ];
  const runs: Run[] = [];
  const sets = subsets().filter((s) => wanted.includes(s.id));
  for (let rep = 0; rep < repeats; rep++) {
    for (const s of sets) {
      const ref = loadScene(s.scene).cameras;
      for (let k = 0; k < methods.length; k++) {
        const m = methods[(k + rep) % methods.length];
        const r = await m.run(s, ref);
        runs.push(r);
        console.error(`rep ${rep} ${s.id} ${r.method}: wall ${f(r.wallS)} s${r.filesToPosesS !== undefined ? `, files->poses ${f(r.filesToPosesS)} s` : ''}, cpu ${f(r.cpuS)} s, load ${f(r.load1)}, ${r.registered}/${r.total}, rot ${f(r.pairMean)}°`);
      }
    }
  }
  const lines = [
    `Cold runs, ${repeats} repeats interleaved; ${new Date().toISOString()}; CPU only, 2 shared cores. Times: median (min-max), seconds.`,
    `Command: \`npx tsx bench/poses-cold.ts ${args.join(' ')}\``,
    '',
    '| subset | method | registered | rot. mean / max (°) | ATE / spread | focal err. | files->poses, in process (s) | its CPU (s) | its main-thread CPU (s) | process wall (s) | process CPU (s) | load avg (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of sets) {
    for (const m of methods) {
      const rs = runs.filter((r) => r.subset === s.id && r.method === m.name);
      const r0 = rs[0];
      const same = rs.every((r) => r.registered === r0.registered && Math.abs(r.pairMean - r0.pairMean) < 1e-9);
      lines.push(
        `| ${s.id} | ${m.name} | ${r0.registered}/${r0.total} | ${f(r0.pairMean)} / ${f(r0.pairMax)}${same ? '' : ' (varies)'} | ${f(r0.ate, 3)} | ${f(r0.focalErr * 100, 1)}% | ${r0.filesToPosesS !== undefined ? spread(rs.map((r) => r.filesToPosesS!)) : '—'} | ${r0.filesToPosesCpuS !== undefined ? spread(rs.map((r) => r.filesToPosesCpuS!)) : '—'} | ${r0.filesToPosesMainCpuS !== undefined ? spread(rs.map((r) => r.filesToPosesMainCpuS!)) : '—'} | ${spread(rs.map((r) => r.wallS))} | ${spread(rs.map((r) => r.cpuS))} | ${spread(rs.map((r) => r.load1), 1)} |`,
      );
    }
  }
  lines.push('', 'Sparrow stage medians (s), files->poses runs:');
  for (const s of sets) {
    for (const m of methods.filter((x) => x.name.startsWith('sparrow') && !x.name.includes('CLI'))) {
      const rs = runs.filter((r) => r.subset === s.id && r.method === m.name);
      const keys = Object.keys(rs[0].stages ?? {});
      lines.push(`- ${s.id} ${m.name}: ${keys.map((k) => `${k} ${f(median(rs.map((r) => (r.stages![k] ?? NaN) / 1000)))}`).join(', ')}`);
    }
  }
  const text = lines.join('\n');
  const out = arg('--out');
  if (out) writeFileSync(out, `${text}\n`);
  console.log(text);
  if (out) writeFileSync(`${out}.runs.json`, JSON.stringify(runs));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
