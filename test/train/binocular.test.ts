import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { BinocularConsistency, neighbourSpacing, shiftedCamera } from '../../engine/train/regularizers/binocular.js';
import { OpacityDecay } from '../../engine/train/regularizers/opacity-decay.js';
import { binocularRef, opacityDecayRef, type BinocularRefParams } from '../../engine/train/regularizers/reference/binocular-ref.js';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** Random images and a depth whose disparities (fxb / z, 1.5..6 px) keep most samples inside the row. */
function inputs(W: number, H: number, seed: number) {
  const rand = rng(seed);
  const shifted = Float64Array.from({ length: W * H * 3 }, () => rand());
  const target = Float64Array.from({ length: W * H * 3 }, () => rand());
  // A few pixels below min alpha (skipped), the rest partly transparent.
  const alpha = Float64Array.from({ length: W * H }, () => (rand() < 0.1 ? 0.01 : 0.3 + 0.7 * rand()));
  const depth = alpha.map((a) => a * (2 + 6 * rand()));
  return { shifted, target, depth, alpha };
}

function fd(f: (x: Float64Array) => number, x: Float64Array, i: number, h: number): number {
  const p = Float64Array.from(x); p[i] += h;
  const m = Float64Array.from(x); m[i] -= h;
  return (f(p) - f(m)) / (2 * h);
}

describe('binocular consistency reference', () => {
  it('matches central finite differences in the shifted render, depth and alpha', () => {
    const W = 12, H = 5;
    const x = inputs(W, H, 3);
    const p: BinocularRefParams = { width: W, height: H, fxb: 12, weight: 0.7, minAlpha: 0.05 };
    const ref = binocularRef(x.shifted, x.target, x.depth, x.alpha, p);
    expect(ref.valid).toBeGreaterThan(W * H * 0.4);
    expect(ref.loss).toBeGreaterThan(0);
    // Piecewise smooth: with random inputs no |r| kink or integer sample position lies within h.
    const h = 1e-7;
    let nonzeroDepth = 0;
    for (let i = 0; i < W * H * 3; i++) {
      const g = fd((s) => binocularRef(s, x.target, x.depth, x.alpha, p).loss, x.shifted, i, h);
      expect(Math.abs(g - ref.vShifted[i])).toBeLessThan(1e-7);
    }
    for (let i = 0; i < W * H; i++) {
      const gd = fd((d) => binocularRef(x.shifted, x.target, d, x.alpha, p).loss, x.depth, i, h);
      const ga = fd((a) => binocularRef(x.shifted, x.target, x.depth, a, p).loss, x.alpha, i, h);
      expect(Math.abs(gd - ref.vDepth[i])).toBeLessThan(1e-6 * (1 + Math.abs(ref.vDepth[i])));
      expect(Math.abs(ga - ref.vAlpha[i])).toBeLessThan(1e-6 * (1 + Math.abs(ref.vAlpha[i])));
      if (ref.vDepth[i] !== 0) nonzeroDepth++;
    }
    expect(nonzeroDepth).toBeGreaterThan(W * H * 0.4);
  });

  it('is zero when the shifted render is the target moved by the true disparity', () => {
    const W = 40, H = 3, z = 4, fxb = 8; // disparity exactly 2 px
    const rand = rng(9);
    const shifted = Float64Array.from({ length: W * H * 3 }, () => rand());
    // target(x) = shifted(x - 2): what the training camera sees if the scene is at depth z.
    const target = new Float64Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 2; x < W; x++) for (let c = 0; c < 3; c++) target[(y * W + x) * 3 + c] = shifted[(y * W + x - 2) * 3 + c];
    const alpha = new Float64Array(W * H).fill(1);
    const right = binocularRef(shifted, target, alpha.map(() => z), alpha, { width: W, height: H, fxb, weight: 1, minAlpha: 0.1 });
    expect(right.valid).toBe((W - 2) * H);
    expect(right.loss).toBe(0);
    // A wrong depth does not explain the photo.
    const wrong = binocularRef(shifted, target, alpha.map(() => 2 * z), alpha, { width: W, height: H, fxb, weight: 1, minAlpha: 0.1 });
    expect(wrong.loss).toBeGreaterThan(0.05);
  });

  it('opacity decay multiplies the opacity by the factor', () => {
    const logits = [-20, -3, 0, 0.5, 4, 15];
    const out = opacityDecayRef(logits, 0.995);
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    logits.forEach((l, i) => expect(sig(out[i]) / sig(l)).toBeCloseTo(0.995, 10));
  });

  it('shifted camera moves the centre along the camera x axis', () => {
    const cam = lookAtCamera([1, 2, -5], [0.3, 0, 0], [0, -1, 0], { width: 64, height: 48, fx: 50, fy: 50 });
    const s = shiftedCamera(cam, 0.25);
    const c0 = [0, 1, 2].map((r) => -(cam.R[r] * cam.t[0] + cam.R[3 + r] * cam.t[1] + cam.R[6 + r] * cam.t[2]));
    const c1 = [0, 1, 2].map((r) => -(s.R[r] * s.t[0] + s.R[3 + r] * s.t[1] + s.R[6 + r] * s.t[2]));
    const xAxis = [cam.R[0], cam.R[1], cam.R[2]]; // first row of world-to-camera R
    for (let k = 0; k < 3; k++) expect(c1[k] - c0[k]).toBeCloseTo(0.25 * xAxis[k], 12);
    expect(neighbourSpacing([cam, s])).toBeCloseTo(0.25, 12);
  });
});

