import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { DepthPairRegularizers, drawOrdinalOffsets } from '../../engine/train/regularizers/depth-pairs.js';
import { edgeAwareSmoothnessRef, ordinalDepthRef } from '../../engine/train/regularizers/reference/depth-pairs-ref.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

function maps(W: number, H: number, seed: number) {
  const rand = rng(seed);
  const rendered = Float64Array.from({ length: W * H }, () => 5 + 3 * rand());
  const prior = Float64Array.from({ length: W * H }, () => (rand() < 0.08 ? 0 : 2 + rand()));
  const image = Float64Array.from({ length: W * H * 3 }, () => rand());
  return { rendered, prior, image };
}

function fd(f: (x: Float64Array) => number, x: Float64Array, i: number, h: number): number {
  const p = Float64Array.from(x); p[i] += h;
  const m = Float64Array.from(x); m[i] -= h;
  return (f(p) - f(m)) / (2 * h);
}

describe('pairwise depth regularizer references', () => {
  it('ordinal and edge-aware gradients match finite differences', () => {
    const W = 13, H = 11;
    const { rendered, prior, image } = maps(W, H, 5);
    const offsets: [number, number][] = [[1, 0], [-2, 3], [0, -1]];
    const o = { weight: 0.8, tau: 0.05, margin: 1e-3 };
    const ord = ordinalDepthRef(rendered, prior, W, H, offsets, o);
    const sm = edgeAwareSmoothnessRef(rendered, image, W, H, { weight: 0.5, gamma: 4 });
    expect(ord.loss).toBeGreaterThan(0);
    for (let i = 0; i < W * H; i++) {
      // Both are piecewise linear: with random depths no hinge or |.| kink lies within h.
      expect(Math.abs(fd((r) => ordinalDepthRef(r, prior, W, H, offsets, o).loss, rendered, i, 1e-7) - ord.vRendered[i])).toBeLessThan(1e-6);
      expect(Math.abs(fd((r) => edgeAwareSmoothnessRef(r, image, W, H, { weight: 0.5, gamma: 4 }).loss, rendered, i, 1e-7) - sm.vRendered[i])).toBeLessThan(1e-6);
    }
  });

  it('ordinal loss vanishes when the render already has the prior order', () => {
    const W = 10, H = 10;
    const { prior } = maps(W, H, 6);
    const rendered = prior.map((p) => 10 * p); // same order, different scale
    expect(ordinalDepthRef(rendered, prior, W, H, [[1, 1], [3, -2]], { weight: 1, tau: 0.01, margin: 0 }).loss).toBe(0);
  });
});

describe('pairwise depth regularizers on the GPU', () => {
  it('match the references and add into the cotangent', async () => {
    const gpu = await testGpu();
    const W = 45, H = 37;
    const { rendered, prior, image } = maps(W, H, 8);
    const r32 = Float32Array.from(rendered), p32 = Float32Array.from(prior), i32 = Float32Array.from(image);
    const offsets = drawOrdinalOffsets(rng(3), 6, 5);
    const o = { weight: 0.8, tau: 0.05, margin: 1e-3 };
    const s = { weight: 0.5, gamma: 4 };
    const ref = ordinalDepthRef(r32, p32, W, H, offsets, o);
    const refS = edgeAwareSmoothnessRef(r32, i32, W, H, s);
    const reg = new DepthPairRegularizers(gpu, W, H);
    const vOrd = uploadStorage(gpu, new Float32Array(W * H).fill(0.5));
    const vSm = uploadStorage(gpu, new Float32Array(W * H));
    const rb = uploadStorage(gpu, r32);
    submit(gpu, (enc) => {
      reg.encodeOrdinal(enc, { rendered: rb, prior: uploadStorage(gpu, p32), vDepth: vOrd }, offsets, o);
      reg.encodeEdgeSmoothness(enc, { rendered: rb, image: uploadStorage(gpu, i32), vDepth: vSm }, s);
    });
    // Sums of a handful of equal-magnitude f32 terms: error ~1e-7 relative.
    expectAllClose('ordinal vDepth', await readF32(gpu, vOrd, W * H), Float64Array.from(ref.vRendered, (v) => v + 0.5), 1e-9, 1e-5);
    expectAllClose('smoothness vDepth', await readF32(gpu, vSm, W * H), refS.vRendered, 1e-9, 1e-4);
    reg.dispose();
  });
});
