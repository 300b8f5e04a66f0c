/**
 * Five-point relative pose (Stewenius, Engels, Nistér 2006, Gröbner-basis form):
 * E lies in the 4-dimensional null space of the 5 epipolar constraints,
 * E = x X + y Y + z Z + W; the cubic constraints det(E) = 0 and
 * 2 E E^T E - tr(E E^T) E = 0 give 10 equations in the 20 monomials of degree <= 3
 * in (x, y, z). Gauss-Jordan elimination of the 10 leading monomials leaves the
 * action matrix of multiplication by x on the quotient basis
 * [x^2, xy, xz, y^2, yz, z^2, x, y, z, 1]; its real eigenvalues are the x of up
 * to 10 solutions and its eigenvectors give (y, z).
 *
 * Observations are normalized image coordinates; the convention matches
 * essential.ts: x2^T E x1 = 0.
 */
import { eigenvaluesGeneral } from './eigen-general.js';
import { luSolve, type Mat3 } from './linalg.js';
import type { Correspondences } from './essential.js';

/** Monomials of degree <= 3 in grevlex order: the 10 eliminated ones, then the quotient basis. */
const MONOMIALS: [number, number, number][] = [
  [3, 0, 0], [2, 1, 0], [2, 0, 1], [1, 2, 0], [1, 1, 1], [1, 0, 2], [0, 3, 0], [0, 2, 1], [0, 1, 2], [0, 0, 3],
  [2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0],
];
const monoIndex = new Map(MONOMIALS.map((m, i) => [m.join(','), i]));

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

/**
 * Polynomials in (x, y, z) of degree <= 3 live as 20 coefficients over MONOMIALS at an
 * offset into one scratch Float64Array. Degree-1 polynomials are nonzero only from
 * index DEG1 (x, y, z, 1), degree-2 ones from DEG2: the products loop over those
 * supports only, in ascending order as before, so every coefficient is the same sum
 * in the same order as a full 20 x 20 loop that skips zeros (bit-identical results;
 * test/pose/five-point.test.ts checks against that plain reference).
 * Why not per-polynomial arrays: a cold process calls this solver ~30-40 times per
 * image pair, mostly before V8 optimizes it, and the plain version's allocations,
 * closures and Map lookups cost ~1-2 ms a call there (fern3, loaded 2-core machine).
 */
const DEG1 = 16;
const DEG2 = 10;
/** out[o..o+20) = p[po..) * q[qo..) over the supports from pLo and qLo. */
function polyMulInto(out: Float64Array, o: number, p: Float64Array, po: number, pLo: number, q: Float64Array, qo: number, qLo: number): void {
  out.fill(0, o, o + 20);
  for (let i = pLo; i < 20; i++) {
    const pi = p[po + i];
    if (pi === 0) continue;
    for (let j = qLo; j < 20; j++) {
      const qj = q[qo + j];
      if (qj === 0) continue;
      const k = PRODUCT[i * 20 + j];
      if (k < 0) throw new Error('five-point: degree overflow');
      out[o + k] += pi * qj;
    }
  }
}

/** out[o..o+20) = p[po..) + s * q[qo..) (elementwise: out may alias p or q at the same offset). */
function polyAddInto(out: Float64Array, o: number, p: Float64Array, po: number, q: Float64Array, qo: number, s: number): void {
  for (let i = 0; i < 20; i++) out[o + i] = p[po + i] + s * q[qo + i];
}

// Scratch layout (in polynomials of 20): E entries 0-8, EE^T 9-17, trace 18,
// temporaries 19-23, the 10 cubic constraints 24-33 (the [10, 20] matrix M).
const P_E = 0;
const P_EET = 9 * 20;
const P_TRACE = 18 * 20;
const P_T1 = 19 * 20;
const P_T2 = 20 * 20;
const P_T3 = 21 * 20;
const P_T4 = 22 * 20;
const P_ACC = 23 * 20;
const P_EQ = 24 * 20;
const poly = new Float64Array(34 * 20);

/**
 * The constraint polynomials as a fixed program of products and sums over `poly`,
 * [op, out, p, pLo, q, qLo, s] per step, run by one loop: the same operations in the
 * same order as writing them out, but one call site each for polyMulInto and
 * polyAddInto, so that V8 does not inline ~100 copies of them into fivePoint (a larger
 * optimizing compile, during which a cold process keeps running the solver unoptimized).
 * `poly` is module-level scratch: fivePoint calls nothing that could re-enter it.
 */
