import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { DepthCorrelationLoss } from '../../engine/train/regularizers/depth-correlation.js';
import { depthCorrelationRef, type DepthCorrelationParams } from '../../engine/train/regularizers/reference/depth-correlation-ref.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** Smooth depth-like images (a tilted plane plus bumps plus noise), prior = affine map + noise, some invalid pixels. */
function scene(W: number, H: number, seed: number) {
  const rand = rng(seed);
  const rendered = new Float64Array(W * H);
  const prior = new Float64Array(W * H);
  const conf = new Float64Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const d = 20 + 0.1 * x + 0.05 * y + 3 * Math.sin(x / 7) * Math.cos(y / 5);
      rendered[i] = d + 0.5 * (rand() - 0.5);
      prior[i] = rand() < 0.1 ? (rand() < 0.5 ? 0 : Number.NaN) : 0.5 * d + 4 + 0.8 * (rand() - 0.5);
      conf[i] = rand() < 0.05 ? 0 : 1;
    }
  return { rendered, prior, conf };
}

const params = (W: number, H: number, ox: number, oy: number): DepthCorrelationParams => ({
  width: W, height: H, wGlobal: 0.7, wPatch: 0.3, offsetX: ox, offsetY: oy, minPixels: 16, eps: 1e-8,
});

describe('depth correlation reference', () => {
  it('matches central finite differences', () => {
    const W = 37, H = 29;
    const { rendered, prior, conf } = scene(W, H, 1);
    const prm = params(W, H, 5, 11);
    const { vRendered, patchesUsed } = depthCorrelationRef(rendered, prior, conf, prm);
    expect(patchesUsed).toBeGreaterThan(4);
    const rand = rng(2);
    const h = 1e-5;
    for (let k = 0; k < 40; k++) {
      const i = Math.floor(rand() * W * H);
      const plus = Float64Array.from(rendered);
      const minus = Float64Array.from(rendered);
      plus[i] += h;
      minus[i] -= h;
      const fd = (depthCorrelationRef(plus, prior, conf, prm).loss - depthCorrelationRef(minus, prior, conf, prm).loss) / (2 * h);
      // Central differences of a smooth function in float64: error ~h^2 * f''' plus rounding ~1e-16/h.
      expect(Math.abs(fd - vRendered[i])).toBeLessThan(1e-7 + 1e-5 * Math.abs(fd));
    }
  });

  it('is ~0 for a prior that is an exact affine map of the render, and invariant to that map', () => {
    const W = 32, H = 32;
    const { rendered } = scene(W, H, 3);
    const prior = rendered.map((d) => 3 * d + 1);
    const r = depthCorrelationRef(rendered, prior, undefined, params(W, H, 0, 0));
    expect(r.loss).toBeLessThan(1e-9);
    expect(r.globalRho).toBeCloseTo(1, 9);
  });
});

describe('depth correlation on the GPU', () => {
  it.each([
    [64, 48, 0, 0],
    [53, 41, 7, 13],
  ])('matches the reference (%i x %i, offset %i,%i)', async (W, H, ox, oy) => {
    const gpu = await testGpu();
    const { rendered, prior, conf } = scene(W, H, 10 + W);
    const prm = params(W, H, ox, oy);
    const ref = depthCorrelationRef(Float32Array.from(rendered), Float32Array.from(prior), Float32Array.from(conf), prm);
    const loss = new DepthCorrelationLoss(gpu, W, H);
    const initial = new Float32Array(W * H).fill(0.25); // the pass must add to, not overwrite, the cotangent
    const bufs = {
      rendered: uploadStorage(gpu, Float32Array.from(rendered)),
      prior: uploadStorage(gpu, Float32Array.from(prior)),
      confidence: uploadStorage(gpu, Float32Array.from(conf)),
      vDepth: uploadStorage(gpu, initial),
    };
    submit(gpu, (enc) => loss.encode(enc, bufs, { global: prm.wGlobal, patch: prm.wPatch, minPixels: prm.minPixels, eps: prm.eps }, [ox, oy]));
    const result = await readF32(gpu, loss.result, 9);
    const v = await readF32(gpu, bufs.vDepth, W * H);
    expect(result[6]).toBe(ref.patchesUsed);
    // f32 centred sums over ~2.5k pixels of depths ~20: relative error ~1e-5 in rho.
    expect(Math.abs(result[7] - ref.loss)).toBeLessThan(1e-4);
    expect(Math.abs(result[8] - ref.globalRho)).toBeLessThan(1e-4);
    const refV = Float64Array.from(ref.vRendered, (x) => x + 0.25);
    // Gradients are O(1/(sqrt(Srr) sqrt(n))) ~ 1e-3; f32 error ~1e-5 relative to the largest terms.
    expectAllClose('vDepth', v, refV, 2e-6, 1e-3);
    loss.dispose();
  });
});