describe('binocular consistency and opacity decay on the GPU', () => {
  it('binocular_warp matches the reference', async () => {
    const gpu = await testGpu();
    const W = 53, H = 29;
    const x = inputs(W, H, 11);
    const f32 = (a: Float64Array) => Float32Array.from(a);
    const s32 = f32(x.shifted), t32 = f32(x.target), d32 = f32(x.depth), a32 = f32(x.alpha);
    const prm = { fxb: -9.5, weight: 1.3, minAlpha: 0.05 };
    const ref = binocularRef(s32, t32, d32, a32, { width: W, height: H, ...prm });
    expect(ref.valid).toBeGreaterThan(W * H * 0.5);
    const term = new BinocularConsistency(gpu, W, H);
    // vShifted starts with garbage (the kernel overwrites it); vDepth / vAlpha start at 0.5 / -0.25 (it adds).
    const vShifted = uploadStorage(gpu, new Float32Array(W * H * 3).fill(7));
    const vDepth = uploadStorage(gpu, new Float32Array(W * H).fill(0.5));
    const vAlpha = uploadStorage(gpu, new Float32Array(W * H).fill(-0.25));
    submit(gpu, (enc) => term.encode(enc, { shifted: uploadStorage(gpu, s32), target: uploadStorage(gpu, t32), depth: uploadStorage(gpu, d32), alpha: uploadStorage(gpu, a32), vShifted, vDepth, vAlpha }, prm));
    // f32 sample positions: sx ~ 50 has an ulp of 4e-6 px, so each interpolation weight f is off
    // by up to ~1e-5 absolute, i.e. vShifted by ~1e-5 * weight/(3HW) = 3e-9 (atol 1e-8) however
    // small f is; sums of a few such terms: relative error ~1e-5 elsewhere.
    expectAllClose('vShifted', await readF32(gpu, vShifted, W * H * 3), ref.vShifted, 1e-8, 1e-4);
    expectAllClose('vDepth', await readF32(gpu, vDepth, W * H), ref.vDepth.map((v) => v + 0.5), 1e-9, 1e-4);
    expectAllClose('vAlpha', await readF32(gpu, vAlpha, W * H), ref.vAlpha.map((v) => v - 0.25), 1e-9, 1e-4);
    expect(Math.abs((await term.readLoss()) - ref.loss)).toBeLessThan(1e-4 * ref.loss);
    term.dispose();
  });

  it('opacity_decay matches the reference', async () => {
    const gpu = await testGpu();
    const rand = rng(4);
    const N = 1000;
    const logits = Float32Array.from({ length: N }, (_, i) => (i < 4 ? [-90, 90, 0, 30][i] : (rand() * 2 - 1) * 12));
    const buf = uploadStorage(gpu, logits);
    const decay = new OpacityDecay(gpu);
    submit(gpu, (enc) => decay.encode(enc, buf, N, 0.995));
    const got = await readF32(gpu, buf, N);
    // f32 exp/log: absolute error ~1e-6 on logits of magnitude <= 12; at +-90 the f32 input itself is coarse.
    expectAllClose('decayed logits', got, opacityDecayRef(logits, 0.995), 2e-5, 1e-6);
    decay.dispose();
  });
});
