/**
 * The plain five-point solver (engine/pose/five-point.ts as first written: one array
 * per polynomial, full 20 x 20 products that skip zero coefficients), kept as the
 * reference the fast solver must match bit for bit.
 */
import { eigenvaluesGeneral } from '../../engine/pose/eigen-general.js';
import { luSolve, type Mat3 } from '../../engine/pose/linalg.js';
import type { Correspondences } from '../../engine/pose/essential.js';

/** Monomials of degree <= 3 in grevlex order: the 10 eliminated ones, then the quotient basis. */
const MONOMIALS: [number, number, number][] = [
  [3, 0, 0], [2, 1, 0], [2, 0, 1], [1, 2, 0], [1, 1, 1], [1, 0, 2], [0, 3, 0], [0, 2, 1], [0, 1, 2], [0, 0, 3],
  [2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0],
];
const monoIndex = new Map(MONOMIALS.map((m, i) => [m.join(','), i]));

/** Polynomial in (x, y, z) of degree <= 3 as coefficients over MONOMIALS. */
type Poly = Float64Array;

/** PRODUCT[i * 20 + j] = index of monomial i * monomial j (-1 above degree 3). */
const PRODUCT = (() => {
  const t = new Int8Array(400);
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) {
    const a = MONOMIALS[i];
    const b = MONOMIALS[j];
    t[i * 20 + j] = monoIndex.get(`${a[0] + b[0]},${a[1] + b[1]},${a[2] + b[2]}`) ?? -1;
  }
  return t;
})();

function polyMul(p: Poly, q: Poly): Poly {
  const out = new Float64Array(20);
  for (let i = 0; i < 20; i++) {
    if (p[i] === 0) continue;
    for (let j = 0; j < 20; j++) {
      if (q[j] === 0) continue;
      const k = PRODUCT[i * 20 + j];
      if (k < 0) throw new Error('five-point: degree overflow');
      out[k] += p[i] * q[j];
    }
  }
  return out;
}

function polyAdd(p: Poly, q: Poly, s = 1): Poly {
  return p.map((v, i) => v + s * q[i]);
}

