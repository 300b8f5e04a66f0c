/**
 * The plain essential-matrix estimator (engine/pose/essential.ts before its scoring
 * stopped early on bad hypotheses and its Sampson terms stopped allocating), with the
 * plain five-point solver: the reference the fast one must match bit for bit.
 */
import { choleskySolve, dot3, expSO3, mul3, mulVec3, nullVector, svd, tr3, type Mat3, type Vec3 } from '../../engine/pose/linalg.js';
import type { Correspondences, EssentialRansacOptions, EssentialResult } from '../../engine/pose/essential.js';
import { fivePointReference as fivePoint } from './five-point-reference.js';
import { adaptiveIterations, sampleDistinct, seededRandom } from '../../engine/pose/ransac.js';


/** Eight-point (or more) estimate of E from the listed correspondences. */
export function essentialEightPoint(c: Correspondences, idx: ArrayLike<number>, weights?: ArrayLike<number>): Mat3 | null {
  const n = idx.length;
  if (n < 8) return null;
  const T1 = hartley(c.x1, idx);
  const T2 = hartley(c.x2, idx);
  const A = new Array<number>(n * 9);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    const a = [(c.x1[2 * i] - T1.cx) * T1.s, (c.x1[2 * i + 1] - T1.cy) * T1.s, 1];
    const b = [(c.x2[2 * i] - T2.cx) * T2.s, (c.x2[2 * i + 1] - T2.cy) * T2.s, 1];
    const w = weights ? weights[k] : 1;
    for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) A[k * 9 + r * 3 + q] = w * b[r] * a[q];
  }
  const f = nullVector(A, n, 9);
  // Undo the scaling: E = T2^T En T1, with T = [[s,0,-s cx],[0,s,-s cy],[0,0,1]].
  const t1 = [T1.s, 0, -T1.s * T1.cx, 0, T1.s, -T1.s * T1.cy, 0, 0, 1];
  const t2 = [T2.s, 0, -T2.s * T2.cx, 0, T2.s, -T2.s * T2.cy, 0, 0, 1];
  const E = mul3(mul3(tr3(t2), f), t1);
  return projectToEssential(E);
}

function hartley(x: Float64Array, idx: ArrayLike<number>): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < idx.length; k++) {
    cx += x[2 * idx[k]];
    cy += x[2 * idx[k] + 1];
  }
  cx /= idx.length;
  cy /= idx.length;
  let d = 0;
  for (let k = 0; k < idx.length; k++) d += Math.hypot(x[2 * idx[k]] - cx, x[2 * idx[k] + 1] - cy);
  d /= idx.length;
  return { cx, cy, s: d > 0 ? Math.SQRT2 / d : 1 };
}

/** Closest essential matrix: singular values (1, 1, 0), unit Frobenius scale sqrt(2). */
export function projectToEssential(M: ArrayLike<number>): Mat3 | null {
  const { U, S, V } = svd(M, 3, 3);
  if (!(S[0] > 0)) return null;
  const D = [1, 0, 0, 0, 1, 0, 0, 0, 0];
  return mul3(mul3(U, D), tr3(V));
}

/**
 * Eight-point refit on `idx` reweighted towards the Sampson error: each algebraic
 * residual x2^T E x1 is divided by its gradient norm under the previous E
 * (iteratively reweighted least squares), so far-from-centre points stop dominating.
 */
export function essentialReweighted(c: Correspondences, idx: ArrayLike<number>, E0: Mat3, iterations = 3): Mat3 | null {
  let E: Mat3 | null = E0;
  for (let it = 0; it < iterations && E; it++) {
    const w = new Array<number>(idx.length);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      const Ea = mulVec3(E, [c.x1[2 * i], c.x1[2 * i + 1], 1]);
      const Etb = mulVec3(tr3(E), [c.x2[2 * i], c.x2[2 * i + 1], 1]);
      w[k] = 1 / Math.sqrt(Math.max(Ea[0] * Ea[0] + Ea[1] * Ea[1] + Etb[0] * Etb[0] + Etb[1] * Etb[1], 1e-12));
    }
    E = essentialEightPoint(c, idx, w);
  }
  return E;
}

/**
 * Nonlinear refinement of E on the listed correspondences: Levenberg-Marquardt on
 * the signed Sampson residuals with a Huber loss (scale `huber`, normalized units).
 * E stays essential by construction: E = U diag(1,1,0) V^T with U <- U exp(a),
 * V <- V exp(b) (6 parameters for 5 DoF; the damping takes care of the gauge).
 * Jacobians by central differences: 6 parameters, cheap, and exact enough in float64.
 */
