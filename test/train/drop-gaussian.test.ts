/**
 * DropGaussian: the float64 reference (drop mask, capped opacity compensation, backward by
 * central finite differences) and the GPU kernels against it on random logits.
 */
import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage, createStorage } from '../../engine/gpu/buffers.js';
import { DropGaussianKernels, dropRateAt } from '../../engine/train/regularizers/drop-gaussian.js';
import {
  DROP_OPACITY_CAP,
  DROPPED_LOGIT,
  dropGaussianBackwardRef,
  dropGaussianForwardRef,
  dropUniform,
  keepGaussian,
  type DropParams,
} from '../../engine/train/regularizers/reference/drop-gaussian-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Logits spread over the useful range (-8..8), plus extremes a long run produces. */
function randomLogits(n: number, seed: number): Float32Array {
  const rand = rng(seed);
  const l = Float32Array.from({ length: n }, () => 3 * gaussian(rand));
  l[0] = -30;
  l[1] = 20;
  l[2] = 0;
  return l;
}

describe('DropGaussian reference', () => {
  it('drops a fraction `rate` of the Gaussians, independently per step, repeatably per seed', () => {
    const n = 20000;
    const p: DropParams = { rate: 0.2, seed: 7, step: 100 };
    const kept = Array.from({ length: n }, (_, i) => keepGaussian(p, i));
    const dropped = kept.filter((k) => !k).length / n;
    // Binomial: sd sqrt(0.2 * 0.8 / 20000) = 0.0028; 0.01 is 3.5 sd.
    expect(Math.abs(dropped - 0.2)).toBeLessThan(0.01);
    const next = Array.from({ length: n }, (_, i) => keepGaussian({ ...p, step: 101 }, i));
    const otherSeed = Array.from({ length: n }, (_, i) => keepGaussian({ ...p, seed: 8 }, i));
    // Independent draws: both dropped with probability 0.04 (sd 0.0014).
    const both = (a: boolean[], b: boolean[]) => a.filter((k, i) => !k && !b[i]).length / n;
    expect(Math.abs(both(kept, next) - 0.04)).toBeLessThan(0.006);
    expect(Math.abs(both(kept, otherSeed) - 0.04)).toBeLessThan(0.006);
    expect(Array.from({ length: n }, (_, i) => keepGaussian(p, i))).toEqual(kept);
    for (let i = 0; i < 1000; i++) {
      const u = dropUniform(3, 5, i);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it('keeps the expected opacity: kept ones scaled by 1/(1-rate) below the cap, dropped ones invisible', () => {
    const logits = randomLogits(500, 1);
    const p: DropParams = { rate: 0.25, seed: 1, step: 9 };
    const f = dropGaussianForwardRef(logits, p);
    let capped = 0;
    for (let i = 0; i < logits.length; i++) {
      if (!f.kept[i]) {
        expect(f.logits[i]).toBe(DROPPED_LOGIT);
        continue;
      }
      const want = Math.min(sigmoid(logits[i]) / (1 - p.rate), DROP_OPACITY_CAP);
      expect(sigmoid(f.logits[i])).toBeCloseTo(want, 12);
      capped += f.capped[i];
    }
    expect(capped).toBeGreaterThan(0);
    expect(sigmoid(DROPPED_LOGIT)).toBeLessThan(1e-15);
  });

  it('backward matches central finite differences below the cap and is continuous across it', () => {
    const logits = randomLogits(400, 2);
    const p: DropParams = { rate: 0.2, seed: 4, step: 33 };
    const rand = rng(9);
    const w = Float64Array.from(logits, () => gaussian(rand));
    // L(l) = sum_i w_i l'_i(l): dL/dl = backward(w).
    const v = dropGaussianBackwardRef(logits, p, w);
    const c = 1 / (1 - p.rate);
    const h = 1e-5;
    const fd = new Float64Array(logits.length);
    const want = new Float64Array(logits.length);
    let checked = 0;
    for (let i = 0; i < logits.length; i++) {
      const o = c * sigmoid(logits[i]);
      // Within 1e-3 of the cap the FD step would straddle the kink.
      if (Math.abs(o - DROP_OPACITY_CAP) < 1e-3 || o > DROP_OPACITY_CAP) continue;
      const at = (x: number) => {
        const l = Array.from(logits);
        l[i] = x;
        return dropGaussianForwardRef(l, p).logits[i] * w[i];
      };
      fd[i] = (at(logits[i] + h) - at(logits[i] - h)) / (2 * h);
      want[i] = v[i];
      checked++;
      if (!keepGaussian(p, i)) expect(v[i]).toBe(0);
    }
    expect(checked).toBeGreaterThan(200);
    // f64 central differences with h = 1e-5: truncation ~h^2 l''' (large only near the cap, skipped).
    expectAllClose('dL/dl vs FD', want, fd, 1e-7, 1e-5);

    // At the cap the gradient is passed through (straight-through); it joins the exact one.
    const kept = Array.from({ length: 64 }, (_, i) => i).find((i) => keepGaussian(p, i))!;
    const edge = Math.log(DROP_OPACITY_CAP / c / (1 - DROP_OPACITY_CAP / c));
    const below = new Float64Array(64).fill(0);
    const above = new Float64Array(64).fill(0);
    below[kept] = edge - 1e-9;
    above[kept] = edge + 1e-9;
    const ones = new Float64Array(64).fill(1);
    expect(dropGaussianForwardRef(above, p).capped[kept]).toBe(1);
    expect(dropGaussianForwardRef(below, p).capped[kept]).toBe(0);
    expect(dropGaussianBackwardRef(above, p, ones)[kept]).toBeCloseTo(dropGaussianBackwardRef(below, p, ones)[kept], 3);
    // Far above the cap it still reaches the logit, scaled by sigmoid'(l) (not zero as the exact chain would be).
    above[kept] = 4;
    const st = dropGaussianBackwardRef(above, p, ones)[kept];
    expect(st).toBeCloseTo((c * sigmoid(4) * (1 - sigmoid(4))) / (DROP_OPACITY_CAP * (1 - DROP_OPACITY_CAP)), 6);
  });

  it('schedule: linear ramp to the rate over the run (the paper), gated by its start', () => {
    expect(dropRateAt(500, 1000, 0.2, 0, 1)).toBeCloseTo(0.1, 12);
    expect(dropRateAt(1000, 1000, 0.2, 0, 1)).toBeCloseTo(0.2, 12);
    expect(dropRateAt(100, 1000, 0.2, 0.5, 0.25)).toBe(0);
    expect(dropRateAt(625, 1000, 0.2, 0.5, 0.25)).toBeCloseTo(0.1, 12);
    expect(dropRateAt(900, 1000, 0.2, 0.5, 0.25)).toBeCloseTo(0.2, 12);
    expect(dropRateAt(10, 1000, 0, 0, 1)).toBe(0);
  });
});

describe('DropGaussian kernels', () => {
  for (const p of [{ rate: 0.2, seed: 3, step: 17 }, { rate: 0.05, seed: 0xfffffff1, step: 1999 }, { rate: 0.5, seed: 11, step: 2 }] as DropParams[]) {
    it(`GPU forward and backward match the reference (rate ${p.rate})`, async () => {
      const gpu = await testGpu();
      const n = 3000;
      const logits = randomLogits(n, 5 + p.step);
      const rand = rng(p.step);
      const vRendered = Float32Array.from({ length: n }, () => gaussian(rand));
      const ref = dropGaussianForwardRef(logits, p);
      const refV = dropGaussianBackwardRef(logits, p, vRendered);
      const k = new DropGaussianKernels(gpu);
      const lb = uploadStorage(gpu, logits);
      const out = createStorage(gpu, n * 4);
      const vb = uploadStorage(gpu, vRendered);
      submit(gpu, (enc) => k.encodeForward(enc, { opacityLogits: lb, droppedLogits: out }, n, p));
      const got = await readF32(gpu, out, n);
      // The mask is integer arithmetic: identical, dropped rows exactly the sentinel.
      for (let i = 0; i < n; i++) expect(got[i] === DROPPED_LOGIT).toBe(!ref.kept[i]);
      // f32 exp/log: ~1e-6 relative on |l| <= 20; next to the cap, e^-l - (c - 1) >= 1e-3
      // cancels up to ~1e-5 relative of its terms, i.e. ~1e-4 absolute in the logit.
      expectAllClose('rendered logits', got, ref.logits, 1e-4, 1e-5);
      submit(gpu, (enc) => k.encodeBackward(enc, { opacityLogits: lb, droppedLogits: out, vOpacityLogits: vb }, n, p));
      const gotV = await readF32(gpu, vb, n);
      // The chain factor reaches ~(1 - sigmoid)/(1 - c sigmoid) ~ 1e2..1e3 just below the cap,
      // where the same cancellation gives ~1e-4 relative; elsewhere ~1e-6.
      expectAllClose('dL/dl', gotV, refV, 1e-6, 2e-4);
      for (let i = 0; i < n; i++) if (!ref.kept[i]) expect(gotV[i]).toBe(0);
      k.dispose();
      for (const b of [lb, out, vb]) b.destroy();
    });
  }

  it('rejects a rate outside [0, 0.5]', async () => {
    const gpu = await testGpu();
    const k = new DropGaussianKernels(gpu);
    const b = createStorage(gpu, 16);
    expect(() => submit(gpu, (enc) => k.encodeForward(enc, { opacityLogits: b, droppedLogits: b }, 4, { rate: 0.6, seed: 0, step: 1 }))).toThrow(/rate must be in/);
    k.dispose();
    b.destroy();
  });
});
