/**
 * Display path, stage by stage, against the float64 reference (engine/splat/display/display-ref.ts):
 * the projection/key kernel (culling, records, keys with 32- and 16-bit keys), then the sort +
 * gather (draw order, instance count).
 */
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../engine/gpu/buffers.js';
import { depthRange, DISPLAY_STRIDE, meansSphere } from '../../engine/splat/display/display-params.js';
import { displayProjectRef, drawOrderRef } from '../../engine/splat/display/display-ref.js';
import { DisplayRenderer } from '../../engine/splat/display/display-renderer.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { expectAllClose } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { readRecords, renderDisplay, rows } from './display-helpers.js';
import { randomScene, testCamera } from './scenes.js';

const W = 64;
const H = 48;
const BG = [0.1, 0.25, 0.4];

describe('display projection and keys', () => {
  for (const [keyBits, shDegree, minAlpha] of [[32, 3, undefined], [16, 1, undefined], [32, 0, 5 / 255]] as const) {
    it(`records and ${keyBits}-bit keys match the reference (SH degree ${shDegree}, min alpha ${minAlpha ?? 'default'})`, async () => {
      const gpu = await testGpu();
      // Spread past the frustum and low opacities so all three culls (frustum, off-image, alpha) happen.
      const scene = randomScene(50 + keyBits, { count: 400, shDegree: 3, spread: 2.6, opacity: [0.002, 0.9] });
      const cam = testCamera(W, H, 5);
      const sphere = meansSphere(scene.means);
      const r = new DisplayRenderer(gpu);
      const gs = GpuScene.upload(gpu, scene);
      // The frame also sorts keys/ids in place: read the unsorted records and the sorted keys.
      await renderDisplay(gpu, r, gs, cam, { background: BG, shDegree, sphere, keyBits, minAlpha });
      const { rec } = await readRecords(gpu, r.splats!, scene.count);
      const sortedKeys = await readU32(gpu, r.keys!, scene.count);
      const sortedIds = await readU32(gpu, r.ids!, scene.count);
      const ref = displayProjectRef(scene, cam, { background: BG, shDegree, keyBits, minAlpha, ...depthRange(cam, sphere) });

      // Keys by splat id (undo the sort), culling decisions exactly equal.
      const keys = new Float64Array(scene.count);
      sortedIds.forEach((id, j) => (keys[id] = sortedKeys[j]));
      const visible = (i: number) => ref.keys[i] > 0;
      expect(Array.from(keys, (k) => k > 0)).toEqual(Array.from(ref.keys, (k) => k > 0));
      const nVisible = ref.keys.filter((k) => k > 0).length;
      expect(nVisible).toBeGreaterThan(120);
      expect(nVisible).toBeLessThan(360);
      if (keyBits === 32) {
        // f32 bits of a float32-computed depth: equal up to a few ulps (one ulp = one key step).
        expectAllClose('keys', rows(keys, visible, scene.count, 1), rows(ref.keys, visible, scene.count, 1), 8, 0);
      } else {
        // ln(z / zMin) in float32 then x 65534: ~1e-6 relative error, a key step or two at most.
        expectAllClose('keys', rows(keys, visible, scene.count, 1), rows(ref.keys, visible, scene.count, 1), 2, 0);
      }
      // Centres as the engine's projection (1e-4 px); the support ellipse k^2 Sigma2 from a float32
      // eigen-decomposition (~1e-5 relative); colour and opacity stored as f16 (2^-11 relative).
      expectAllClose('xy', rows(rec.xy, visible, scene.count, 2), rows(ref.xy, visible, scene.count, 2), 1e-4, 1e-6);
      expectAllClose('supportCov', rows(rec.supportCov, visible, scene.count, 3), rows(ref.supportCov, visible, scene.count, 3), 1e-4, 5e-5);
      expectAllClose('k', rows(rec.k, visible, scene.count, 1), rows(ref.k, visible, scene.count, 1), 1e-5, 1e-5);
      expectAllClose('color', rows(rec.color, visible, scene.count, 3), rows(ref.color, visible, scene.count, 3), 1e-5, 1e-3);
      expectAllClose('opacity', rows(rec.opacity, visible, scene.count, 1), rows(ref.opacity, visible, scene.count, 1), 1e-6, 1e-3);
      // Default cut: some splats are capped at 3 sigma and some (faint) ones have a smaller exact
      // support. At 5/255 even opacity 0.9 stops at sqrt(2 ln(0.9 * 51)) = 2.77 sigma.
      const ks = rows(ref.k, visible, scene.count, 1);
      expect(ks.some((k) => k < 2.5)).toBe(true);
      expect(ks.some((k) => k === 3)).toBe(minAlpha === undefined);
      gs.dispose();
      r.dispose();
    });
  }

  it('gathers the visible splats back to front and draws exactly that many instances', async () => {
    const gpu = await testGpu();
    const scene = randomScene(61, { count: 500, shDegree: 0, spread: 2.2 });
    const cam = testCamera(W, H, 2);
    const r = new DisplayRenderer(gpu);
    const gs = GpuScene.upload(gpu, scene);
    await renderDisplay(gpu, r, gs, cam, { background: BG, keyBits: 32 });
    const { raw: byId } = await readRecords(gpu, r.splats!, scene.count);
    const drawn = await readU32(gpu, r.drawn!, scene.count * DISPLAY_STRIDE);
    const args = await readU32(gpu, r.drawArgs, 4);
    const ref = displayProjectRef(scene, cam, { background: BG, keyBits: 32 });
    // Float32 depths of distinct random splats differ, so the order is unique.
    const order = drawOrderRef(ref);
    expect(order.length).toBeGreaterThan(200);
    expect(order.length).toBeLessThan(500);
    expect(Array.from(args)).toEqual([4, order.length, 0, 0]);
    for (let rank = 0; rank < order.length; rank++) {
      const got = Array.from(drawn.subarray(rank * DISPLAY_STRIDE, (rank + 1) * DISPLAY_STRIDE));
      const want = Array.from(byId.subarray(order[rank] * DISPLAY_STRIDE, (order[rank] + 1) * DISPLAY_STRIDE));
      if (got.join() !== want.join()) throw new Error(`draw rank ${rank}: expected splat ${order[rank]}'s record`);
    }
    gs.dispose();
    r.dispose();
  });

  it('draws nothing (instance count 0) when every splat is behind the camera', async () => {
    const gpu = await testGpu();
    const scene = randomScene(62, { count: 50, shDegree: 0, spread: 0.3 });
    for (let i = 0; i < scene.count; i++) scene.means[i * 3 + 2] -= 10; // testCamera sits at z = -4 looking at +z
    const cam = testCamera(W, H, 2);
    const r = new DisplayRenderer(gpu);
    const gs = GpuScene.upload(gpu, scene);
    const img = await renderDisplay(gpu, r, gs, cam, { background: BG, keyBits: 32 });
    expect(Array.from(await readU32(gpu, r.drawArgs, 4))).toEqual([4, 0, 0, 0]);
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) expect(img[p * 3 + c]).toBeCloseTo(BG[c], 6);
    gs.dispose();
    r.dispose();
  });
});