/** Up to 10 essential matrices from exactly 5 correspondences `idx`. */
export function fivePointReference(c: Correspondences, idx: ArrayLike<number>): Mat3[] {
  if (idx.length !== 5) throw new Error('fivePoint: needs exactly 5 correspondences');
  const A = new Array<number>(5 * 9);
  for (let k = 0; k < 5; k++) {
    const i = idx[k];
    const a = [c.x1[2 * i], c.x1[2 * i + 1], 1];
    const b = [c.x2[2 * i], c.x2[2 * i + 1], 1];
    for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) A[k * 9 + r * 3 + q] = b[r] * a[q];
  }
  const basis = nullSpace5x9(A);
  if (!basis) return [];
  // E entries as degree-1 polynomials: x X + y Y + z Z + W.
  const E: Poly[] = Array.from({ length: 9 }, (_, e) => {
    const p = new Float64Array(20);
    p[monoIndex.get('1,0,0')!] = basis[0][e];
    p[monoIndex.get('0,1,0')!] = basis[1][e];
    p[monoIndex.get('0,0,1')!] = basis[2][e];
    p[monoIndex.get('0,0,0')!] = basis[3][e];
    return p;
  });
  const at = (r: number, q: number) => E[r * 3 + q];
  const equations: Poly[] = [];
  // det(E)
  const minor = (r1: number, r2: number, c1: number, c2: number) => polyAdd(polyMul(at(r1, c1), at(r2, c2)), polyMul(at(r1, c2), at(r2, c1)), -1);
  equations.push(
    polyAdd(polyAdd(polyMul(at(0, 0), minor(1, 2, 1, 2)), polyMul(at(0, 1), minor(1, 2, 0, 2)), -1), polyMul(at(0, 2), minor(1, 2, 0, 1))),
  );
  // EEt = E E^T (degree 2), then 2 EEt E - tr(EEt) E (degree 3)
  const EEt: Poly[] = [];
  for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
    let s: Poly = new Float64Array(20);
    for (let k = 0; k < 3; k++) s = polyAdd(s, polyMul(at(r, k), at(q, k)));
    EEt.push(s);
  }
  const trace = polyAdd(polyAdd(EEt[0], EEt[4]), EEt[8]);
  for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
    let s: Poly = new Float64Array(20);
    for (let k = 0; k < 3; k++) s = polyAdd(s, polyMul(EEt[r * 3 + k], at(k, q)), 2);
    equations.push(polyAdd(s, polyMul(trace, at(r, q)), -1));
  }
  // Gauss-Jordan on the 10 x 20 coefficient matrix (partial pivoting over the first 10 columns).
  const M = equations.map((p) => Array.from(p));
  for (let col = 0; col < 10; col++) {
    let piv = col;
    for (let r = col + 1; r < 10; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    if (Math.abs(M[piv][col]) < 1e-14) return [];
    [M[col], M[piv]] = [M[piv], M[col]];
    const d = M[col][col];
    for (let k = col; k < 20; k++) M[col][k] /= d;
    for (let r = 0; r < 10; r++) {
      if (r === col || M[r][col] === 0) continue;
      const f = M[r][col];
      for (let k = col; k < 20; k++) M[r][k] -= f * M[col][k];
    }
  }
  // Action matrix of x on the basis b = [x^2, xy, xz, y^2, yz, z^2, x, y, z, 1]:
  // x*x^2 = x^3, x*xy = x^2y, x*xz = x^2z, x*y^2 = xy^2, x*yz = xyz, x*z^2 = xz^2 are
  // eliminated monomials (rows 0-5 of [I | B]: m = -B b); x*x, x*y, x*z, x*1 are in b.
  const Ax = new Array<number>(100).fill(0);
  for (let r = 0; r < 6; r++) for (let k = 0; k < 10; k++) Ax[r * 10 + k] = -M[r][10 + k];
  Ax[6 * 10 + 0] = 1;
  Ax[7 * 10 + 1] = 1;
  Ax[8 * 10 + 2] = 1;
  Ax[9 * 10 + 6] = 1;
  const ev = eigenvaluesGeneral(Ax, 10);
  if (!ev) return [];
  const out: Mat3[] = [];
  for (let k = 0; k < 10; k++) {
    if (Math.abs(ev.im[k]) > 1e-8 * Math.max(1, Math.abs(ev.re[k]))) continue;
    const lambda = ev.re[k];
    // Eigenvector with v[9] = 1: rows 0..8 of (Ax - lambda I) v = 0 as a 9x9 system.
    const S = new Array<number>(81);
    const rhs = new Array<number>(9);
    for (let r = 0; r < 9; r++) {
      for (let q = 0; q < 9; q++) S[r * 9 + q] = Ax[r * 10 + q] - (r === q ? lambda : 0);
      rhs[r] = -Ax[r * 10 + 9];
    }
    const sol = luSolve(S, rhs, 9);
    if (!sol) continue;
    const v = [...sol, 1];
    const x = v[6] / v[9];
    const y = v[7] / v[9];
    const z = v[8] / v[9];
    const Em = Array.from({ length: 9 }, (_, e) => x * basis[0][e] + y * basis[1][e] + z * basis[2][e] + basis[3][e]);
    const n = Math.hypot(...Em);
    if (!(n > 0) || !Em.every(Number.isFinite)) continue;
    out.push(Em.map((val) => val / n));
  }
  return out;
}

/**
 * Basis of the null space of a 5x9 matrix (rank 5) by Gauss-Jordan elimination with
 * full pivoting: [I | B] P gives the 4 vectors P^T [-B; I]. Exact and much cheaper
 * than an SVD; orthogonality is not needed (the cubic constraints are solved for
 * the coefficients, whatever the basis).
 */
function nullSpace5x9(A0: number[]): number[][] | null {
  const A = A0.slice();
  const col = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  for (let r = 0; r < 5; r++) {
    let bi = r;
    let bj = r;
    let best = 0;
    for (let i = r; i < 5; i++) for (let j = r; j < 9; j++) {
      const v = Math.abs(A[i * 9 + col[j]]);
      if (v > best) {
        best = v;
        bi = i;
        bj = j;
      }
    }
    if (best < 1e-14) return null;
    if (bi !== r) for (let k = 0; k < 9; k++) [A[r * 9 + k], A[bi * 9 + k]] = [A[bi * 9 + k], A[r * 9 + k]];
    [col[r], col[bj]] = [col[bj], col[r]];
    const pc = col[r];
    const d = A[r * 9 + pc];
    for (let k = 0; k < 9; k++) A[r * 9 + k] /= d;
    for (let i = 0; i < 5; i++) {
      if (i === r) continue;
      const f = A[i * 9 + pc];
      if (f === 0) continue;
      for (let k = 0; k < 9; k++) A[i * 9 + k] -= f * A[r * 9 + k];
    }
  }
  // Free columns col[5..8]: each gives one null vector.
  return [5, 6, 7, 8].map((fj) => {
    const v = new Array<number>(9).fill(0);
    v[col[fj]] = 1;
    for (let r = 0; r < 5; r++) v[col[r]] = -A[r * 9 + col[fj]];
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}
