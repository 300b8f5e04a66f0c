/**
 * GPU backward vs the float64 reference backward: both contracted with the same random
 * cotangent on colour, alpha and depth; compared per element for every parameter group and
 * the camera pose, plus the accumulate (+=) contract and the densification statistics.
 *
 * The default (CPU adapter) reduction 'rows' sums without atomics in a fixed order (checked for
 * bit-determinism below); 'workgroup' and 'atomic' sum with compare-exchange float atomics, so the
 * order of additions (and the last bits) varies between runs: these tests use tolerances,
 * never bit equality, for gradients.
 */
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../engine/gpu/acquire.js';
import { readF32, readU32 } from '../../engine/gpu/buffers.js';
import { DensifyStats, GpuScene, GpuSceneGrads, type SceneGrads } from '../../engine/splat/gpu-scene.js';
import { projectBackwardRef, projectRef, type SceneGradsRef } from '../../engine/splat/reference/project-ref.js';
import { rasterizeBackwardRef } from '../../engine/splat/reference/rasterize-ref.js';
import { Rasterizer, type BackwardReduction } from '../../engine/splat/render.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { uploadF32 } from './gpu-helpers.js';
import { randomArray, randomScene, testCamera } from './scenes.js';

const BG = [0.3, 0.2, 0.1];

const PAIRS = [
  ['vMeans', 'vMeans'],
  ['vLogScales', 'vLogScales'],
  ['vQuats', 'vQuats'],
  ['vOpacityLogits', 'vOpacityLogits'],
  ['vSh', 'vSh'],
] as const;

async function runBoth(gpu: Gpu, scene: GaussianScene, seed: number, shDegree = scene.shDegree, mode: BackwardReduction = 'rows', W = 64, H = 48) {
  const cam = testCamera(W, H, seed);
  const n = W * H;
  const cot = { vColor: randomArray(seed + 1, n * 3), vAlpha: randomArray(seed + 2, n), vDepth: randomArray(seed + 3, n, 0.3) };
  const r = new Rasterizer(gpu, { backwardReduction: mode });
  const gs = GpuScene.upload(gpu, scene);
  const res = await r.forward(gs, cam, { background: BG, shDegree });
  const grads = GpuSceneGrads.like(gs);
  grads.zero();
  const stats = new DensifyStats(gpu, scene.count);
  stats.reset();
  const gpuCot = { vColor: uploadF32(gpu, cot.vColor), vAlpha: uploadF32(gpu, cot.vAlpha), vDepth: uploadF32(gpu, cot.vDepth) };
  const out = r.backward(res, gpuCot, grads, stats);
  const got = await grads.download();
  const pose = await readF32(gpu, out.vPose, 6);
  const proj = projectRef(scene, cam, shDegree);
  const g2 = rasterizeBackwardRef(proj, W, H, BG, cot);
  const ref = projectBackwardRef(scene, cam, proj, g2, shDegree);
  return { r, gs, res, grads, stats, gpuCot, got, pose, ref, g2, proj, cam };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function compareGrads(got: SceneGrads, pose: Float32Array, ref: SceneGradsRef, label: string) {
  for (const [g, r] of PAIRS) {
    const scale = maxAbs(ref[r]);
    expect(scale, `${label} ${r} is non-trivial`).toBeGreaterThan(1e-3);
    // float32 sums of up to a few hundred pixel terms in arbitrary order, transmittance recovered
    // by dividing by (1 - alpha) (up to 100x amplification of rounding), and conic gradients
    // weighted by d^2 ~ 1e2 px^2: ~1e-6 of the group's largest magnitude, with 20x margin.
    expectAllClose(`${label} ${g}`, got[g], ref[r], 2e-5 * scale, 1e-4);
    // Contracted with one random direction, as gsplat's tests do.
    const dir = randomArray(99, ref[r].length);
    const a = dot(got[g], dir);
    const b = dot(ref[r], dir);
    expect(Math.abs(a - b), `${label} <${g}, r>`).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(b), scale));
  }
  expectAllClose(`${label} pose`, pose, ref.vPose, 2e-5 * maxAbs(ref.vPose), 1e-4);
}

