/**
 * Geometric verification of matches without intrinsics: fundamental matrix by the
 * normalized 8-point algorithm (Hartley 1997) inside RANSAC, scored by the Sampson
 * distance. Used where intrinsics are unknown (`sparrow matches`); with intrinsics,
 * verification uses the essential-matrix RANSAC in essential.ts instead.
 *
 * Convention: x2^T F x1 = 0 for pixel coordinates x1 in image 1, x2 in image 2.
 */
import { mul3, nullVector, svd, tr3, type Mat3 } from './linalg.js';
import { adaptiveIterations, sampleDistinct, seededRandom } from './ransac.js';

export interface FundamentalRansacOptions {
  /** Inlier threshold on the Sampson distance, pixels (default 1.5). */
  threshold?: number;
  /** Stop once this confidence of having drawn an all-inlier sample is reached. */
  confidence?: number;
  maxIterations?: number;
  /** Seed of the sampler: the result is deterministic for a given seed. */
  seed?: number;
}

export interface FundamentalResult {
  /** Row-major 3x3, or null when fewer than 8 matches or no model was found. */
  F: Mat3 | null;
  /** [M] 1 where the match is an inlier. */
  inliers: Uint8Array;
  inlierCount: number;
}

/** Squared Sampson distance of one correspondence (pixels^2). */
export function sampsonDistanceSq(F: ArrayLike<number>, x1: number, y1: number, x2: number, y2: number): number {
  const Fx1 = [F[0] * x1 + F[1] * y1 + F[2], F[3] * x1 + F[4] * y1 + F[5], F[6] * x1 + F[7] * y1 + F[8]];
  const Ftx2 = [F[0] * x2 + F[3] * y2 + F[6], F[1] * x2 + F[4] * y2 + F[7], F[2] * x2 + F[5] * y2 + F[8]];
  const e = x2 * Fx1[0] + y2 * Fx1[1] + Fx1[2];
  const d = Fx1[0] * Fx1[0] + Fx1[1] * Fx1[1] + Ftx2[0] * Ftx2[0] + Ftx2[1] * Ftx2[1];
  return d > 0 ? (e * e) / d : Infinity;
}

/** Hartley normalization: centroid to the origin, mean distance sqrt(2). Returns T (3x3). */
function normalizer(pts: ArrayLike<number>, idx: ArrayLike<number>): Mat3 {
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < idx.length; k++) {
    cx += pts[2 * idx[k]];
    cy += pts[2 * idx[k] + 1];
  }
  cx /= idx.length;
  cy /= idx.length;
  let d = 0;
  for (let k = 0; k < idx.length; k++) d += Math.hypot(pts[2 * idx[k]] - cx, pts[2 * idx[k] + 1] - cy);
  const s = d > 0 ? (Math.SQRT2 * idx.length) / d : 1;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

/** Normalized 8-point F from the correspondences idx (>= 8), rank 2 enforced. */
export function fundamentalEightPoint(p1: ArrayLike<number>, p2: ArrayLike<number>, idx: ArrayLike<number>): Mat3 | null {
  const n = idx.length;
  if (n < 8) return null;
  const T1 = normalizer(p1, idx);
  const T2 = normalizer(p2, idx);
  const A = new Array<number>(Math.max(n, 9) * 9).fill(0);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    const x1 = T1[0] * p1[2 * i] + T1[2];
    const y1 = T1[4] * p1[2 * i + 1] + T1[5];
    const x2 = T2[0] * p2[2 * i] + T2[2];
    const y2 = T2[4] * p2[2 * i + 1] + T2[5];
    A.splice(k * 9, 9, x2 * x1, x2 * y1, x2, y2 * x1, y2 * y1, y2, x1, y1, 1);
  }
  const f = nullVector(A, Math.max(n, 9), 9);
  // Rank 2: zero the smallest singular value.
  const { U, S, V } = svd(f, 3, 3);
  const Fn = mul3(mul3(U, [S[0], 0, 0, 0, S[1], 0, 0, 0, 0]), tr3(V));
  const F = mul3(mul3(tr3(T2), Fn), T1);
  const norm = Math.hypot(...F);
  if (!(norm > 0) || !Number.isFinite(norm)) return null;
  return F.map((v) => v / norm);
}

function countInliers(F: Mat3, p1: ArrayLike<number>, p2: ArrayLike<number>, n: number, thr2: number, mask?: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const ok = sampsonDistanceSq(F, p1[2 * i], p1[2 * i + 1], p2[2 * i], p2[2 * i + 1]) < thr2;
    if (mask) mask[i] = ok ? 1 : 0;
    if (ok) c++;
  }
  return c;
}

/**
 * RANSAC over the 8-point solver. p1, p2: [M, 2] matched pixel coordinates.
 * The best model is refit on all its inliers (twice) before the final inlier set.
 */
export function fundamentalRansac(p1: ArrayLike<number>, p2: ArrayLike<number>, opts: FundamentalRansacOptions = {}): FundamentalResult {
  const n = p1.length / 2;
  const inliers = new Uint8Array(n);
  if (n < 8) return { F: null, inliers, inlierCount: 0 };
  const thr2 = (opts.threshold ?? 1.5) ** 2;
  const confidence = opts.confidence ?? 0.999;
  const maxIter = opts.maxIterations ?? 2000;
  const rand = seededRandom(opts.seed ?? 1);
  let best: Mat3 | null = null;
  let bestCount = 0;
  let needed = maxIter;
  const sample: number[] = [];
  for (let it = 0; it < needed; it++) {
    const F = fundamentalEightPoint(p1, p2, sampleDistinct(n, 8, rand, sample));
    if (!F) continue;
    const c = countInliers(F, p1, p2, n, thr2);
    if (c > bestCount) {
      bestCount = c;
      best = F;
      needed = adaptiveIterations(c / n, 8, confidence, maxIter);
    }
  }
  if (!best) return { F: null, inliers, inlierCount: 0 };
  for (let refit = 0; refit < 2; refit++) {
    countInliers(best, p1, p2, n, thr2, inliers);
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (inliers[i]) idx.push(i);
    const F = fundamentalEightPoint(p1, p2, idx);
    if (!F) break;
    const c = countInliers(F, p1, p2, n, thr2);
    if (c < bestCount) break;
    best = F;
    bestCount = c;
  }
  const inlierCount = countInliers(best, p1, p2, n, thr2, inliers);
  return { F: best, inliers, inlierCount };
}

export interface Intrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** F from a relative pose (x_cam2 = R x_cam1 + t): F = K2^-T [t]x R K1^-1. */
export function fundamentalFromPose(R: ArrayLike<number>, t: ArrayLike<number>, k1: Intrinsics, k2: Intrinsics): Mat3 {
  const tx = [0, -t[2], t[1], t[2], 0, -t[0], -t[1], t[0], 0];
  const E = mul3(tx, R);
  const K1inv = [1 / k1.fx, 0, -k1.cx / k1.fx, 0, 1 / k1.fy, -k1.cy / k1.fy, 0, 0, 1];
  const K2inv = [1 / k2.fx, 0, -k2.cx / k2.fx, 0, 1 / k2.fy, -k2.cy / k2.fy, 0, 0, 1];
  return mul3(mul3(tr3(K2inv), E), K1inv);
}
