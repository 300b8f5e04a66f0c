import { describe, expect, it } from 'vitest';
import { eigenvaluesGeneral } from '../../engine/pose/eigen-general.js';
import { choleskySolve, eigSymmetric, expSO3, gram, logSO3, luSolve, matMul, nearestRotation, rotationAngleDeg, svd, transpose } from '../../engine/pose/linalg.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

describe('pose linalg', () => {
  it('svd reconstructs a random matrix with orthonormal factors', () => {
    const rand = rng(3);
    const [m, n] = [9, 5];
    const A = Array.from({ length: m * n }, () => gaussian(rand));
    const { U, S, V } = svd(A, m, n);
    const US = U.map((u, i) => u * S[i % n]);
    // float64 Jacobi: reconstruction exact to a few ulps of the entries (|A| ~ 1).
    expectAllClose('U S V^T', matMul(US, transpose(V, n, n), m, n, n), A, 1e-12, 0);
    expectAllClose('U^T U', gram(U, m, n), identity(n), 1e-12, 0);
    expectAllClose('V^T V', gram(V, n, n), identity(n), 1e-12, 0);
    for (let i = 1; i < n; i++) expect(S[i]).toBeLessThanOrEqual(S[i - 1]);
  });

  it('symmetric eigen-decomposition satisfies A v = lambda v', () => {
    const rand = rng(4);
    const n = 7;
    const B = Array.from({ length: n * n }, () => gaussian(rand));
    const A = gram(B, n, n);
    const { values, vectors } = eigSymmetric(A, n);
    const AV = matMul(A, vectors, n, n, n);
    const VL = vectors.map((v, i) => v * values[i % n]);
    expectAllClose('A V = V L', AV, VL, 1e-10, 0);
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  });

  it('expSO3 / logSO3 round-trip, including near 0 and near pi', () => {
    for (const w of [[0.3, -0.2, 0.5], [1e-9, 2e-9, -1e-9], [Math.PI - 1e-6, 0, 0], [0, 2.0, 1.0]]) {
      const R = expSO3(w);
      expectAllClose('R^T R', matMul(transpose(R, 3, 3), R, 3, 3, 3), identity(3), 1e-12, 0);
      expect(rotationAngleDeg(expSO3(logSO3(R)), R)).toBeLessThan(1e-5);
    }
  });

  it('cholesky solves an SPD system and rejects an indefinite one', () => {
    const rand = rng(5);
    const n = 6;
    const B = Array.from({ length: n * n }, () => gaussian(rand));
    const A = gram(B, n, n).map((v, i) => v + (i % (n + 1) === 0 ? 0.1 : 0));
    const x = Array.from({ length: n }, () => gaussian(rand));
    const b = matMul(A, x, n, n, 1);
    expectAllClose('x', choleskySolve(A, b, n)!, x, 1e-9, 1e-9);
    expect(choleskySolve([1, 2, 2, 1], [1, 1], 2)).toBeNull();
  });

  it('nearestRotation returns a proper rotation close to a perturbed one', () => {
    const R = expSO3([0.4, 0.1, -0.7]);
    const M = R.map((v, i) => v + 1e-3 * Math.sin(i));
    const Q = nearestRotation(M);
    expect(rotationAngleDeg(Q, R)).toBeLessThan(0.2);
    expectAllClose('Q^T Q', matMul(transpose(Q, 3, 3), Q, 3, 3, 3), identity(3), 1e-12, 0);
  });
});

function identity(n: number): number[] {
  return Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
}

describe('general eigenvalues', () => {
  it('finds the real and complex eigenvalues of P D P^-1', () => {
    const rand = rng(12);
    const n = 10;
    // Block-diagonal D: 6 real eigenvalues and two complex pairs a ± bi.
    const D = new Array<number>(n * n).fill(0);
    const reals = [-3.5, -1.2, 0.3, 0.9, 2.2, 4.1];
    reals.forEach((v, i) => (D[i * n + i] = v));
    for (const [k, a, b] of [[6, 0.5, 1.5], [8, -2, 0.7]]) {
      D[k * n + k] = a; D[k * n + k + 1] = b; D[(k + 1) * n + k] = -b; D[(k + 1) * n + k + 1] = a;
    }
    const P = Array.from({ length: n * n }, (_, i) => gaussian(rand) + (i % (n + 1) === 0 ? 3 : 0));
    const Pinv = Array.from({ length: n }, (_, c) => {
      const e = Array.from({ length: n }, (_, r) => (r === c ? 1 : 0));
      return choleskyFreeSolve(P, e, n);
    });
    const PinvM = new Array<number>(n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) PinvM[r * n + c] = Pinv[c][r];
    const A = matMul(matMul(P, D, n, n, n), PinvM, n, n, n);
    const ev = eigenvaluesGeneral(A, n)!;
    const got = ev.re.map((re, i) => ({ re, im: Math.abs(ev.im[i]) })).sort((a, b) => a.re - b.re || a.im - b.im);
    const want = [...reals.map((re) => ({ re, im: 0 })), { re: 0.5, im: 1.5 }, { re: 0.5, im: 1.5 }, { re: -2, im: 0.7 }, { re: -2, im: 0.7 }].sort((a, b) => a.re - b.re || a.im - b.im);
    // Condition of P ~ 10: eigenvalues to ~1e-10.
    expectAllClose('re', got.map((g) => g.re), want.map((w) => w.re), 1e-8, 0);
    expectAllClose('im', got.map((g) => g.im), want.map((w) => w.im), 1e-8, 0);
  });
});

function choleskyFreeSolve(A: number[], b: number[], n: number): number[] {
  return luSolve(A, b, n)!;
}