describe('GPU rasterizer backward', () => {
  for (const mode of ['rows', 'workgroup', 'atomic'] as const) {
    it(`matches the reference for every parameter and the pose (SH degree 3, ${mode} reduction)`, async () => {
      const gpu = await testGpu();
      // Many faint splats: pixels blend more list entries than one workgroup batch holds
      // (128 / 256), so the batch-to-batch hand-over of T and the accumulators is exercised.
      const scene = randomScene(61, { count: 700, shDegree: 3, spread: 0.8, opacity: [0.02, 0.08], logScale: [-1.8, 0.3] });
      const { got, pose, ref, r, res } = await runBoth(gpu, scene, 7, 3, mode);
      const state = await readU32(gpu, res.pixelState, 64 * 48 * 2);
      let maxContrib = 0;
      for (let p = 0; p < 64 * 48; p++) maxContrib = Math.max(maxContrib, state[p * 2 + 1]);
      expect(maxContrib).toBeGreaterThan(300);
      compareGrads(got, pose, ref, `deg3 ${mode}`);
      r.dispose();
    });
  }

  it('matches on an image with partial edge tiles (rows reduction: rows and columns past the image)', async () => {
    const gpu = await testGpu();
    const scene = randomScene(64, { count: 300, shDegree: 1 });
    const { got, pose, ref, r } = await runBoth(gpu, scene, 10, 1, 'rows', 53, 37);
    compareGrads(got, pose, ref, 'edge tiles');
    r.dispose();
  });

  it('rows reduction is bit-deterministic (no atomics, fixed summation order)', async () => {
    const gpu = await testGpu();
    const scene = randomScene(65, { count: 400, shDegree: 1, opacity: [0.05, 0.5] });
    const { got, res, r, grads, gpuCot } = await runBoth(gpu, scene, 11, 1, 'rows');
    expect(r.usesRows(res.numIntersections)).toBe(true);
    for (let k = 0; k < 2; k++) {
      grads.zero();
      r.backward(res, gpuCot, grads);
      const again = await grads.download();
      for (const [g] of PAIRS) expect(Array.from(again[g]), `${g} run ${k + 2}`).toEqual(Array.from(got[g]));
    }
    r.dispose();
  });

  it('rows reduction split into component passes (partials over the binding limit) gives the same bits', async () => {
    const gpu = await testGpu();
    const scene = randomScene(66, { count: 300, shDegree: 0 });
    const { got, res, gs, cam, gpuCot } = await runBoth(gpu, scene, 12, 0, 'rows');
    const M = res.numIntersections;
    // Room for 4 of the 10 components: passes of 4, 4 and 2.
    const split = new Rasterizer(gpu, { backwardReduction: 'rows', partialsBindingLimit: M * 4 * 4 });
    expect(split.rowsParts(M)).toEqual([{ offset: 0, width: 4 }, { offset: 4, width: 4 }, { offset: 8, width: 2 }]);
    const res2 = await split.forward(gs, cam, { background: BG, shDegree: 0 });
    const grads2 = GpuSceneGrads.like(gs);
    grads2.zero();
    split.backward(res2, gpuCot, grads2);
    const got2 = await grads2.download();
    for (const [g] of PAIRS) expect(Array.from(got2[g]), g).toEqual(Array.from(got[g]));
    // Not even one component fits: the atomic 'workgroup' kernel takes over.
    const tooSmall = new Rasterizer(gpu, { backwardReduction: 'rows', partialsBindingLimit: M * 4 - 4 });
    expect(tooSmall.usesRows(M)).toBe(false);
    tooSmall.dispose();
    split.dispose();
  });

  it('matches with progressive SH (degree 1 evaluated of a degree-3 scene): higher bands get no gradient', async () => {
    const gpu = await testGpu();
    const scene = randomScene(62, { count: 250, shDegree: 3 });
    const { got, pose, ref, r } = await runBoth(gpu, scene, 8, 1);
    compareGrads(got, pose, ref, 'deg1-of-3');
    for (let i = 0; i < scene.count; i++) for (let k = 4; k < 16; k++) for (let c = 0; c < 3; c++) expect(got.vSh[(i * 16 + k) * 3 + c]).toBe(0);
    r.dispose();
  });

  it('accumulates (+=) into the gradients and the densification statistics', async () => {
    const gpu = await testGpu();
    const scene = randomScene(63, { count: 200, shDegree: 0, spread: 2.4 });
    const { got, res, r, grads, stats, gpuCot, g2, proj } = await runBoth(gpu, scene, 9);
    r.backward(res, gpuCot, grads, stats);
    const twice = await grads.download();
    for (const [g] of PAIRS) expectAllClose(`2x ${g}`, twice[g], Array.from(got[g], (v) => 2 * v), 1e-6 * maxAbs(got[g]), 1e-5);
    // Statistics: two backward passes of one view.
    const count = await readU32(gpu, stats.visCount, scene.count);
    const accum = await readF32(gpu, stats.gradAccum, scene.count);
    const refAccum = new Float64Array(scene.count);
    for (let i = 0; i < scene.count; i++) {
      expect(count[i]).toBe(proj.visible[i] ? 2 : 0);
      if (proj.visible[i]) refAccum[i] = 2 * Math.hypot(g2.vXy[i * 2] * 64 / 2, g2.vXy[i * 2 + 1] * 48 / 2);
    }
    expect(proj.visible.reduce((s, v) => s + v, 0)).toBeLessThan(scene.count); // some culled
    expectAllClose('gradAccum', accum, refAccum, 2e-5 * maxAbs(refAccum), 1e-4);
    r.dispose();
  });
});
