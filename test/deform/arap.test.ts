import { describe, expect, it } from 'vitest';
import { arapEnergy, buildArapGraph } from '../../engine/deform/arap.js';
import { closestRotation, quatFromAxisAngle, quatToMat } from '../../engine/deform/quat.js';
import { rigidityEnergy } from '../../engine/deform/rigidity.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

function randomPoints(seed: number, m: number): Float64Array {
  const rand = rng(seed);
  return new Float64Array(m * 3).map(() => gaussian(rand));
}

function rigid(points: Float64Array, axis: number[], angle: number, t: number[]): Float64Array {
  const q = quatFromAxisAngle(axis, angle);
  const R = quatToMat(q[0], q[1], q[2], q[3]);
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length / 3; i++) {
    for (let a = 0; a < 3; a++) out[i * 3 + a] = R[a * 3] * points[i * 3] + R[a * 3 + 1] * points[i * 3 + 1] + R[a * 3 + 2] * points[i * 3 + 2] + t[a];
  }
  return out;
}

describe('closestRotation (polar decomposition)', () => {
  it('recovers R from R·(SPD) and never returns a reflection', () => {
    const rand = rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const q = quatFromAxisAngle([gaussian(rand), gaussian(rand), gaussian(rand)], 3 * rand());
      const R = Array.from(quatToMat(q[0], q[1], q[2], q[3]));
      // SPD factor with well-separated eigenvalues.
      const A = Array.from({ length: 9 }, () => gaussian(rand));
      const P = new Array<number>(9).fill(0);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) P[i * 3 + j] += A[k * 3 + i] * A[k * 3 + j];
      for (let i = 0; i < 3; i++) P[i * 4] += 0.5;
      const M = new Array<number>(9).fill(0);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) M[i * 3 + j] += R[i * 3 + k] * P[k * 3 + j];
      // Jacobi converges to ~1e-15; conditioning of P (eigenvalues ≥ 0.5) keeps the error ~1e-12.
      expectAllClose(`R trial ${trial}`, closestRotation(M), R, 1e-9, 1e-9);
      // Reflected input: the closest rotation is still proper.
      const F = M.map((v, i) => (i % 3 === 2 ? -v : v));
      const Rf = closestRotation(F);
      const det = Rf[0] * (Rf[4] * Rf[8] - Rf[5] * Rf[7]) - Rf[1] * (Rf[3] * Rf[8] - Rf[5] * Rf[6]) + Rf[2] * (Rf[3] * Rf[7] - Rf[4] * Rf[6]);
      expect(det).toBeCloseTo(1, 9);
    }
  });

  it('handles coplanar neighbourhoods (rank-2 covariance)', () => {
    const q = quatFromAxisAngle([0.3, -1, 0.5], 1.1);
    const R = Array.from(quatToMat(q[0], q[1], q[2], q[3]));
    // S = R · diag(2, 1, 0): the third singular direction is missing.
    const D = [2, 0, 0, 0, 1, 0, 0, 0, 0];
    const S = new Array<number>(9).fill(0);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) S[i * 3 + j] += R[i * 3 + k] * D[k * 3 + j];
    expectAllClose('R', closestRotation(S), R, 1e-9, 1e-9);
  });
});

describe('ARAP energy', () => {
  it('is zero for a rigid motion and positive for a non-rigid one', () => {
    const rest = randomPoints(2, 40);
    const g = buildArapGraph(rest, 10);
    expect(g.k).toBe(10);
    const moved = rigid(rest, [1, 1, 0], 0.9, [0.5, -2, 1]);
    const e = arapEnergy(g, rest, moved);
    expect(e.energy).toBeLessThan(1e-20 * 40 * 10 + 1e-18);
    const squashed = moved.map((v, i) => (i % 3 === 1 ? 0.7 * v : v));
    expect(arapEnergy(g, rest, squashed).energy).toBeGreaterThan(1e-2);
  });

  it('gradients w.r.t. both configurations match central finite differences', () => {
    const rest = randomPoints(3, 25);
    const rand = rng(4);
    const deformed = rigid(rest, [0, 1, 2], 0.5, [1, 0, 0]).map((v) => v + 0.15 * gaussian(rand));
    const g = buildArapGraph(rest, 10);
    const res = arapEnergy(g, rest, deformed);
    // Envelope theorem: R_i is re-fitted inside each finite-difference evaluation, so this
    // checks the claim that holding it fixed gives the exact gradient.
    const eps = 1e-6;
    const fd = (arr: Float64Array) =>
      arr.map((v, i) => {
        arr[i] = v + eps;
        const ep = arapEnergy(g, rest, deformed).energy;
        arr[i] = v - eps;
        const em = arapEnergy(g, rest, deformed).energy;
        arr[i] = v;
        return (ep - em) / (2 * eps);
      });
    // Truncation O(eps²)·E''' tiny; round-off ~1e-16·E/eps ~ 1e-9 for E ~ 10.
    expectAllClose('vDeformed', res.vDeformed, fd(deformed), 1e-6, 1e-6);
    expectAllClose('vRest', res.vRest, fd(rest), 1e-6, 1e-6);
  });
});

describe('control-point rigidity (transform consistency)', () => {
  it('is zero when all control points share one rigid motion, and its gradient matches finite differences', async () => {
    const rest = randomPoints(6, 20);
    const g = buildArapGraph(rest, 6);
    const M = 20;
    const q = quatFromAxisAngle([1, 0.5, -0.2], 0.9);
    const R = quatToMat(q[0], q[1], q[2], q[3]);
    const quats = new Float64Array(M * 4);
    const trans = new Float64Array(M * 3);
    for (let k = 0; k < M; k++) {
      quats.set(q.map((v) => 1.7 * v), k * 4); // unnormalized on purpose
      for (let a = 0; a < 3; a++) trans[k * 3 + a] = R[a * 3] * rest[k * 3] + R[a * 3 + 1] * rest[k * 3 + 1] + R[a * 3 + 2] * rest[k * 3 + 2] + 0.3 - rest[k * 3 + a];
    }
    expect(rigidityEnergy(g, rest, quats, trans, new Float64Array(M * 4), new Float64Array(M * 3))).toBeLessThan(1e-24);
    const rand = rng(7);
    quats.forEach((v, i) => (quats[i] = v + 0.2 * gaussian(rand)));
    trans.forEach((v, i) => (trans[i] = v + 0.2 * gaussian(rand)));
    const vq = new Float64Array(M * 4);
    const vt = new Float64Array(M * 3);
    const e = rigidityEnergy(g, rest, quats, trans, vq, vt, 0.5);
    expect(e).toBeGreaterThan(1e-3);
    const energy = () => rigidityEnergy(g, rest, quats, trans, new Float64Array(M * 4), new Float64Array(M * 3), 0.5);
    const fd = (arr: Float64Array) =>
      arr.map((v, i) => {
        arr[i] = v + 1e-6;
        const ep = energy();
        arr[i] = v - 1e-6;
        const em = energy();
        arr[i] = v;
        return (ep - em) / 2e-6;
      });
    // Smooth energy of O(1) values: truncation ~1e-12, round-off ~1e-10.
    expectAllClose('vQuats', vq, fd(quats), 1e-6, 1e-6);
    expectAllClose('vTrans', vt, fd(trans), 1e-6, 1e-6);
  });
});
