/**
 * Throughput of the training kernels owned by engine/train/{ssim,adam,gather}.ts:
 * `npx tsx bench/train-kernels.ts`. Writes bench/results/train-kernels.md.
 * Times: median of several runs after a warm-up, submit to onSubmittedWorkDone; in brackets the
 * process CPU ms over all threads (on a CPU adapter that is the GPU work itself).
 */
import { cpus, loadavg } from 'node:os';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { createStorage, uploadStorage } from '../engine/gpu/buffers.js';
import { Adam } from '../engine/train/adam.js';
import { RowGather } from '../engine/train/gather.js';
import { SsimL1Loss } from '../engine/train/ssim.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';

const runs = 5;
const gpu = await acquireGpu();
const adapter = `${describeAdapter(gpu.report)} [device: ${(gpu.adapter.info as { device?: string }).device || 'unknown'}]`;
console.log(`adapter: ${adapter}`);

async function time(record: (enc: GPUCommandEncoder) => void): Promise<string> {
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
    if (r === 0) continue;
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return `${median(wall).toFixed(1)} (${median(cpu).toFixed(0)})`;
}

const rows: string[] = [];
const row = (what: string, size: string, t: string) => {
  const line = `| ${what} | ${size} | ${t} |`;
  console.log(line);
  rows.push(line);
};

for (const [w, h] of [[200, 150], [800, 800]]) {
  const n = w * h * 3;
  let s = 1;
  const img = Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
  const r = uploadStorage(gpu, img);
  const t = uploadStorage(gpu, img.map((x, i) => (i % 7 === 0 ? 1 - x : x)));
  const v = createStorage(gpu, n * 4);
  const out = createStorage(gpu, 16);
  const loss = new SsimL1Loss(gpu, w, h);
  row('SSIM+L1 forward', `${w}x${h}`, await time((e) => loss.encodeForward(e, r, t, out)));
  row('SSIM+L1 forward+backward', `${w}x${h}`, await time((e) => loss.encodeForwardBackward(e, r, t, v, out)));
  loss.dispose();
  for (const b of [r, t, v, out]) b.destroy();
}

// 1M Gaussians at SH degree 3: 3 + 3 + 4 + 1 + 48 = 59 floats each.
for (const gaussians of [100_000, 1_000_000]) {
  const floats = gaussians * 59;
  const adam = new Adam(gpu);
  const params = createStorage(gpu, floats * 4);
  const grads = createStorage(gpu, floats * 4);
  const { m, v } = adam.createMoments(floats);
  row('Adam step (params, grads, m, v)', `${gaussians.toLocaleString('en-US')} x 59 f32`, await time((e) => adam.encodeStep(e, { params, grads, m, v, count: floats }, 1e-3, 10)));
  const gather = new RowGather(gpu);
  const indices = uploadStorage(gpu, Uint32Array.from({ length: gaussians }, (_x, i) => (i * 7) % gaussians));
  const dst = createStorage(gpu, floats * 4);
  row('gather rows (one buffer)', `${gaussians.toLocaleString('en-US')} x 59 f32`, await time((e) => gather.encode(e, params, dst, 59, indices, gaussians, gaussians)));
  for (const b of [params, grads, m, v, indices, dst]) b.destroy();
  adam.dispose();
  gather.dispose();
}

const md = `# Training kernels: SSIM+L1 loss, Adam, row gather

Adapter: ${adapter}
Date: ${new Date().toISOString()}; host load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores
Command: \`npx tsx bench/train-kernels.ts\`

Median of ${runs} runs after a warm-up, inputs on the GPU, submit to onSubmittedWorkDone: wall ms, and in
brackets the process CPU ms over all threads (on a CPU adapter, the GPU work; robust to other load).

| kernel | size | ms (cpu ms) |
|---|---|---:|
${rows.join('\n')}
`;
writeFileAtomic('bench/results/train-kernels.md', md);
console.log('wrote bench/results/train-kernels.md');
process.exit(0);
