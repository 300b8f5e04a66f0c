import { describe, expect, it } from 'vitest';
import { readF32, readU32, uploadStorage } from '../../engine/gpu/buffers.js';
import { Adam, bindingChunks } from '../../engine/train/adam.js';
import { adamStepRef } from '../../engine/train/reference/adam-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

describe('Adam (GPU) vs the float64 reference', () => {
  for (const maxBindingBytes of [undefined, 2048]) {
  it(`matches over several steps with two groups in one buffer, changing learning rates (binding limit ${maxBindingBytes ?? 'device'})`, async () => {
    const gpu = await testGpu();
    const rand = rng(1);
    const n = 3000;
    const split = 1234; // group A: [0, split), group B: [split, n)
    const p0 = Float32Array.from({ length: n }, () => gaussian(rand));
    const refP = Float64Array.from(p0);
    const refM = new Float64Array(n);
    const refV = new Float64Array(n);
    // A 2048-byte limit forces sub-range bindings: 512 floats each, group B starting unaligned.
    const adam = new Adam(gpu, {}, { maxBindingBytes });
    const params = uploadStorage(gpu, p0);
    const { m, v } = adam.createMoments(n);
    const grads = uploadStorage(gpu, new Float32Array(n));
    for (let step = 1; step <= 6; step++) {
      // Gradients over many magnitudes, including exact zeros and tiny values (eps = 1e-15 matters there).
      const g = Float32Array.from({ length: n }, (_v, i) =>
        i % 97 === 0 ? 0 : gaussian(rand) * 10 ** Math.floor(rand() * 8 - 6),
      );
      gpu.device.queue.writeBuffer(grads, 0, g);
      const lrA = 1e-3 * 0.9 ** step;
      const lrB = 5e-2;
      const enc = gpu.device.createCommandEncoder();
      adam.encodeSteps(enc, [
        { group: { params, grads, m, v, count: split }, lr: lrA },
        { group: { params, grads, m, v, count: n - split, offset: split }, lr: lrB },
      ], step);
      gpu.device.queue.submit([enc.finish()]);
      const refA = [refP.subarray(0, split), g.subarray(0, split), refM.subarray(0, split), refV.subarray(0, split)] as const;
      adamStepRef(refA[0], refA[1], refA[2], refA[3], lrA, step);
      adamStepRef(refP.subarray(split), g.subarray(split), refM.subarray(split), refV.subarray(split), lrB, step);
      // The gradient is consumed: zeroed on the GPU.
      const after = await readU32(gpu, grads, n);
      expect(after.every((x) => x === 0)).toBe(true);
    }
    // f32 state vs float64 over 6 steps. m sums gradients of both signs over 8 decades, so its
    // rounding error is relative to the largest term, not to m: atol scales with max |m|. v is a sum
    // of positive terms: relative error only. Parameters are O(1) and move by <= ~lr per step.
    const maxM = refM.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    expectAllClose('params', await readF32(gpu, params, n), refP, 1e-6, 1e-5);
    expectAllClose('m', await readF32(gpu, m, n), refM, 1e-6 * maxM, 1e-5);
    expectAllClose('v', await readF32(gpu, v, n), refV, 0, 1e-5);
    // The step actually moved the parameters (a no-op kernel would fail above too, but be explicit).
    const moved = (await readF32(gpu, params, n)).filter((x, i) => Math.abs(x - p0[i]) > 1e-4).length;
    expect(moved).toBeGreaterThan(n / 2);
    adam.dispose();
  });
  }

  it('splits ranges into aligned bindings under the limit', () => {
    const chunks = bindingChunks(100, 1000, 1024, 256);
    expect(chunks.map((c) => [c.bindOffset, c.bindSize, c.localOffset, c.count])).toEqual([
      [256, 1024, 36, 220], [1280, 1024, 0, 256], [2304, 1024, 0, 256], [3328, 1024, 0, 256], [4352, 48, 0, 12],
    ]);
    expect(chunks.reduce((a, c) => a + c.count, 0)).toBe(1000);
  });

  it('reads gradients stored as atomic<u32> bit patterns and ignores NaN/Inf gradients', async () => {
    const gpu = await testGpu();
    const adam = new Adam(gpu);
    const g = new Float32Array([0.5, -2, NaN, Infinity, 1e-20]);
    const gradBits = new Uint32Array(g.buffer.slice(0)); // what atomic_add_f32 leaves behind
    const p0 = new Float32Array([1, 2, 3, 4, 5]);
    const params = uploadStorage(gpu, p0);
    const grads = uploadStorage(gpu, gradBits);
    const { m, v } = adam.createMoments(5);
    const enc = gpu.device.createCommandEncoder();
    adam.encodeStep(enc, { params, grads, m, v, count: 5 }, 0.1, 1);
    gpu.device.queue.submit([enc.finish()]);
    const refP = Float64Array.from(p0);
    adamStepRef(refP, g, new Float64Array(5), new Float64Array(5), 0.1, 1);
    const got = await readF32(gpu, params, 5);
    // First step moves every parameter with a non-zero gradient by ~lr: p - lr * sign(g).
    expectAllClose('params', got, refP, 1e-6, 1e-6);
    expect(got[2]).toBe(3);
    expect(got[3]).toBe(4);
    expect(got[0]).toBeCloseTo(0.9, 5);
    adam.dispose();
  });
});