const OP_MUL = 0;
const OP_ADD = 1;
const OP_ZERO = 2;
const PROGRAM = (() => {
  const ops: number[] = [];
  const mul = (out: number, p: number, pLo: number, q: number, qLo: number) => ops.push(OP_MUL, out, p, pLo, q, qLo, 0);
  const add = (out: number, p: number, q: number, s: number) => ops.push(OP_ADD, out, p, 0, q, 0, s);
  const zero = (out: number) => ops.push(OP_ZERO, out, 0, 0, 0, 0, 0);
  const at = (r: number, q: number) => P_E + 20 * (r * 3 + q);
  // det(E) = E00 m(1,2,1,2) - E01 m(1,2,0,2) + E02 m(1,2,0,1), m = 2x2 minor (degree 2)
  const minor = (o: number, r1: number, r2: number, c1: number, c2: number) => {
    mul(o, at(r1, c1), DEG1, at(r2, c2), DEG1);
    mul(P_ACC, at(r1, c2), DEG1, at(r2, c1), DEG1);
    add(o, o, P_ACC, -1);
  };
  minor(P_T1, 1, 2, 1, 2);
  mul(P_T2, at(0, 0), DEG1, P_T1, DEG2);
  minor(P_T1, 1, 2, 0, 2);
  mul(P_T3, at(0, 1), DEG1, P_T1, DEG2);
  add(P_T2, P_T2, P_T3, -1);
  minor(P_T1, 1, 2, 0, 1);
  mul(P_T3, at(0, 2), DEG1, P_T1, DEG2);
  add(P_EQ, P_T2, P_T3, 1);
  // EEt = E E^T (degree 2), then 2 EEt E - tr(EEt) E (degree 3)
  for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
    const o = P_EET + 20 * (r * 3 + q);
    zero(o);
    for (let k = 0; k < 3; k++) {
      mul(P_T1, at(r, k), DEG1, at(q, k), DEG1);
      add(o, o, P_T1, 1);
    }
  }
  add(P_TRACE, P_EET, P_EET + 20 * 4, 1);
  add(P_TRACE, P_TRACE, P_EET + 20 * 8, 1);
  for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
    zero(P_T4);
    for (let k = 0; k < 3; k++) {
      mul(P_T1, P_EET + 20 * (r * 3 + k), DEG2, at(k, q), DEG1);
      add(P_T4, P_T4, P_T1, 2);
    }
    mul(P_T1, P_TRACE, DEG2, at(r, q), DEG1);
    add(P_EQ + 20 * (1 + r * 3 + q), P_T4, P_T1, -1);
  }
  return Int32Array.from(ops);
})();

/** Up to 10 essential matrices from exactly 5 correspondences `idx`. */
export function fivePoint(c: Correspondences, idx: ArrayLike<number>): Mat3[] {
  if (idx.length !== 5) throw new Error('fivePoint: needs exactly 5 correspondences');
  const A = new Float64Array(5 * 9);
  for (let k = 0; k < 5; k++) {
    const i = idx[k];
    const a0 = c.x1[2 * i];
    const a1 = c.x1[2 * i + 1];
    const b0 = c.x2[2 * i];
    const b1 = c.x2[2 * i + 1];
    // b[r] * a[q] with a = [a0, a1, 1], b = [b0, b1, 1]
    A[k * 9] = b0 * a0; A[k * 9 + 1] = b0 * a1; A[k * 9 + 2] = b0 * 1;
    A[k * 9 + 3] = b1 * a0; A[k * 9 + 4] = b1 * a1; A[k * 9 + 5] = b1 * 1;
    A[k * 9 + 6] = 1 * a0; A[k * 9 + 7] = 1 * a1; A[k * 9 + 8] = 1 * 1;
  }
  const basis = nullSpace5x9(A);
  if (!basis) return [];
  // E entries as degree-1 polynomials: x X + y Y + z Z + W.
  poly.fill(0, P_E, P_E + 9 * 20);
  for (let e = 0; e < 9; e++) {
    poly[P_E + 20 * e + 16] = basis[e]; // x
    poly[P_E + 20 * e + 17] = basis[9 + e]; // y
    poly[P_E + 20 * e + 18] = basis[18 + e]; // z
    poly[P_E + 20 * e + 19] = basis[27 + e]; // 1
  }
  for (let k = 0; k < PROGRAM.length; k += 7) {
    const op = PROGRAM[k];
    if (op === OP_MUL) polyMulInto(poly, PROGRAM[k + 1], poly, PROGRAM[k + 2], PROGRAM[k + 3], poly, PROGRAM[k + 4], PROGRAM[k + 5]);
    else if (op === OP_ADD) polyAddInto(poly, PROGRAM[k + 1], poly, PROGRAM[k + 2], poly, PROGRAM[k + 4], PROGRAM[k + 6]);
    else poly.fill(0, PROGRAM[k + 1], PROGRAM[k + 1] + 20);
  }
  const M = poly.subarray(P_EQ, P_EQ + 200);
  if (!eliminate(M)) return [];
  return solutionsFromAction(M, basis);
}

/**
 * Gauss-Jordan on the 10 x 20 coefficient matrix M (partial pivoting over the first 10
 * columns), in place; false when a pivot vanishes. (fivePoint's stages are separate
 * functions so that V8 optimizes each, small, as soon as it is hot.)
 */
