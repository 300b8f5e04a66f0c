/**
 * GPU prefix sum and radix sort throughput: `npm run bench:sort` (tsx bench/sort.ts [--sizes 100000,1000000,4000000]).
 * Prints a table and writes bench/results/sort.md. Times are wall clock from submit to
 * onSubmittedWorkDone, median of several runs after one warm-up, inputs already on the GPU.
 */
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { uploadStorage, createStorage } from '../engine/gpu/buffers.js';
import { PrefixSum } from '../engine/gpu/scan.js';
import { RadixSorter } from '../engine/gpu/sort.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { cpus, loadavg } from 'node:os';

const args = process.argv.slice(2);
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') ? sizesArg.split(',').map(Number) : [100_000, 1_000_000, 4_000_000];
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);

const gpu = await acquireGpu();
const adapter = `${describeAdapter(gpu.report)} [device: ${(gpu.adapter.info as { device?: string }).device || 'unknown'}]`;
console.log(`adapter: ${adapter}`);

/** Median wall ms and median process CPU ms (all threads: on a CPU adapter this is the GPU work). */
async function time(record: (enc: GPUCommandEncoder) => void): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const enc = gpu.device.createCommandEncoder();
    record(enc);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    gpu.device.queue.submit([enc.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    const c = process.cpuUsage(c0);
    if (r === 0) continue; // run 0 warms pipelines and scratch
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

const rows: string[] = [];
for (const n of sizes) {
  const keys = new Uint32Array(n);
  const values = new Uint32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    keys[i] = s;
    values[i] = i;
  }
  const scan = new PrefixSum(gpu);
  const sorter = new RadixSorter(gpu);
  const input = uploadStorage(gpu, values);
  const output = createStorage(gpu, n * 4);
  const k = uploadStorage(gpu, keys);
  const v = uploadStorage(gpu, values);
  const scanMs = await time((enc) => scan.encode(enc, input, output, n));
  // Sorting already-sorted data does the same work per pass as random data for LSD radix sort.
  const sort32 = await time((enc) => sorter.encode(enc, k, v, n, 32));
  const sort16 = await time((enc) => sorter.encode(enc, k, v, n, 16));
  const cell = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} (${t.cpu.toFixed(0)}) | ${(n / t.wall / 1e3).toFixed(2)}`;
  const row = `| ${n.toLocaleString('en-US')} | ${cell(scanMs)} | ${cell(sort32)} | ${cell(sort16)} |`;
  console.log(row);
  rows.push(row);
  for (const b of [input, output, k, v]) b.destroy();
  scan.dispose();
  sorter.dispose();
}

const md = `# GPU prefix sum and radix sort

Adapter: ${adapter}; RadixSorter localSort = ${new RadixSorter(gpu).localSort}
Date: ${new Date().toISOString()}; host load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores
Command: \`npx tsx bench/sort.ts${args.length ? ' ' + args.join(' ') : ''}\`

Median of ${runs} runs after a warm-up, inputs already on the GPU, from submit to onSubmittedWorkDone.
"ms (cpu)": wall milliseconds, and in brackets the process CPU milliseconds over all threads, which on a
CPU adapter (llvmpipe) is the GPU work itself and less sensitive to other load on a shared machine.
Sorts are key/value (u32, u32); the 16-bit sort runs 4 radix passes, the 32-bit one 8.

| elements | scan ms (cpu) | scan M/s | sort 32-bit ms (cpu) | Mpairs/s | sort 16-bit ms (cpu) | Mpairs/s |
|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
writeFileAtomic('bench/results/sort.md', md);
console.log('wrote bench/results/sort.md');
process.exit(0);
