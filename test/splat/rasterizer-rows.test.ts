/**
 * The CPU-adapter 'rows' forward (rasterize_forward_rows.wgsl) against the per-pixel forward and
 * the float64 reference, and the row culling of both 'rows' kernels (splat/row_cull.wgsl): on
 * scenes of small splats most (splat, row) pairs of a tile are culled, so a wrong bound would
 * drop real contributions and show up as image or gradient differences.
 */
import { describe, expect, it } from 'vitest';
import { readF32, readU32, uploadStorage } from '../../engine/gpu/buffers.js';
import { GpuScene, GpuSceneGrads } from '../../engine/splat/gpu-scene.js';
import { rasterizeForwardRef } from '../../engine/splat/reference/rasterize-ref.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { readProjected } from './gpu-helpers.js';
import { randomScene, testCamera } from './scenes.js';

const BG = [0.1, 0.25, 0.4];

describe("'rows' rasterizer forward and row culling", () => {
  // 70x45: partial last tile column (6 px) and row (13 rows: 3 invocations outside the image).
  const w = 70;
  const h = 45;

  // Small splats (1-3 px radius) of mixed, partly tiny opacity: most rows culled, short spans.
  // Needles (log-scales spread by 1.2, random rotations): thin tilted ellipses, where the span's
  // roots lose precision to cancellation.
  const scenes = {
    small: { seed: 61, logScale: [-3.6, 0.4] as [number, number] },
    needles: { seed: 63, logScale: [-3.2, 1.2] as [number, number] },
  };
  for (const [name, o] of Object.entries(scenes)) it(`gives the per-pixel layout's images and pixel state (${name} splats)`, async () => {
    const gpu = await testGpu();
    const scene = randomScene(o.seed, { count: 600, shDegree: 1, logScale: o.logScale, opacity: [0.005, 0.95] });
    const cam = testCamera(w, h, 8);
    const gs = GpuScene.upload(gpu, scene);
    const rows = new Rasterizer(gpu, { forwardLayout: 'rows' });
    const pixels = new Rasterizer(gpu, { forwardLayout: 'pixels' });
    const a = await rows.forward(gs, cam, { background: BG });
    const imgA = await readRender(gpu, a);
    const stateA = await readU32(gpu, a.pixelState, w * h * 2);
    const b = await pixels.forward(gs, cam, { background: BG });
    const imgB = await readRender(gpu, b);
    const stateB = await readU32(gpu, b.pixelState, w * h * 2);
    // Same per-pixel arithmetic in the same order: only the compiler's instruction choices
    // (fused multiply-adds) may differ between the two kernels, ~1 ulp per blended term.
    expectAllClose('color', imgA.color, imgB.color, 1e-6, 1e-6);
    expectAllClose('alpha', imgA.alpha, imgB.alpha, 1e-6, 1e-6);
    expectAllClose('depth', imgA.depth, imgB.depth, 1e-5, 1e-6);
    // Entries used per pixel (what the backward replays) must agree exactly.
    for (let p = 0; p < w * h; p++) expect(stateA[p * 2 + 1], `pixel ${p}`).toBe(stateB[p * 2 + 1]);
    let covered = 0;
    for (const al of imgA.alpha) if (al > 0.05) covered++;
    expect(covered).toBeGreaterThan(w * h * 0.2);
    expect(covered).toBeLessThan(w * h);
    if (name === 'small') {
      // (Needles are left out here: float32 vs float64 flip a few ALPHA_MIN decisions of nearly
      // degenerate conics, in both layouts alike; the layouts' agreement above is the check.)
      const ref = rasterizeForwardRef(await readProjected(gpu, a.projected, scene.count, w, h), w, h, BG);
      expectAllClose('color vs reference', imgA.color, ref.color, 5e-6, 1e-5);
    }
    rows.dispose();
    pixels.dispose();
  });

  for (const [name, o] of Object.entries(scenes)) it(`backward with row culling equals the per-pixel ("atomic") reduction's (${name} splats)`, async () => {
    const gpu = await testGpu();
    const scene = randomScene(o.seed + 1, { count: 400, shDegree: 1, logScale: o.logScale, opacity: [0.01, 0.9] });
    const cam = testCamera(w, h, 9);
    const gs = GpuScene.upload(gpu, scene);
    const rand = rng(5);
    const cot = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
    const vColor = cot(w * h * 3);
    const vAlpha = cot(w * h);
    const vDepth = cot(w * h);
    const cots = { vColor: uploadStorage(gpu, vColor), vAlpha: uploadStorage(gpu, vAlpha), vDepth: uploadStorage(gpu, vDepth) };
    const grads: Record<string, Float32Array> = {};
    // 'atomic' sums every pixel's contribution straight into global memory: no row culling.
    for (const reduction of ['rows', 'atomic'] as const) {
      const r = new Rasterizer(gpu, { backwardReduction: reduction, forwardLayout: 'pixels' });
      const res = await r.forward(gs, cam, { background: BG });
      const g = GpuSceneGrads.like(gs);
      const { vSplat2d } = r.backward(res, cots, g);
      grads[reduction] = await readF32(gpu, vSplat2d, scene.count * 10);
      g.dispose();
      r.dispose();
    }
    let nonzero = 0;
    for (const v of grads.rows) if (v !== 0) nonzero++;
    expect(nonzero).toBeGreaterThan(scene.count);
    // Different summation orders (tile rows vs atomics) of up to a few hundred float32 terms.
    expectAllClose('v_splat2d', grads.rows, grads.atomic, 1e-5, 1e-4);
    for (const b of Object.values(cots)) b.destroy();
  });
});
