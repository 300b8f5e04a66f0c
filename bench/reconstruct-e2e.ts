/**
 * `npm run bench:e2e`: the whole `sparrow reconstruct` pipeline (poses -> depth -> init ->
 * train -> export, no poses given) on
 *   fern3   ../shared/data/fern's 3-view sparse split (sparse_train_filenames), copied as photos
 *   sample  the bundled assets/sample/photos (5 fern photos)
 * and reports the wall time of each stage and end to end. With --profile, every training step
 * is split into phases (forward render, photometric loss, depth-prior terms, backward,
 * regularizer hooks incl. pseudo views, pose refinement, optimizer, readbacks, densification);
 * each phase waits for the GPU (onSubmittedWorkDone) before it is timed, which serializes host
 * and GPU, so profiled runs are slower than plain ones: use them for shares, plain runs for wall time.
 *
 * npm run bench:e2e -- [--sets fern3,sample] [--preset fast] [--profile] [--iters N]
 *                      [--out DIR] [--from train|init|depth]  (reuse DIR's earlier stages; dev loop)
 * Prints markdown rows for bench/results/e2e.md and writes <out>/<set>/e2e.json.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { reconstructConfig, type Preset } from '../engine/pipeline/config.js';
import type { StageName } from '../engine/pipeline/events.js';
import { listPhotos, readPhotos } from '../engine/pipeline/photos.js';
import { reconstruct, reconstructFingerprint } from '../engine/pipeline/reconstruct.js';
import type { RunState } from '../engine/pipeline/stage-runner.js';
import { StepProfiler, type StepRecord } from '../engine/train/step-profile.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sets = (flag('sets') ?? 'fern3,sample').split(',');
const preset = (flag('preset') ?? 'fast') as Preset;
const profile = args.includes('--profile');
const iters = flag('iters') ? Number(flag('iters')) : undefined;
const outRoot = flag('out') ?? mkdtempSync(join(tmpdir(), 'sparrow-e2e-'));
const from = flag('from') as StageName | undefined;
const WARMUP_STEPS = 4;
const ORDER: StageName[] = ['poses', 'depth', 'init', 'train', 'export'];

/** A folder of photos for each set (fern3: the sparse split's PNGs, copied). */
function photosFor(set: string): string {
  if (set === 'sample') return 'assets/sample/photos';
  if (set === 'fern3') {
    const root = '../shared/data/fern';
    const meta = JSON.parse(readFileSync(join(root, 'transforms.json'), 'utf8')) as { sparse_train_filenames: string[] };
    const dir = join(outRoot, 'fern3-photos');
    mkdirSync(dir, { recursive: true });
    for (const f of meta.sparse_train_filenames) copyFileSync(join(root, f), join(dir, basename(f)));
    return dir;
  }
  throw new Error(`--sets: unknown set '${set}' (fern3, sample)`);
}

/**
 * Dev loop: keep the stages of an earlier run in `out` that come before `from` and drop the
 * rest, re-keyed to the current settings (valid only when the kept stages' settings did not change).
 */
function keepStagesBefore(out: string, photosDir: string, cfg: ReturnType<typeof reconstructConfig>): void {
  const statePath = join(out, 'state.json');
  if (!from || !existsSync(statePath)) return;
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as RunState;
  const keep = ORDER.slice(0, ORDER.indexOf(from));
  state.stages = state.stages.filter((s) => keep.includes(s.name));
  state.fingerprint = reconstructFingerprint(cfg, readPhotos(listPhotos(photosDir)));
  rmSync(join(out, 'train.ckpt'), { force: true });
  writeFileAtomic(statePath, JSON.stringify(state, null, 2));
}

const fmt = (ms: number) => (ms / 1000).toFixed(1);

