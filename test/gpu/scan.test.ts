import { describe, expect, it } from 'vitest';
import { createStorage, readU32, uploadStorage } from '../../engine/gpu/buffers.js';
import { PrefixSum } from '../../engine/gpu/scan.js';
import { rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** CPU reference: plain loop, u32 wrap-around like the GPU. */
function prefixSumRef(input: Uint32Array, exclusive: boolean): Uint32Array {
  const out = new Uint32Array(input.length);
  let sum = 0;
  for (let i = 0; i < input.length; i++) {
    if (exclusive) out[i] = sum;
    sum = (sum + input[i]) >>> 0;
    if (!exclusive) out[i] = sum;
  }
  return out;
}

function randomU32(n: number, seed: number, max = 2 ** 32): Uint32Array {
  const rand = rng(seed);
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * max) >>> 0;
  return a;
}

function firstMismatch(got: Uint32Array, ref: Uint32Array): string {
  if (got.length !== ref.length) return `length ${got.length} != ${ref.length}`;
  for (let i = 0; i < got.length; i++) if (got[i] !== ref[i]) return `[${i}]: got ${got[i]}, want ${ref[i]}`;
  return 'none';
}

async function gpuScan(input: Uint32Array, exclusive: boolean, inPlace = false): Promise<Uint32Array> {
  const gpu = await testGpu();
  const scan = new PrefixSum(gpu);
  const src = uploadStorage(gpu, input);
  const dst = inPlace ? src : createStorage(gpu, input.length * 4);
  const enc = gpu.device.createCommandEncoder();
  scan.encode(enc, src, dst, input.length, exclusive);
  gpu.device.queue.submit([enc.finish()]);
  const got = await readU32(gpu, dst, input.length);
  scan.dispose();
  src.destroy();
  if (!inPlace) dst.destroy();
  return got;
}

describe('PrefixSum', () => {
  // Around every block boundary (1024), the spine chunk boundary (1024 blocks) and odd sizes.
  const sizes = [1, 2, 3, 255, 256, 257, 1000, 1023, 1024, 1025, 4097, 65537, 1024 * 1024 + 7];
  for (const n of sizes) {
    it(`exclusive scan of ${n} random u32 (wrapping) matches the CPU`, async () => {
      const input = randomU32(n, n);
      expect(firstMismatch(await gpuScan(input, true), prefixSumRef(input, true))).toBe('none');
    });
  }

  it('inclusive scan matches the CPU for small values on 3001 elements', async () => {
    const input = randomU32(3001, 9, 100);
    expect(firstMismatch(await gpuScan(input, false), prefixSumRef(input, false))).toBe('none');
  });

  it('scans in place (input === output), exclusive and inclusive', async () => {
    const input = randomU32(5000, 11, 1000);
    expect(firstMismatch(await gpuScan(input, true, true), prefixSumRef(input, true))).toBe('none');
    expect(firstMismatch(await gpuScan(input, false, true), prefixSumRef(input, false))).toBe('none');
  });

  it('handles max values (every partial sum wraps)', async () => {
    const input = new Uint32Array(2050).fill(0xffffffff);
    expect(firstMismatch(await gpuScan(input, true), prefixSumRef(input, true))).toBe('none');
  });

  it('keeps separate parameters for several scans recorded in one encoder', async () => {
    const gpu = await testGpu();
    const scan = new PrefixSum(gpu);
    const a = randomU32(70_000, 1, 50);
    const b = randomU32(300, 2, 50);
    const bufA = uploadStorage(gpu, a);
    const bufB = uploadStorage(gpu, b);
    const outA = createStorage(gpu, a.length * 4);
    const outB = createStorage(gpu, b.length * 4);
    const enc = gpu.device.createCommandEncoder();
    scan.encode(enc, bufA, outA, a.length, true);
    scan.encode(enc, bufB, outB, b.length, false);
    gpu.device.queue.submit([enc.finish()]);
    expect(firstMismatch(await readU32(gpu, outA, a.length), prefixSumRef(a, true))).toBe('none');
    expect(firstMismatch(await readU32(gpu, outB, b.length), prefixSumRef(b, false))).toBe('none');
    scan.dispose();
  });

  it('folds the block grid into 2-D when blocks exceed the per-dimension limit', async () => {
    const gpu = await testGpu();
    // 20 blocks with at most 7 workgroups per dimension: a 7x3 grid with one idle workgroup.
    const scan = new PrefixSum(gpu, { maxWorkgroupsPerDimension: 7 });
    const input = randomU32(20 * 1024 - 5, 12, 1000);
    const src = uploadStorage(gpu, input);
    const dst = createStorage(gpu, input.length * 4);
    const enc = gpu.device.createCommandEncoder();
    scan.encode(enc, src, dst, input.length);
    gpu.device.queue.submit([enc.finish()]);
    expect(firstMismatch(await readU32(gpu, dst, input.length), prefixSumRef(input, true))).toBe('none');
    scan.dispose();
  });

  it('rejects buffers smaller than count', async () => {
    const gpu = await testGpu();
    const scan = new PrefixSum(gpu);
    const small = createStorage(gpu, 16);
    expect(() => scan.encode(gpu.device.createCommandEncoder(), small, small, 5)).toThrow(/count is 5/);
    scan.dispose();
  });
});
