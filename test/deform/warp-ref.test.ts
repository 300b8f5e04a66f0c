import { describe, expect, it } from 'vitest';
import { warpBackwardRef, warpForwardRef, type Local, type WarpInputs } from '../../engine/deform/warp-ref.js';
import { quatFromAxisAngle, quatMul, quatToMat } from '../../engine/deform/quat.js';
import { createControlPoints, controlPointsF64 } from '../../engine/deform/control-points.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { randomWarpProblem } from './fixtures.js';

function loss(inp: WarpInputs, vM: Float64Array, vQ: Float64Array): number {
  const out = warpForwardRef(inp);
  let l = 0;
  for (let i = 0; i < vM.length; i++) l += vM[i] * out.means[i];
  for (let i = 0; i < vQ.length; i++) l += vQ[i] * out.quats[i];
  return l;
}

/** Central differences of `loss` w.r.t. every entry of `arr` (mutated in place and restored). */
function fdGrad(arr: Float64Array, f: () => number, eps: number): Float64Array {
  const g = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    arr[i] = v + eps;
    const lp = f();
    arr[i] = v - eps;
    const lm = f();
    arr[i] = v;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}

describe('warp reference', () => {
  it('a single rigid transform shared by all control points moves every Gaussian rigidly', () => {
    const rand = rng(3);
    const N = 20;
    const means = new Float64Array(N * 3).map(() => gaussian(rand));
    const quats = new Float64Array(N * 4).map(() => gaussian(rand));
    const ctrl = controlPointsF64(createControlPoints(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), 0.7));
    const q = quatFromAxisAngle([1, 2, 3], 0.8);
    const R = quatToMat(q[0], q[1], q[2], q[3]);
    const T = [0.3, -0.2, 0.5];
    // Same global motion x -> R x + T expressed about each control point: t_k = R p_k + T - p_k.
    for (let k = 0; k < 3; k++) {
      ctrl.quats.set(q, k * 4);
      const p = ctrl.positions.subarray(k * 3, k * 3 + 3);
      for (let a = 0; a < 3; a++) ctrl.trans[k * 3 + a] = R[a * 3] * p[0] + R[a * 3 + 1] * p[1] + R[a * 3 + 2] * p[2] + T[a] - p[a];
    }
    const nbr = new Uint32Array(N * 3).map((_, j) => j % 3);
    const out = warpForwardRef({ means, quats, nbr, K: 3, ctrl });
    const refM = new Float64Array(N * 3);
    const refQ = new Float64Array(N * 4);
    for (let i = 0; i < N; i++) {
      for (let a = 0; a < 3; a++) refM[i * 3 + a] = R[a * 3] * means[i * 3] + R[a * 3 + 1] * means[i * 3 + 1] + R[a * 3 + 2] * means[i * 3 + 2] + T[a];
      refQ.set(quatMul(q, quats.subarray(i * 4, i * 4 + 4)), i * 4);
    }
    // Pure float64 arithmetic on O(1) values: round-off only.
    expectAllClose('means', out.means, refM, 1e-12, 1e-12);
    expectAllClose('quats', out.quats, refQ, 1e-12, 1e-12);
  });

  it('weights are normalized: identity transforms leave Gaussians in place even far from every control point', () => {
    const p = randomWarpProblem(5, 30, 6, 3);
    p.ctrl.quats.fill(0);
    for (let k = 0; k < p.ctrl.count; k++) p.ctrl.quats[k * 4] = 2;
    p.ctrl.trans.fill(0);
    p.ctrl.logRadius.fill(Math.log(1e-3)); // every RBF underflows: only the max-shifted softmax stays finite
    const out = warpForwardRef(p);
    expectAllClose('means', out.means, p.means, 1e-12, 1e-12);
    expectAllClose('quats', out.quats, p.quats, 1e-12, 1e-12);
  });

  it('backward matches central finite differences for every input', () => {
    const p = randomWarpProblem(7, 12, 5, 3);
    const rand = rng(11);
    const vM = new Float64Array(12 * 3).map(() => gaussian(rand));
    const vQ = new Float64Array(12 * 4).map(() => gaussian(rand));
    const g = warpBackwardRef(p, vM, vQ);
    // Reusing the forward's saved locals gives the identical result.
    const saved: Local[] = [];
    warpForwardRef(p, saved);
    expect(warpBackwardRef(p, vM, vQ, saved)).toEqual(g);
    const f = () => loss(p, vM, vQ);
    // eps 1e-5 in float64: truncation O(eps²) ~1e-10 times third derivatives of O(10)
    // (radii down to 0.3 make the RBFs curved), round-off ~1e-16/1e-5; 1e-6 bounds both.
    const eps = 1e-5;
    const tol = 1e-6;
    expectAllClose('vMeans', g.vMeans, fdGrad(p.means as Float64Array, f, eps), tol, tol);
    expectAllClose('vQuats', g.vQuats, fdGrad(p.quats as Float64Array, f, eps), tol, tol);
    expectAllClose('vCtrlPositions', g.vCtrlPositions, fdGrad(p.ctrl.positions, f, eps), tol, tol);
    expectAllClose('vCtrlLogRadius', g.vCtrlLogRadius, fdGrad(p.ctrl.logRadius, f, eps), tol, tol);
    expectAllClose('vCtrlQuats', g.vCtrlQuats, fdGrad(p.ctrl.quats, f, eps), tol, tol);
    expectAllClose('vCtrlTrans', g.vCtrlTrans, fdGrad(p.ctrl.trans, f, eps), tol, tol);
    // Every parameter group must actually receive gradient (guards against a silently dropped term).
    for (const [name, arr] of Object.entries(g)) expect(Math.max(...Array.from(arr as Float64Array, Math.abs)), name).toBeGreaterThan(1e-3);
  });
});
