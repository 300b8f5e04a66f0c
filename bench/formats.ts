/**
 * Scene-format benchmark: encode / decode time and file size per format at 100k and 1M
 * splats (SH degree 3 unless the format caps it). CPU only (no GPU adapter is involved).
 * Writes bench/results/formats.md.
 *
 *   npm run bench:formats            (or: npx tsx bench/formats.ts [counts...])
 */
import { cpus, loadavg } from 'node:os';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { decodeScene, encodeScene, type EncodeOptions, type SceneFormat } from '../engine/io/scene-file.js';
import { createScene, shCoeffCount, type GaussianScene } from '../engine/splat/scene.js';

function syntheticScene(n: number, degree: number): GaussianScene {
  // Deterministic, scene-like values: clustered positions, small scales, mixed opacities.
  let seed = 1;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const s = createScene(n, degree);
  const K = shCoeffCount(degree);
  for (let i = 0; i < n; i++) {
    const cluster = Math.floor(rand() * 64);
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = ((cluster >> (a * 2)) & 3) * 2 - 3 + (rand() - 0.5) * 1.5;
      s.logScales[i * 3 + a] = -5 + 3 * rand();
    }
    for (let a = 0; a < 4; a++) s.quats[i * 4 + a] = rand() * 2 - 1;
    s.opacityLogits[i] = -3 + 8 * rand();
    for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) s.sh[(i * K + k) * 3 + c] = (rand() * 2 - 1) * (k === 0 ? 1.5 : 0.3 / k);
  }
  return s;
}

interface Row { format: string; n: number; degree: number; bytes: number; encodeMs: number; decodeMs: number; encodeCpuMs: number; decodeCpuMs: number }

async function measure(scene: GaussianScene, label: string, format: SceneFormat, opts: EncodeOptions): Promise<Row> {
  // Wall clock and this process's CPU time (user + system): on a shared machine the CPU time is
  // the steadier figure.
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  let t = performance.now();
  let c = process.cpuUsage();
  const bytes = await encodeScene(scene, format, opts);
  const encodeMs = performance.now() - t;
  const encodeCpuMs = cpuMs(process.cpuUsage(c));
  t = performance.now();
  c = process.cpuUsage();
  const back = await decodeScene(bytes, `bench.${format}`, format);
  const decodeMs = performance.now() - t;
  const decodeCpuMs = cpuMs(process.cpuUsage(c));
  if (back.count !== scene.count) throw new Error(`${label}: decoded ${back.count} splats, wrote ${scene.count}`);
  return { format: label, n: scene.count, degree: back.shDegree, bytes: bytes.length, encodeMs, decodeMs, encodeCpuMs, decodeCpuMs };
}

const counts = process.argv.slice(2).map(Number).filter((v) => v > 0);
const sizes = counts.length ? counts : [100_000, 1_000_000];
const rows: Row[] = [];
for (const n of sizes) {
  const scene = syntheticScene(n, 3);
  const scene0 = syntheticScene(n, 0);
  const cases: [string, SceneFormat, EncodeOptions, GaussianScene][] = [
    ['ply', 'ply', {}, scene],
    ['compressed-ply', 'compressed-ply', {}, scene],
    ['spz v3 (gzip)', 'spz', { spzVersion: 3 }, scene],
    ['spz v4 (zstd)', 'spz', { spzVersion: 4 }, scene],
    ['splat', 'splat', {}, scene0],
    ['glb', 'glb', {}, scene],
    [n <= 65536 ? 'sog' : 'sog (product-quantized SH palette)', 'sog', {}, scene],
  ];
  for (const [label, format, opts, s] of cases) {
    const row = await measure(s, label, format, opts);
    rows.push(row);
    console.log(`${label.padEnd(30)} n=${n} SH${row.degree} ${(row.bytes / 2 ** 20).toFixed(1)} MiB  write ${row.encodeMs.toFixed(0)} ms (cpu ${row.encodeCpuMs.toFixed(0)})  read ${row.decodeMs.toFixed(0)} ms (cpu ${row.decodeCpuMs.toFixed(0)})`);
  }
}

const lines = [
  '# Scene formats: size and encode/decode time',
  '',
  `Date: ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench:formats\` (${sizes.join(', ')} splats).`,
  `Host: CPU only, no GPU adapter involved (${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores shared with other work), Node ${process.version}.`,
  'Synthetic scene: clustered positions, SH degree 3 (".splat" holds DC only; above 65536 splats SOG stores SH through a product-quantized palette).',
  'Times are in-memory encode/decode (no disk I/O), one run each: wall clock, and in parentheses this process\'s CPU time',
  `(user + system; steadier on a shared machine: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores at the end of the run).`,
  '',
  '| format | splats | SH | size (MiB) | bytes/splat | encode ms (cpu) | decode ms (cpu) |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.format} | ${r.n.toLocaleString('en-US')} | ${r.degree} | ${(r.bytes / 2 ** 20).toFixed(2)} | ${(r.bytes / r.n).toFixed(1)} | ${r.encodeMs.toFixed(0)} (${r.encodeCpuMs.toFixed(0)}) | ${r.decodeMs.toFixed(0)} (${r.decodeCpuMs.toFixed(0)}) |`),
  '',
];
writeFileAtomic('bench/results/formats.md', lines.join('\n'));
console.log('wrote bench/results/formats.md');
