/**
 * Invariance and robustness: splats that must be culled (behind the camera, outside the
 * frustum, NaN/Inf parameters, zero quaternion) change nothing, bit for bit, and get zero
 * (not NaN) gradients; huge splats and empty scenes render cleanly and never hang.
 */
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../engine/gpu/acquire.js';
import { readF32 } from '../../engine/gpu/buffers.js';
import { GpuScene, GpuSceneGrads } from '../../engine/splat/gpu-scene.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { createScene, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { uploadF32 } from './gpu-helpers.js';
import { randomArray, randomScene, testCamera } from './scenes.js';

const W = 48;
const H = 32;
const BG = [0.2, 0.3, 0.4];

/** `base` followed by `extra` splats set up by `edit(scene, i)` (i indexes the new splats). */
function withExtra(base: GaussianScene, extra: number, edit: (s: GaussianScene, i: number, k: number) => void): GaussianScene {
  const s = createScene(base.count + extra, base.shDegree);
  const K = (base.shDegree + 1) ** 2;
  s.means.set(base.means);
  s.logScales.set(base.logScales);
  s.quats.set(base.quats);
  s.opacityLogits.set(base.opacityLogits);
  s.sh.set(base.sh);
  for (let k = 0; k < extra; k++) {
    const i = base.count + k;
    s.logScales.fill(-2, i * 3, i * 3 + 3);
    s.opacityLogits[i] = 2;
    s.sh.fill(1, i * K * 3, i * K * 3 + 3);
    edit(s, i, k);
  }
  return s;
}

async function renderWithGrads(gpu: Gpu, scene: GaussianScene) {
  const cam = testCamera(W, H, 2);
  const r = new Rasterizer(gpu);
  const gs = GpuScene.upload(gpu, scene);
  const res = await r.forward(gs, cam, { background: BG });
  const img = await readRender(gpu, res);
  const grads = GpuSceneGrads.like(gs);
  grads.zero();
  const n = W * H;
  const out = r.backward(res, { vColor: uploadF32(gpu, randomArray(5, n * 3)), vAlpha: uploadF32(gpu, randomArray(6, n)), vDepth: uploadF32(gpu, randomArray(7, n)) }, grads);
  const g = await grads.download();
  const pose = await readF32(gpu, out.vPose, 6);
  r.dispose();
  gs.dispose();
  grads.dispose();
  return { img, g, pose, numIntersections: res.numIntersections };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('rasterizer robustness', () => {
  it('culled splats (behind, outside, NaN, Inf, zero quaternion) change nothing', async () => {
    const gpu = await testGpu();
    const base = randomScene(71, { count: 150, shDegree: 1 });
    const NAN = Number.NaN;
    const edits: ((s: GaussianScene, i: number) => void)[] = [
      (s, i) => s.means.set([0, 0, -8], i * 3), // behind the camera (camera at z = -4 looking at +z)
      (s, i) => s.means.set([0, 0, -4.005], i * 3), // just in front of the eye, inside the near plane
      (s, i) => s.means.set([40, 0, 0], i * 3), // far outside the frustum to the side
      (s, i) => s.means.set([0, -30, 1], i * 3), // outside above
      (s, i) => s.means.set([NAN, 0, 0], i * 3),
      (s, i) => s.logScales.set([NAN, -2, -2], i * 3),
      (s, i) => s.logScales.set([200, -2, -2], i * 3), // exp overflows to Inf
      (s, i) => s.quats.set([NAN, 0, 0, 0], i * 4),
      (s, i) => s.quats.set([0, 0, 0, 0], i * 4),
      (s, i) => (s.opacityLogits[i] = NAN),
      (s, i) => s.sh.set([NAN, 0, 0], i * 4 * 3),
      (s, i) => s.sh.set([0, 0, 0, Infinity, 0, 0], i * 4 * 3), // degree-1 band Inf
    ];
    const clean = await renderWithGrads(gpu, base);
    const dirty = await renderWithGrads(gpu, withExtra(base, edits.length, (s, i, k) => edits[k](s, i)));
    expect(dirty.numIntersections).toBe(clean.numIntersections);
    for (const k of ['color', 'alpha', 'depth'] as const) expect(sameBits(dirty.img[k], clean.img[k]), k).toBe(true);
    // Gradients of the original splats agree (to atomic-order rounding); the culled ones get exact zeros.
    const N = base.count;
    for (const [name, w] of [['vMeans', 3], ['vLogScales', 3], ['vQuats', 4], ['vOpacityLogits', 1], ['vSh', 12]] as const) {
      const d = dirty.g[name];
      const c = clean.g[name];
      expectAllClose(name, d.subarray(0, N * w), c, 1e-5, 1e-4);
      for (let i = N * w; i < d.length; i++) expect(Object.is(d[i], 0), `${name}[${i}]`).toBe(true);
    }
    expectAllClose('pose', dirty.pose, clean.pose, 1e-4, 1e-4);
  });

  it('huge splats (metres wide, one enclosing the camera) render and differentiate cleanly', async () => {
    const gpu = await testGpu();
    const base = randomScene(72, { count: 60, shDegree: 0 });
    const scene = withExtra(base, 3, (s, i, k) => {
      s.means.set([[0, 0, 1], [0.5, -0.2, -3.9], [0, 0, -4.2]][k], i * 3);
      s.logScales.set([[3, 3, 3], [1, 0.5, 2], [4, 4, 4]][k], i * 3);
      s.opacityLogits[i] = -0.5;
    });
    const out = await renderWithGrads(gpu, scene);
    const { tilesX, tilesY } = { tilesX: Math.ceil(W / 16), tilesY: Math.ceil(H / 16) };
    expect(out.numIntersections).toBeGreaterThanOrEqual(2 * tilesX * tilesY); // they cover every tile
    for (const v of out.img.color) expect(Number.isFinite(v) && v >= 0).toBe(true);
    for (const v of out.img.alpha) expect(v >= 0 && v <= 1).toBe(true);
    for (const v of out.img.depth) expect(Number.isFinite(v) && v >= 0).toBe(true);
    for (const arr of Object.values(out.g)) for (const v of arr) expect(Number.isFinite(v)).toBe(true);
    for (const v of out.pose) expect(Number.isFinite(v)).toBe(true);
  });

  it('an empty scene and an all-culled scene render the background', async () => {
    const gpu = await testGpu();
    for (const scene of [createScene(0, 0), withExtra(createScene(0, 0), 5, (s, i) => s.means.set([0, 0, -9], i * 3))]) {
      const out = await renderWithGrads(gpu, scene);
      expect(out.numIntersections).toBe(0);
      for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) expect(out.img.color[p * 3 + c]).toBe(Math.fround(BG[c]));
      for (const v of out.img.alpha) expect(v).toBe(0);
      for (const v of out.pose) expect(v).toBe(0);
    }
  });
});