export function refineEssential(E0: Mat3, c: Correspondences, idx: ArrayLike<number>, huber: number, iterations = 10): Mat3 {
  const d0 = svd(E0, 3, 3);
  let U = d0.U;
  let V = d0.V;
  const D = [1, 0, 0, 0, 1, 0, 0, 0, 0];
  const build = (Uc: Mat3, Vc: Mat3, p: ArrayLike<number>) =>
    mul3(mul3(mul3(Uc, expSO3([p[0], p[1], p[2]])), D), tr3(mul3(Vc, expSO3([p[3], p[4], p[5]]))));
  const residuals = (E: Mat3) => {
    const r = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      const a: Vec3 = [c.x1[2 * i], c.x1[2 * i + 1], 1];
      const b: Vec3 = [c.x2[2 * i], c.x2[2 * i + 1], 1];
      const Ea = mulVec3(E, a);
      const Etb = mulVec3(tr3(E), b);
      r[k] = dot3(b, Ea) / Math.sqrt(Math.max(Ea[0] * Ea[0] + Ea[1] * Ea[1] + Etb[0] * Etb[0] + Etb[1] * Etb[1], 1e-30));
    }
    return r;
  };
  const cost = (r: Float64Array) => {
    let s = 0;
    for (const v of r) s += Math.abs(v) <= huber ? 0.5 * v * v : huber * (Math.abs(v) - 0.5 * huber);
    return s;
  };
  let E = build(U, V, [0, 0, 0, 0, 0, 0]);
  let r = residuals(E);
  let current = cost(r);
  let lambda = 1e-3;
  const h = 1e-6;
  for (let it = 0; it < iterations; it++) {
    const J: Float64Array[] = [];
    for (let p = 0; p < 6; p++) {
      const dp = [0, 0, 0, 0, 0, 0];
      dp[p] = h;
      const rp = residuals(build(U, V, dp));
      dp[p] = -h;
      const rm = residuals(build(U, V, dp));
      J.push(rp.map((v, k) => (v - rm[k]) / (2 * h)));
    }
    const H = new Array<number>(36).fill(0);
    const g = new Array<number>(6).fill(0);
    for (let k = 0; k < r.length; k++) {
      const w = Math.abs(r[k]) <= huber ? 1 : huber / Math.abs(r[k]);
      for (let a = 0; a < 6; a++) {
        g[a] += w * J[a][k] * r[k];
        for (let b = 0; b < 6; b++) H[a * 6 + b] += w * J[a][k] * J[b][k];
      }
    }
    let accepted = false;
    for (let tries = 0; tries < 6 && !accepted; tries++) {
      const A = H.slice();
      for (let a = 0; a < 6; a++) A[a * 6 + a] += lambda * H[a * 6 + a] + 1e-15;
      const step = choleskySolve(A, g.map((v) => -v), 6);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const Un = mul3(U, expSO3([step[0], step[1], step[2]]));
      const Vn = mul3(V, expSO3([step[3], step[4], step[5]]));
      const En = build(Un, Vn, [0, 0, 0, 0, 0, 0]);
      const rn = residuals(En);
      const cn = cost(rn);
      if (cn < current) {
        accepted = true;
        const gain = current - cn;
        [U, V, E, r, current] = [Un, Vn, En, rn, cn];
        lambda = Math.max(lambda / 10, 1e-10);
        if (gain < 1e-10 * current) return E;
      } else lambda *= 10;
    }
    if (!accepted) break;
  }
  return E;
}

/** Squared Sampson distance of correspondence i to E (normalized units squared). */
export function sampsonErrorSq(E: ArrayLike<number>, c: Correspondences, i: number): number {
  const a: Vec3 = [c.x1[2 * i], c.x1[2 * i + 1], 1];
  const b: Vec3 = [c.x2[2 * i], c.x2[2 * i + 1], 1];
  const Ea = mulVec3(E, a);
  const Etb = mulVec3(tr3(E), b);
  const r = dot3(b, Ea);
  const d = Ea[0] * Ea[0] + Ea[1] * Ea[1] + Etb[0] * Etb[0] + Etb[1] * Etb[1];
  return d > 0 ? (r * r) / d : Infinity;
}

/** MSAC + local optimization over eight-point samples. */
export function ransacEssentialReference(c: Correspondences, opts: EssentialRansacOptions): EssentialResult | null {
  const n = c.x1.length / 2;
  if (n < 8) return null;
  const thr2 = opts.threshold * opts.threshold;
  const confidence = opts.confidence ?? 0.999;
  const maxIt = opts.maxIterations ?? 2000;
  const rand = seededRandom(opts.seed ?? 1);
  let best: { E: Mat3; cost: number; count: number } | null = null;
  let iterations = maxIt;
  const sample: number[] = [];
  const score = (E: Mat3) => {
    let cost = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const e = sampsonErrorSq(E, c, i);
      if (e < thr2) {
        cost += e;
        count++;
      } else cost += thr2;
    }
    return { cost, count };
  };
  const inliersOf = (E: Mat3) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (sampsonErrorSq(E, c, i) < thr2) idx.push(i);
    return idx;
  };
  const sampleSize = opts.solver === 'eight-point' ? 8 : 5;
  for (let it = 0; it < iterations; it++) {
    sampleDistinct(n, sampleSize, rand, sample);
    const hypotheses = sampleSize === 5 ? fivePoint(c, sample) : [essentialEightPoint(c, sample)].filter((E): E is Mat3 => E !== null);
    for (const E of hypotheses) {
      const s = score(E);
      if (!best || s.cost < best.cost) {
        best = { E, ...s };
        // Local optimization: reweighted linear refit on the inliers while it helps.
        for (let lo = 0; lo < 4; lo++) {
          const idx = inliersOf(best.E);
          const E2: Mat3 | null = idx.length >= 8 ? essentialReweighted(c, idx, best.E) : null;
          if (!E2) break;
          const s2 = score(E2);
          if (s2.cost >= best.cost) break;
          best = { E: E2, ...s2 };
        }
        iterations = Math.min(iterations, adaptiveIterations(best.count / n, sampleSize, confidence, maxIt));
      }
    }
  }
  if (!best || best.count < 8) return null;
  // Final nonlinear Sampson refinement on the inliers (once: it costs ~100 linear refits).
  {
    const idx = inliersOf(best.E);
    const E2 = refineEssential(best.E, c, idx, opts.threshold / 2);
    const s2 = score(E2);
    if (s2.cost < best.cost) best = { E: E2, ...s2 };
  }
  const inlierMask = new Uint8Array(n);
  let inlierCount = 0;
  for (let i = 0; i < n; i++) {
    if (sampsonErrorSq(best.E, c, i) < thr2) {
      inlierMask[i] = 1;
      inlierCount++;
    }
  }
  return { E: best.E, inlierMask, inlierCount };
}
