/**
 * GPU plane-sweep kernels against their float64 references on random small inputs.
 * Stage isolation: WTA and consistency get the same float32 inputs on both sides, so a
 * failure points at one kernel.
 */
import { describe, expect, it } from 'vitest';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { consistencyCams, inverseDepthPlanes, sweepWarp } from '../../engine/depth/geometry.js';
import { consistencyRef, costFilterRef, geomCostRef, sweepCostRef, wtaRefineRef } from '../../engine/depth/sweep-ref.js';
import { consistencyGpu, filterCostGpu, geomCostGpu, sweepCostGpu, sweepCostToHost, wtaRefineGpu } from '../../engine/depth/sweep-gpu.js';
import { readF32, uploadStorage } from '../../engine/gpu/buffers.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const W = 14;
const H = 11;

function cameras(rand: () => number, n: number): Camera[] {
  return Array.from({ length: n }, (_, i) =>
    lookAtCamera([0.4 * i - 0.3 + 0.1 * rand(), 0.1 * rand(), -4], [0.2 * rand(), 0, 0], [0, -1, 0], { width: W, height: H, fx: 12, fy: 12 }),
  );
}

describe('depth kernels: GPU vs float64 reference', () => {
  it('sweep_cost matches on random images, 3 sources, best-2 of 3', async () => {
    const gpu = await testGpu();
    const rand = rng(11);
    const cams = cameras(rand, 4);
    const ref = Float32Array.from({ length: W * H }, rand);
    const src = Float32Array.from({ length: 3 * W * H }, rand);
    const warp = cams.slice(1).flatMap((c) => sweepWarp(cams[0], c));
    const invDepth = Float32Array.from(inverseDepthPlanes({ near: 2, far: 8 }, 7));
    const inp = { width: W, height: H, ref, src, warp, invDepth, radius: 2, bestK: 2, minVar: 1e-4 };
    const got = await sweepCostToHost(gpu, inp);
    const want = sweepCostRef(inp);
    // NCC over 25 taps in float32: sums of products of O(1) values, relative error ~1e-6
    // amplified by 1/sqrt(var) (var ~ 0.05): 1e-4 covers it with margin.
    expectAllClose('sweep cost', got, want, 1e-4, 1e-4);
    // The test means something: costs vary across planes and sources see the image.
    const distinct = new Set(Array.from(want, (c) => c.toFixed(3)));
    expect(distinct.size).toBeGreaterThan(50);
  });

  it('wta_refine matches on a random cost volume', async () => {
    const gpu = await testGpu();
    const rand = rng(12);
    const D = 9;
    const invDepth = Float32Array.from(inverseDepthPlanes({ near: 1, far: 5 }, D));
    const cost = Float32Array.from({ length: D * W * H }, () => 2 * rand());
    // Feed the same float32 volume to both sides through the sweep buffer path.
    const buf = (await import('../../engine/gpu/buffers.js')).uploadStorage(gpu, cost);
    const got = await wtaRefineGpu(gpu, buf, invDepth, W, H);
    buf.destroy();
    const want = wtaRefineRef(cost, invDepth, W, H);
    // Same float32 costs: argmin is identical; refinement arithmetic differs by f32 rounding.
    expectAllClose('depth', got.depth, want.depth, 1e-5, 1e-5);
    expectAllClose('confidence', got.confidence, want.confidence, 1e-5, 1e-5);
    expectAllClose('best cost', got.bestCost, want.bestCost, 0, 0);
    expect(want.confidence.some((c) => c > 0)).toBe(true);
    expect(want.confidence.some((c) => c === 0)).toBe(true);
  });

  it('sweep cost feeds WTA on the GPU without a host round trip', async () => {
    const gpu = await testGpu();
    const rand = rng(13);
    const cams = cameras(rand, 2);
    const ref = Float32Array.from({ length: W * H }, rand);
    const src = Float32Array.from({ length: W * H }, rand);
    const invDepth = Float32Array.from(inverseDepthPlanes({ near: 2, far: 8 }, 5));
    const inp = { width: W, height: H, ref, src, warp: sweepWarp(cams[0], cams[1]), invDepth, radius: 1, bestK: 1, minVar: 1e-4 };
    const costBuf = await sweepCostGpu(gpu, inp);
    const cost = await readF32(gpu, costBuf, 5 * W * H);
    const got = await wtaRefineGpu(gpu, costBuf, invDepth, W, H);
    costBuf.destroy();
    const want = wtaRefineRef(cost, invDepth, W, H);
    expectAllClose('depth', got.depth, want.depth, 1e-5, 1e-5);
  });

  it('cost_filter (two separable box passes) matches, borders included', async () => {
    const gpu = await testGpu();
    const rand = rng(15);
    const D = 3;
    const cost = Float32Array.from({ length: D * W * H }, () => 2 * rand());
    const buf = uploadStorage(gpu, cost);
    await filterCostGpu(gpu, buf, W, H, D, 2);
    const got = await readF32(gpu, buf, D * W * H);
    buf.destroy();
    const want = costFilterRef(costFilterRef(cost, W, H, D, 2, 0), W, H, D, 2, 1);
    // Means of <= 5 float32 values, twice: a few ulps.
    expectAllClose('filtered cost', got, want, 1e-6, 1e-6);
    // A corner averages a 3x3 block (taps outside are skipped, not clamped).
    let corner = 0;
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) corner += cost[y * W + x] / 9;
    expect(want[0]).toBeCloseTo(corner, 12);
  });

  it('consistency matches on random depth maps', async () => {
    const gpu = await testGpu();
    const rand = rng(14);
    const cams = cameras(rand, 3);
    // Source depths: the reference's depth map perturbed, so some pixels pass and some fail.
    const refDepth = Float32Array.from({ length: W * H }, () => (rand() < 0.1 ? 0 : 3.5 + rand()));
    const srcDepth = Float32Array.from({ length: 2 * W * H }, () => 3.5 + rand());
    const camsBlock = cams.slice(1).flatMap((c) => consistencyCams(cams[0], c));
    const inp = { width: W, height: H, refDepth, srcDepth, cams: camsBlock, maxReprojPx: 1.5, maxRelDepth: 0.05 };
    const got = await consistencyGpu(gpu, inp);
    const want = consistencyRef(inp);
    // Round trips in float32 through two rigid transforms: ~1e-5 px error on O(10) px coordinates.
    expectAllClose('min error', got.minError, want.minError, 1e-3, 1e-4);
    // Counts are thresholded: compare them away from the thresholds only.
    let compared = 0;
    for (let p = 0; p < W * H; p++) {
      if (Math.abs(want.minError[p] - 1.5) < 1e-2) continue;
      compared++;
      expect(got.count[p], `count at ${p}`).toBe(want.count[p]);
    }
    expect(compared).toBeGreaterThan(W * H * 0.8);
    expect(want.count.some((c) => c > 0)).toBe(true);
  });

  it('geom_cost matches on random depth maps and adds the best source\'s clamped round-trip error', async () => {
    const gpu = await testGpu();
    const rand = rng(16);
    const cams = cameras(rand, 3);
    const D = 6;
    const invDepth = Float32Array.from(inverseDepthPlanes({ near: 3, far: 6 }, D));
    const cost = Float32Array.from({ length: D * W * H }, () => 2 * rand());
    // Source depths near the planes' range with holes (unknown = 0), so some planes agree, some do not.
    const srcDepth = Float32Array.from({ length: 2 * W * H }, () => (rand() < 0.15 ? 0 : 3.5 + 2 * rand()));
    const inp = { width: W, height: H, srcDepth, cams: cams.slice(1).flatMap((c) => consistencyCams(cams[0], c)), invDepth, weight: 0.2, maxPx: 3 };
    const buf = uploadStorage(gpu, cost);
    await geomCostGpu(gpu, buf, inp);
    const got = await readF32(gpu, buf, D * W * H);
    buf.destroy();
    const want = geomCostRef(cost, inp);
    // Round trips through two rigid transforms in float32 (~1e-4 px on O(10) px coordinates),
    // times the weight 0.2, added to O(1) costs.
    expectAllClose('cost + geometric term', got, want, 1e-4, 1e-4);
    // The term is in [0, weight * maxPx] and not constant: some (plane, pixel) agree with a source, some do not.
    const added = want.map((c, i) => c - cost[i]);
    expect(Math.min(...added)).toBeGreaterThanOrEqual(-1e-6);
    expect(Math.max(...added)).toBeLessThanOrEqual(0.6 + 1e-6);
    expect(added.filter((a) => a < 0.5).length).toBeGreaterThan(10);
    expect(added.filter((a) => a > 0.599).length).toBeGreaterThan(10);
  });
});
