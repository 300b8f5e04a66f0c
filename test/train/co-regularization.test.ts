/**
 * CoR-GS building blocks: the co-pruning selection (host, known answers and brute force), the
 * pseudo-view co-regularization loss (float64 reference vs finite differences in BOTH images;
 * GPU vs reference) and the scale kernel it uses (GPU vs reference).
 */
import { describe, expect, it } from 'vitest';
import { createStorage, readF32, uploadStorage } from '../../engine/gpu/buffers.js';
import { coPruneSelection, nonMatchingMask } from '../../engine/train/co-regularization/co-prune.js';
import { CoRegLoss, ScaleF32 } from '../../engine/train/co-regularization/co-reg-loss.js';
import { coRegGradRef, coRegLossRef, scaleRef } from '../../engine/train/co-regularization/reference/co-reg-ref.js';
import { ssimL1LossRef } from '../../engine/train/reference/ssim-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** A smooth random image [H, W, 3] in [0, 1] plus noise (like a render). */
function randomImage(width: number, height: number, seed: number): Float64Array {
  const rand = rng(seed);
  const fx = 1 + rand() * 3;
  const img = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) img[(y * width + x) * 3 + c] = Math.min(1, Math.max(0, 0.5 + 0.3 * Math.sin((fx * x) / width * 6.28 + c) * Math.cos(y / height * 6.28) + 0.2 * (rand() - 0.5)));
  return img;
}

describe('co-pruning selection', () => {
  it('prunes exactly the points with no partner within τ (known answer, cell borders, ties, NaN)', () => {
    const a = Float32Array.from([
      0, 0, 0, // 0.5 from b0: kept
      10, 0, 0, // nothing near: pruned
      -0.25, 0, 0, // in the cell left of b0's (τ = 1), 0.75 away: kept
      1.5, 0, 0, // exactly τ from b0: kept (<= τ)
      1.5, 0.01, 0, // just over τ: pruned
      Number.NaN, 0, 0, // NaN: pruned
    ]);
    const b = Float32Array.from([
      0.5, 0, 0, // near a0: kept
      3, 3, 3, // nothing near: pruned
      -7, 0, 0, // nothing near (a2 is 6.75 away): pruned
    ]);
    expect(Array.from(nonMatchingMask(a, b, 1))).toEqual([0, 1, 0, 0, 1, 1]);
    const { keepA, keepB } = coPruneSelection(a, b, 1);
    expect(Array.from(keepA)).toEqual([0, 2, 3]);
    expect(Array.from(keepB)).toEqual([0]);
    // τ = 8 spans many cells: a1 is 8.19 from b1 (pruned), everything else of a but NaN has a partner; b1 is 5.2 from a0, b2 6.75 from a2.
    expect(Array.from(coPruneSelection(a, b, 8).keepA)).toEqual([0, 2, 3, 4]);
    expect(Array.from(coPruneSelection(a, b, 8).keepB)).toEqual([0, 1, 2]);
  });

  it('equals brute force on random clouds (negative coordinates, several τ)', () => {
    const rand = rng(11);
    const cloud = (n: number, spread: number) => Float32Array.from({ length: n * 3 }, () => spread * gaussian(rand) - 2);
    const a = cloud(700, 3);
    const b = cloud(500, 3);
    for (const tau of [0.15, 0.4, 0.8]) {
      const brute = Array.from({ length: 700 }, (_, i) => {
        for (let j = 0; j < 500; j++) {
          const d2 = (a[i * 3] - b[j * 3]) ** 2 + (a[i * 3 + 1] - b[j * 3 + 1]) ** 2 + (a[i * 3 + 2] - b[j * 3 + 2]) ** 2;
          if (d2 <= tau * tau) return 0;
        }
        return 1;
      });
      const got = Array.from(nonMatchingMask(a, b, tau));
      expect(got).toEqual(brute);
      // Not a degenerate case: some pruned, some kept.
      expect(got.some((v) => v === 1) && got.some((v) => v === 0)).toBe(true);
    }
  });

  it('rejects a non-positive distance', () => {
    expect(() => nonMatchingMask(new Float32Array(3), new Float32Array(3), 0)).toThrow(/distance/);
  });
});

