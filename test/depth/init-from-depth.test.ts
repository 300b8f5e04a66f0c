/**
 * Initialization from depth: Chamfer distance of the initial Gaussians to the analytic
 * surface (from exact depth and from MVS depth), outlier removal, voxel merging across
 * views, the target count, and the per-Gaussian attributes.
 */
import { describe, expect, it } from 'vitest';
import { estimateMvsDepth } from '../../engine/depth/mvs.js';
import type { DepthMap } from '../../engine/depth/types.js';
import { initFromDepth, unprojectDepth } from '../../engine/train/init-from-depth.js';
import { logit, shDcToRgb } from '../../engine/splat/scene.js';
import { rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { distanceToSurface, renderScene } from './synthetic-scene.js';

const W = 64;
const H = 48;

function exactMaps(rendered: ReturnType<typeof renderScene>): DepthMap[] {
  return rendered.map((r) => ({ width: W, height: H, depth: r.depth, confidence: new Float32Array(W * H).fill(1), filled: new Uint8Array(W * H) }));
}

/** Mean over `from` of the distance to the nearest point of `to` (brute force; small sets). */
function meanNearest(from: Float32Array, to: Float32Array): number {
  let total = 0;
  for (let i = 0; i < from.length / 3; i++) {
    let best = Infinity;
    for (let j = 0; j < to.length / 3; j++) {
      const d = (from[i * 3] - to[j * 3]) ** 2 + (from[i * 3 + 1] - to[j * 3 + 1]) ** 2 + (from[i * 3 + 2] - to[j * 3 + 2]) ** 2;
      if (d < best) best = d;
    }
    total += Math.sqrt(best);
  }
  return total / (from.length / 3);
}

describe('initFromDepth', () => {
  const rendered = renderScene(3, W, H);
  const views = rendered.map((r) => r.view);
  // Dense surface samples: every pixel of every view, unprojected with exact depth.
  const surface = unprojectDepth(views, exactMaps(rendered), 1, 0).xyz;

  it('from exact depth: Gaussians lie on the surface and cover it; views are merged', () => {
    const { scene, stats } = initFromDepth(views, exactMaps(rendered), { stride: 2, shDegree: 1 });
    expect(scene.count).toBe(stats.merged);
    // Overlapping views share voxels: far fewer Gaussians than unprojected samples.
    expect(stats.merged).toBeLessThan(0.75 * stats.unprojected);
    let onSurface = 0;
    for (let i = 0; i < scene.count; i++) onSurface += distanceToSurface(scene.means.subarray(i * 3, i * 3 + 3));
    // Voxel averaging of exact points on a plane is exact; on the sphere (r 0.6) a voxel of
    // ~0.15 sags by < r - sqrt(r^2 - 0.075^2) ~ 0.005.
    expect(onSurface / scene.count).toBeLessThan(0.01);
    // Coverage: every surface sample has a Gaussian within about one voxel.
    const sub = surface.filter((_, k) => Math.floor(k / 3) % 7 === 0);
    expect(meanNearest(sub, scene.means)).toBeLessThan(stats.voxelSize);
    // Attributes: opacity 0.1, isotropic scales near the footprint, colour in range.
    for (let i = 0; i < scene.count; i++) {
      expect(scene.opacityLogits[i]).toBeCloseTo(logit(0.1), 5);
      expect(scene.logScales[i * 3]).toBe(scene.logScales[i * 3 + 2]);
      const s = Math.exp(scene.logScales[i * 3]);
      expect(s).toBeGreaterThan(0.4 * stats.voxelSize);
      expect(s).toBeLessThan(4 * stats.voxelSize);
      const r = shDcToRgb(scene.sh[i * 4 * 3]);
      expect(r).toBeGreaterThanOrEqual(-1e-5);
      expect(r).toBeLessThanOrEqual(1 + 1e-5);
      expect(scene.sh[i * 4 * 3 + 3]).toBe(0); // degree-1 band starts at zero
    }
  });

  it('drops flying pixels', () => {
    const maps = exactMaps(rendered);
    const rand = rng(2);
    const corrupted = maps.map((m) => ({ ...m, depth: m.depth.map((d) => (rand() < 0.01 ? d * (0.3 + 0.2 * rand()) : d)) }));
    const { scene, stats } = initFromDepth(views, corrupted, { stride: 1, shDegree: 0 });
    expect(stats.afterOutliers).toBeLessThan(stats.unprojected);
    let worst = 0;
    for (let i = 0; i < scene.count; i++) worst = Math.max(worst, distanceToSurface(scene.means.subarray(i * 3, i * 3 + 3)));
    // A flying pixel here sits in front of everything (>= 1 unit off the surface); voxel means of survivors stay close.
    expect(worst).toBeLessThan(0.1);
    // Without the filter the same input keeps flying Gaussians (the check discriminates).
    const unfiltered = initFromDepth(views, corrupted, { stride: 1, shDegree: 0, minNeighbours: 0 }).scene;
    let worstUnfiltered = 0;
    for (let i = 0; i < unfiltered.count; i++) worstUnfiltered = Math.max(worstUnfiltered, distanceToSurface(unfiltered.means.subarray(i * 3, i * 3 + 3)));
    expect(worstUnfiltered).toBeGreaterThan(0.5);
  });

  it('respects the target count', () => {
    const { scene, stats } = initFromDepth(views, exactMaps(rendered), { stride: 1, targetCount: 300 });
    expect(scene.count).toBeLessThanOrEqual(300);
    expect(scene.count).toBeGreaterThan(150); // the voxel grows just enough, not wildly
    expect(stats.voxelSize).toBeGreaterThan(0.05);
  });

  it('from MVS depth: small Chamfer distance to the true surface', async () => {
    const gpu = await testGpu();
    const { maps } = await estimateMvsDepth(gpu, views, { range: { near: 2.5, far: 8 }, planes: 48, radius: 2 });
    const { scene, stats } = initFromDepth(views, maps, { stride: 1, shDegree: 0 });
    expect(scene.count).toBeGreaterThan(500);
    const toSurface = meanNearest(scene.means, surface);
    const fromSurface = meanNearest(surface.filter((_, k) => Math.floor(k / 3) % 7 === 0), scene.means);
    // Sample spacing (voxel) here is ~0.07 units; MVS depth error ~0.3% of 4.5 = 0.015.
    expect(toSurface).toBeLessThan(0.04);
    expect(fromSurface).toBeLessThan(2 * stats.voxelSize);
  });

  it('refuses maps without confident depth', () => {
    const empty = views.map(() => ({ width: W, height: H, depth: new Float32Array(W * H), confidence: new Float32Array(W * H), filled: new Uint8Array(W * H) }));
    expect(() => initFromDepth(views, empty)).toThrow(/no confident depth/);
  });
});
