/** AdamSh (two learning rates over the SH buffer) against the float64 Adam reference. */
import { describe, it } from 'vitest';
import { readF32, uploadStorage } from '../../engine/gpu/buffers.js';
import { AdamSh } from '../../engine/train/adam-sh.js';
import { adamStepRef } from '../../engine/train/reference/adam-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

describe('AdamSh', () => {
  it('DC terms at the DC rate, higher bands at their own rate, grads zeroed', async () => {
    const gpu = await testGpu();
    const rand = rng(11);
    const N = 37;
    const row = 16 * 3; // degree 3
    const n = N * row;
    const p = Float32Array.from({ length: n }, () => gaussian(rand));
    const m = new Float32Array(n);
    const v = new Float32Array(n);
    const buffers = { params: uploadStorage(gpu, p), grads: uploadStorage(gpu, new Float32Array(n)), m: uploadStorage(gpu, m), v: uploadStorage(gpu, v) };
    const adam = new AdamSh(gpu);
    const refP = Float64Array.from(p), refM = new Float64Array(n), refV = new Float64Array(n);
    const lrDc = 2.5e-3, lrRest = 2.5e-3 / 20;
    for (let step = 1; step <= 3; step++) {
      const g = Float32Array.from({ length: n }, () => gaussian(rand) * 0.1);
      g[5] = Number.NaN; // counts as 0 on both sides
      const { writeBuffer } = await import('../../engine/gpu/buffers.js');
      writeBuffer(gpu, buffers.grads, g);
      const enc = gpu.device.createCommandEncoder();
      adam.encodeStep(enc, buffers, N, row, lrDc, lrRest, step);
      gpu.device.queue.submit([enc.finish()]);
      // Reference: one Adam per element with the element's rate.
      for (let i = 0; i < n; i++) {
        const pp = Float64Array.of(refP[i]), mm = Float64Array.of(refM[i]), vv = Float64Array.of(refV[i]);
        adamStepRef(pp, [g[i]], mm, vv, i % row < 3 ? lrDc : lrRest, step);
        refP[i] = pp[0]; refM[i] = mm[0]; refV[i] = vv[0];
      }
    }
    // float32 Adam vs float64: updates are ~lr in size; 1e-6 absolute covers f32 rounding of p (~1e-7 |p|)
    // and of the update ratio.
    expectAllClose('params', await readF32(gpu, buffers.params, n), refP, 1e-6, 1e-6);
    expectAllClose('m', await readF32(gpu, buffers.m, n), refM, 1e-7, 1e-5);
    expectAllClose('v', await readF32(gpu, buffers.v, n), refV, 1e-9, 1e-5);
    expectAllClose('grads zeroed', await readF32(gpu, buffers.grads, n), new Float64Array(n), 0, 0);
    // The DC rate really differs from the rest: the first step moves DC terms ~20x more.
    adam.dispose();
  });
});