/** Mean wall and CPU ms per phase; shares of CPU (wall on a shared machine is mostly waiting). */
function phaseTable(title: string, records: StepRecord[]): string[] {
  if (records.length === 0) return [];
  const wall: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const r of records) {
    for (const [k, v] of Object.entries(r.phases)) wall[k] = (wall[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.cpu)) cpu[k] = (cpu[k] ?? 0) + v;
  }
  const n = records.length;
  const totalWall = Object.values(wall).reduce((a, b) => a + b, 0);
  const totalCpu = Object.values(cpu).reduce((a, b) => a + b, 0);
  const lines = [
    `${title}: ${n} steps, ${(totalWall / n).toFixed(0)} ms/step wall, ${(totalCpu / n).toFixed(0)} ms/step CPU`,
    '',
    '| phase | wall ms/step | CPU ms/step | CPU share |',
    '|---|---|---|---|',
  ];
  for (const [k, v] of Object.entries(cpu).sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${k} | ${(wall[k] / n).toFixed(1)} | ${(v / n).toFixed(1)} | ${((100 * v) / totalCpu).toFixed(1)}% |`);
  }
  const detail: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r.detail)) detail[k] = (detail[k] ?? 0) + v;
  lines.push('', `forward detail (mean): ${Object.entries(detail).map(([k, v]) => `${k} ${(v / records.length).toFixed(k.endsWith('Ms') ? 1 : 0)}`).join(', ')}`, '');
  return lines;
}

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
console.log(`adapter: ${adapter}\nout: ${outRoot}`);
for (const set of sets) {
  const photosDir = photosFor(set);
  const cfg = reconstructConfig(preset, iters ? { train: { iterations: iters, meansLrMaxSteps: iters } } : {});
  const out = join(outRoot, set);
  keepStagesBefore(out, photosDir, cfg);
  const profiler = profile ? new StepProfiler(gpu) : undefined;
  let lastStep = 0;
  // CPU seconds of this process (host + llvmpipe's threads): steadier than wall time on a shared machine.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const stageCpu: Record<string, number> = {};
  const cpuStack: number[] = []; // stages nest (poses has sub-stages): the outermost done is the stage's
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const report = await reconstruct({
    photosDir,
    outDir: out,
    config: cfg,
    gpu,
    trainProfiler: profiler,
    resume: Boolean(from),
    onEvent: (e) => {
      if (e.type === 'stage' && e.status === 'start') cpuStack.push(cpuMs());
      if (e.type === 'stage' && e.status === 'done') {
        const c0 = cpuStack.pop()!;
        if (cpuStack.length === 0) stageCpu[e.stage] = cpuMs() - c0;
      }
      if (e.type === 'stage' && e.status !== 'start') console.log(`  ${e.stage} ${e.status}${e.elapsedMs ? ` ${fmt(e.elapsedMs)} s` : ''}`);
      if (e.type === 'step' && e.step >= lastStep + 50) {
        lastStep = e.step;
        console.log(`  step ${e.step}/${e.total} loss ${e.metrics?.loss?.toFixed(4)} psnr ${e.metrics?.psnr?.toFixed(2) ?? '-'} gaussians ${e.metrics?.gaussians} ${e.rate?.toFixed(2)} it/s`);
      }
      if (e.type === 'warning') console.log(`  warning: ${e.message}`);
    },
  });
  const wallMs = performance.now() - t0;
  const totalCpuMs = cpuMs() - cpu0;
  const stages = Object.fromEntries(report.stages.map((s) => [s.name, s.elapsedMs]));
  const lines = [
    `### ${set} (${report.photos} photos, ${report.registered} registered, ${report.featureBackend}), preset ${preset}${iters ? `, ${iters} steps` : ''}${profile ? ', PROFILED' : ''}`,
    '',
    `| s | ${ORDER.join(' | ')} | end to end (this process) |`,
    `|---|${ORDER.map(() => '---|').join('')}---|`,
    `| wall | ${ORDER.map((s) => (stages[s] !== undefined ? fmt(stages[s]) : '-')).join(' | ')} | ${fmt(wallMs)} |`,
    `| CPU | ${ORDER.map((s) => (stageCpu[s] !== undefined ? fmt(stageCpu[s]) : '-')).join(' | ')} | ${fmt(totalCpuMs)} |`,
    '',
    `train: ${report.train?.steps} steps, ${report.gaussians} Gaussians, final loss ${report.train?.finalLoss.toFixed(4)}, train PSNR ${report.train?.trainPsnr?.toFixed(2) ?? '-'}; depth confident ${(100 * (report.depth?.meanConfidentFraction ?? 0)).toFixed(1)}%`,
    '',
  ];
  if (profiler) {
    const interval = cfg.regularizers.pseudoViewInterval;
    // The first steps compile kernels on first use (regularizers, pseudo views): left out.
    const warm = profiler.steps.filter((r) => r.step > WARMUP_STEPS);
    lines.push(...phaseTable(`steps after ${WARMUP_STEPS} warm-up steps`, warm));
    if (interval > 0) {
      lines.push(...phaseTable(`of which with a pseudo view (every ${interval})`, warm.filter((r) => r.step % interval === 0)));
      lines.push(...phaseTable('of which without', warm.filter((r) => r.step % interval !== 0)));
    }
  }
  console.log(lines.join('\n'));
  writeFileAtomic(join(out, 'e2e.json'), JSON.stringify({ set, adapter, date: new Date().toISOString(), preset, iters, profile, wallMs, totalCpuMs, stages, stageCpu, report: { ...report, config: undefined }, steps: profiler?.steps }, null, 1));
}
