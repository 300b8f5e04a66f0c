/**
 * GPU forward vs the float64 reference on random scenes, stage by stage (projection, then the
 * GPU's own projected splats through the reference rasterizer, then end to end), and
 * bit-determinism of the forward.
 */
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../engine/gpu/buffers.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { projectRef } from '../../engine/splat/reference/project-ref.js';
import { rasterizeForwardRef } from '../../engine/splat/reference/rasterize-ref.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { expectAllClose } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { masked, readProjected } from './gpu-helpers.js';
import { randomScene, testCamera } from './scenes.js';

const W = 64;
const H = 48; // 4 x 3 tiles: interior and edge tiles, and a partial last row would need H % 16 != 0
const BG = [0.1, 0.25, 0.4];

describe('GPU rasterizer forward', () => {
  for (const shDegree of [0, 1, 3]) {
    it(`projection matches projectRef (SH degree ${shDegree})`, async () => {
      const gpu = await testGpu();
      // Spread past the frustum so some splats are culled.
      const scene = randomScene(20 + shDegree, { count: 300, shDegree: 3, spread: 2.6 });
      const cam = testCamera(W, H, 3);
      const r = new Rasterizer(gpu);
      const res = await r.forward(GpuScene.upload(gpu, scene), cam, { background: BG, shDegree });
      const got = await readProjected(gpu, res.projected, scene.count, W, H);
      const ref = projectRef(scene, cam, shDegree);
      // Culling decisions must agree exactly; a handful of random splats fall outside.
      expect(Array.from(got.visible)).toEqual(Array.from(ref.visible));
      const nVisible = ref.visible.reduce((s, v) => s + v, 0);
      expect(nVisible).toBeGreaterThan(150);
      expect(nVisible).toBeLessThan(300);
      // float32 vs float64: pixel positions ~1e2 carry ~1e-5 px rounding; conics come from a
      // 3x3 congruence and a 2x2 inverse (~1e-6 relative); colours from <= 16 SH terms.
      expectAllClose('xy', masked(got.xy, got.visible, 2), masked(ref.xy, ref.visible, 2), 1e-4, 1e-6);
      expectAllClose('depth', masked(got.depth, got.visible, 1), masked(ref.depth, ref.visible, 1), 1e-6, 1e-6);
      expectAllClose('conic', masked(got.conic, got.visible, 3), masked(ref.conic, ref.visible, 3), 1e-6, 2e-5);
      expectAllClose('opacity', masked(got.opacity, got.visible, 1), masked(ref.opacity, ref.visible, 1), 1e-6, 1e-6);
      expectAllClose('color', masked(got.color, got.visible, 3), masked(ref.color, ref.visible, 3), 1e-5, 1e-5);
      expect(Array.from(got.radii)).toEqual(Array.from(ref.radii));
      r.dispose();
    });
  }

  it('rasterization of the GPU-projected splats matches the reference rasterizer', async () => {
    const gpu = await testGpu();
    const scene = randomScene(31, { count: 400, shDegree: 2 });
    const cam = testCamera(W, H, 4);
    const r = new Rasterizer(gpu);
    const res = await r.forward(GpuScene.upload(gpu, scene), cam, { background: BG });
    const proj = await readProjected(gpu, res.projected, scene.count, W, H);
    const ref = rasterizeForwardRef(proj, W, H, BG);
    const got = await readRender(gpu, res);
    // Same inputs, same order: only float32 blending (<= ~100 terms of rounding 6e-8) differs.
    expectAllClose('color', got.color, ref.color, 5e-6, 1e-5);
    expectAllClose('alpha', got.alpha, ref.alpha, 5e-6, 1e-5);
    expectAllClose('depth', got.depth, ref.depth, 2e-5, 1e-5);
    // The image is not trivially background: most pixels are covered.
    let covered = 0;
    for (const a of got.alpha) if (a > 0.5) covered++;
    expect(covered).toBeGreaterThan(W * H * 0.3);
    r.dispose();
  });

  it('long tile lists (pixels blending more entries than one workgroup batch) match', async () => {
    const gpu = await testGpu();
    const scene = randomScene(35, { count: 700, shDegree: 1, spread: 0.8, opacity: [0.02, 0.08], logScale: [-1.8, 0.3] });
    const cam = testCamera(W, H, 7);
    const r = new Rasterizer(gpu);
    const res = await r.forward(GpuScene.upload(gpu, scene), cam, { background: BG });
    const state = await readU32(gpu, res.pixelState, W * H * 2);
    let maxContrib = 0;
    for (let p = 0; p < W * H; p++) maxContrib = Math.max(maxContrib, state[p * 2 + 1]);
    expect(maxContrib).toBeGreaterThan(300);
    const ref = rasterizeForwardRef(await readProjected(gpu, res.projected, scene.count, W, H), W, H, BG);
    const got = await readRender(gpu, res);
    // Hundreds of blended terms per pixel: float32 rounding grows to ~1e-5.
    expectAllClose('color', got.color, ref.color, 3e-5, 1e-4);
    expectAllClose('alpha', got.alpha, ref.alpha, 3e-5, 1e-4);
    expectAllClose('depth', got.depth, ref.depth, 2e-4, 1e-4);
    r.dispose();
  });

  it('end to end matches renderRef, including a partial tile row and column', async () => {
    const gpu = await testGpu();
    const w = 53;
    const h = 37;
    const scene = randomScene(41, { count: 300, shDegree: 3 });
    const cam = testCamera(w, h, 5);
    const r = new Rasterizer(gpu);
    const res = await r.forward(GpuScene.upload(gpu, scene), cam, { background: BG });
    const ref = rasterizeForwardRef(projectRef(scene, cam), w, h, BG);
    const got = await readRender(gpu, res);
    // Projection rounding (above) moves alpha by ~1e-6 relative; blending adds ~1e-6.
    expectAllClose('color', got.color, ref.color, 2e-5, 1e-4);
    expectAllClose('alpha', got.alpha, ref.alpha, 2e-5, 1e-4);
    expectAllClose('depth', got.depth, ref.depth, 1e-4, 1e-4);
    r.dispose();
  });

  it('is bit-identical across runs (deterministic sort, one invocation per pixel)', async () => {
    const gpu = await testGpu();
    const scene = randomScene(51, { count: 500, shDegree: 1 });
    const cam = testCamera(W, H, 6);
    const r = new Rasterizer(gpu);
    const gs = GpuScene.upload(gpu, scene);
    const a = await r.forward(gs, cam, { background: BG });
    const imgA = await readRender(gpu, a);
    const stateA = await readU32(gpu, a.pixelState, W * H * 2);
    const b = await r.forward(gs, cam, { background: BG });
    const imgB = await readRender(gpu, b);
    const stateB = await readU32(gpu, b.pixelState, W * H * 2);
    for (const k of ['color', 'alpha', 'depth'] as const) {
      expect(Buffer.from(imgA[k].buffer).equals(Buffer.from(imgB[k].buffer))).toBe(true);
    }
    expect(Buffer.from(stateA.buffer).equals(Buffer.from(stateB.buffer))).toBe(true);
    r.dispose();
  });
});