function eliminate(M: Float64Array): boolean {
  for (let col = 0; col < 10; col++) {
    let piv = col;
    for (let r = col + 1; r < 10; r++) if (Math.abs(M[r * 20 + col]) > Math.abs(M[piv * 20 + col])) piv = r;
    if (Math.abs(M[piv * 20 + col]) < 1e-14) return false;
    if (piv !== col) {
      for (let k = 0; k < 20; k++) {
        const v = M[col * 20 + k];
        M[col * 20 + k] = M[piv * 20 + k];
        M[piv * 20 + k] = v;
      }
    }
    const d = M[col * 20 + col];
    for (let k = col; k < 20; k++) M[col * 20 + k] /= d;
    for (let r = 0; r < 10; r++) {
      if (r === col || M[r * 20 + col] === 0) continue;
      const f = M[r * 20 + col];
      for (let k = col; k < 20; k++) M[r * 20 + k] -= f * M[col * 20 + k];
    }
  }
  return true;
}

/** Essential matrices from the eliminated constraints M and the null-space basis [4, 9]. */
function solutionsFromAction(M: Float64Array, basis: Float64Array): Mat3[] {
  // Action matrix of x on the basis b = [x^2, xy, xz, y^2, yz, z^2, x, y, z, 1]:
  // x*x^2 = x^3, x*xy = x^2y, x*xz = x^2z, x*y^2 = xy^2, x*yz = xyz, x*z^2 = xz^2 are
  // eliminated monomials (rows 0-5 of [I | B]: m = -B b); x*x, x*y, x*z, x*1 are in b.
  const Ax = new Float64Array(100);
  for (let r = 0; r < 6; r++) for (let k = 0; k < 10; k++) Ax[r * 10 + k] = -M[r * 20 + 10 + k];
  Ax[6 * 10 + 0] = 1;
  Ax[7 * 10 + 1] = 1;
  Ax[8 * 10 + 2] = 1;
  Ax[9 * 10 + 6] = 1;
  const ev = eigenvaluesGeneral(Ax, 10);
  if (!ev) return [];
  const out: Mat3[] = [];
  const S = new Float64Array(81);
  const rhs = new Float64Array(9);
  for (let k = 0; k < 10; k++) {
    if (Math.abs(ev.im[k]) > 1e-8 * Math.max(1, Math.abs(ev.re[k]))) continue;
    const lambda = ev.re[k];
    // Eigenvector with v[9] = 1: rows 0..8 of (Ax - lambda I) v = 0 as a 9x9 system.
    for (let r = 0; r < 9; r++) {
      for (let q = 0; q < 9; q++) S[r * 9 + q] = Ax[r * 10 + q] - (r === q ? lambda : 0);
      rhs[r] = -Ax[r * 10 + 9];
    }
    const sol = luSolve(S, rhs, 9);
    if (!sol) continue;
    // (x, y, z) = v[6..8] / v[9] with v[9] = 1
    const x = sol[6] / 1;
    const y = sol[7] / 1;
    const z = sol[8] / 1;
    const Em = new Array<number>(9);
    for (let e = 0; e < 9; e++) Em[e] = x * basis[e] + y * basis[9 + e] + z * basis[18 + e] + basis[27 + e];
    const n = Math.hypot(Em[0], Em[1], Em[2], Em[3], Em[4], Em[5], Em[6], Em[7], Em[8]);
    if (!(n > 0) || !Em.every(Number.isFinite)) continue;
    for (let e = 0; e < 9; e++) Em[e] /= n;
    out.push(Em);
  }
  return out;
}

/**
 * Basis of the null space of a 5x9 matrix (rank 5) by Gauss-Jordan elimination with
 * full pivoting: [I | B] P gives the 4 vectors P^T [-B; I], as rows of a [4, 9] array.
 * Exact and much cheaper than an SVD; orthogonality is not needed (the cubic
 * constraints are solved for the coefficients, whatever the basis). A is overwritten.
 */
function nullSpace5x9(A: Float64Array): Float64Array | null {
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
    if (bi !== r) {
      for (let k = 0; k < 9; k++) {
        const v = A[r * 9 + k];
        A[r * 9 + k] = A[bi * 9 + k];
        A[bi * 9 + k] = v;
      }
    }
    const cr = col[r];
    col[r] = col[bj];
    col[bj] = cr;
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
  const out = new Float64Array(36);
  for (let v = 0; v < 4; v++) {
    const fj = col[5 + v];
    const o = 9 * v;
    out[o + fj] = 1;
    for (let r = 0; r < 5; r++) out[o + col[r]] = -A[r * 9 + fj];
    const n = Math.hypot(out[o], out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], out[o + 6], out[o + 7], out[o + 8]);
    for (let k = 0; k < 9; k++) out[o + k] /= n;
  }
  return out;
}
