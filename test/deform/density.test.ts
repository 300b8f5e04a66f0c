import { describe, expect, it } from 'vitest';
import { controlPointsFromMeans, knn } from '../../engine/deform/control-points.js';
import { adaptControlPoints, remapMotion } from '../../engine/deform/density.js';
import { controlPointsAt, createKeyframeMotion } from '../../engine/deform/motion.js';
import { quatFromAxisAngle, quatToMat } from '../../engine/deform/quat.js';
import { warpForwardRef } from '../../engine/deform/warp-ref.js';
import { expectAllClose, rng } from '../util/close.js';

/** Give every control point the same global rigid motion x -> R x + T, expressed about itself. */
function setGlobalMotion(quats: Float32Array | Float64Array, trans: Float32Array | Float64Array, positions: ArrayLike<number>, angle: number, T: number[]): void {
  const q = quatFromAxisAngle([1, -1, 0.5], angle);
  const R = quatToMat(q[0], q[1], q[2], q[3]);
  for (let k = 0; k < positions.length / 3; k++) {
    quats.set(q, k * 4);
    const p = [0, 1, 2].map((a) => positions[k * 3 + a]);
    for (let a = 0; a < 3; a++) trans[k * 3 + a] = R[a * 3] * p[0] + R[a * 3 + 1] * p[1] + R[a * 3 + 2] * p[2] + T[a] - p[a];
  }
}

describe('adaptive control-point density', () => {
  const rand = rng(5);
  const N = 600;
  const means = new Float32Array(N * 3).map(() => rand() * 2 - 1);
  const quats = new Float32Array(N * 4).map((_, i) => (i % 4 === 0 ? 1 : 0));

  it('removes unused control points and adds children where the error is high, keeping the motion', () => {
    const base = controlPointsFromMeans(means, 10);
    // An 11th control point far from every Gaussian: no Gaussian has it among its neighbours.
    const ctrl = {
      count: 11,
      positions: Float32Array.from([...base.positions, 50, 0, 0]),
      logRadius: Float32Array.from([...base.logRadius, 0]),
      quats: new Float32Array(44),
      trans: new Float32Array(33),
    };
    setGlobalMotion(ctrl.quats, ctrl.trans, ctrl.positions, 0.6, [0.2, 0.1, -0.3]);
    const K = 3;
    const nbr = knn(means, ctrl.positions, K);
    const errors = Float64Array.from({ length: N }, (_, i) => (means[i * 3] > 0.5 ? 1 : 0));
    const res = adaptControlPoints(ctrl, means, nbr, K, errors, { errorThreshold: 0.2 });
    expect(res.removed).toBe(1);
    expect(Array.from(res.sourceIndex)).not.toContain(10);
    expect(res.added).toBeGreaterThan(0);
    expect(res.ctrl.count).toBe(11 - 1 + res.added);
    // Children sit at the error-weighted centroid of their parent's Gaussians: all errors
    // are at x > 0.5, so every child is there too.
    for (let j = 10; j < res.ctrl.count; j++) expect(res.ctrl.positions[j * 3]).toBeGreaterThan(0.5);
    // Parents were split only if their Gaussians' weighted mean error passed the threshold,
    // so no parent lies deep in the error-free half.
    for (let j = 10; j < res.ctrl.count; j++) expect(ctrl.positions[res.sourceIndex[j] * 3]).toBeGreaterThan(-0.5);
    // Children inherit the parent's transform re-expressed about their own centre: under a
    // global rigid motion the warp is unchanged by the adaptation (neighbours rebuilt).
    const before = warpForwardRef({ means, quats, nbr, K, ctrl });
    const after = warpForwardRef({ means, quats, nbr: knn(means, res.ctrl.positions, K), K, ctrl: res.ctrl });
    // float32 control-point state, coordinates ~1: ~1e-6 round-off.
    expectAllClose('warped means', after.means, before.means, 1e-5, 1e-5);
  });

  it('never removes below minCount and remaps keyframed motion with the children', () => {
    const ctrl = controlPointsFromMeans(means, 6);
    const K = 3;
    const nbr = knn(means, ctrl.positions, K);
    const res = adaptControlPoints(ctrl, means, nbr, K, new Float64Array(N).fill(1), { errorThreshold: 0.5, minSupport: 1e9, minCount: 4, maxAdd: 2 });
    expect(res.removed).toBe(2);
    expect(res.added).toBe(2);
    // Keyframes: each frame is a global rigid motion; after remapping, the children move
    // with their parents, so the warp at every keyframe matches the warp before. (Between
    // keyframes the per-point interpolation is not one global rigid motion, so the blend
    // legitimately depends on where the control points are.)
    const motion = createKeyframeMotion([0, 1], 6);
    setGlobalMotion(motion.quats.subarray(24), motion.trans.subarray(18), ctrl.positions, 0.9, [1, 0, 0]);
    const remapped = remapMotion(motion, res.sourceIndex, ctrl.positions, res.ctrl.positions);
    for (const t of [0, 1]) {
      const before = warpForwardRef({ means, quats, nbr, K, ctrl: controlPointsAt(ctrl, motion, t) });
      const after = warpForwardRef({ means, quats, nbr: knn(means, res.ctrl.positions, K), K, ctrl: controlPointsAt(res.ctrl, remapped, t) });
      expectAllClose(`warped means t=${t}`, after.means, before.means, 1e-5, 1e-5);
    }
  });
});