describe('pseudo-view co-regularization loss', () => {
  it('reference gradient in both renders matches central finite differences', () => {
    const [w, h] = [9, 7];
    const a = randomImage(w, h, 1);
    const b = randomImage(w, h, 2);
    const weight = 0.7;
    const { vA, vB } = coRegGradRef(a, b, w, h, weight);
    const eps = 1e-6;
    const fd = (img: Float64Array, which: 'a' | 'b') =>
      Array.from(img, (_, i) => {
        const p = Float64Array.from(img);
        const m = Float64Array.from(img);
        p[i] += eps;
        m[i] -= eps;
        const lp = which === 'a' ? coRegLossRef(p, b, w, h, weight) : coRegLossRef(a, p, w, h, weight);
        const lm = which === 'a' ? coRegLossRef(m, b, w, h, weight) : coRegLossRef(a, m, w, h, weight);
        return (lp - lm) / (2 * eps);
      });
    // float64 central differences of a smooth function (|a - b| >> eps, so no L1 kink is crossed): ~1e-10 error.
    expectAllClose('dR/dA vs FD', vA, fd(a, 'a'), 1e-8, 1e-5);
    expectAllClose('dR/dB vs FD', vB, fd(b, 'b'), 1e-8, 1e-5);
    // The loss is symmetric, so it is the training loss either way round, times the weight.
    expect(coRegLossRef(a, b, w, h, weight)).toBeCloseTo(weight * ssimL1LossRef(b, a, w, h).loss, 14);
  });

  it('GPU gradients and loss match the reference on random renders', async () => {
    const gpu = await testGpu();
    const [w, h] = [37, 21]; // not a multiple of the 16x16 tile
    const a = randomImage(w, h, 3);
    const b = randomImage(w, h, 4);
    const weight = 1.7;
    const loss = new CoRegLoss(gpu, w, h);
    const io = { colorA: uploadStorage(gpu, Float32Array.from(a)), colorB: uploadStorage(gpu, Float32Array.from(b)), vA: createStorage(gpu, a.length * 4), vB: createStorage(gpu, a.length * 4), lossOut: createStorage(gpu, 16) };
    const enc = gpu.device.createCommandEncoder();
    loss.encode(enc, io, weight);
    gpu.device.queue.submit([enc.finish()]);
    const ref = coRegGradRef(a, b, w, h, weight);
    const gA = await readF32(gpu, io.vA, a.length);
    const gB = await readF32(gpu, io.vB, a.length);
    const max = Math.max(...ref.vA.map(Math.abs), ...ref.vB.map(Math.abs));
    // f32 SSIM window sums (~121 terms) against float64: same tolerance as the SsimL1Loss tests.
    expectAllClose('vA', gA, ref.vA, 1e-5 * max, 1e-4);
    expectAllClose('vB', gB, ref.vB, 1e-5 * max, 1e-4);
    expect((await readF32(gpu, io.lossOut, 1))[0]).toBeCloseTo(coRegLossRef(a, b, w, h, 1), 5);
    loss.dispose();
    for (const buf of Object.values(io)) buf.destroy();
  });

  it('scale kernel matches the reference on random values (count not a multiple of the workgroup)', async () => {
    const gpu = await testGpu();
    const rand = rng(9);
    const n = 1000;
    const values = Float32Array.from({ length: n + 5 }, () => gaussian(rand));
    const buf = uploadStorage(gpu, values);
    const scale = new ScaleF32(gpu);
    const enc = gpu.device.createCommandEncoder();
    scale.encode(enc, buf, n, -0.37);
    gpu.device.queue.submit([enc.finish()]);
    const got = await readF32(gpu, buf, n + 5);
    const ref = [...scaleRef(values.subarray(0, n), -0.37), ...values.subarray(n)];
    // One f32 multiply: within half an ulp of the float64 product.
    expectAllClose('scaled', got, ref, 0, 1e-7);
    scale.dispose();
    buf.destroy();
  });
});
