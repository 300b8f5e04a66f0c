/**
 * Triangulation of a 3D point from its observations in posed views.
 *
 * Views are world-to-camera poses (x_cam = R X + t) and observations are in
 * NORMALIZED image coordinates (K^-1 applied: x = (u - cx) / fx, y = (v - cy) / fy),
 * so the DLT system is well conditioned without Hartley scaling.
 */
import { add3, dot3, mulVec3, norm3, nullVector, scale3, sub3, tr3, type Vec3 } from './linalg.js';

export interface Pose {
  /** world-to-camera rotation, row-major [9] */
  R: number[];
  /** world-to-camera translation [3] */
  t: number[];
}

/** Linear (DLT) triangulation from >= 2 views; null for a point at infinity. */
export function triangulateDlt(poses: Pose[], obs: ArrayLike<number>[]): Vec3 | null {
  const n = poses.length;
  const A = new Array<number>(2 * n * 4);
  for (let v = 0; v < n; v++) {
    const { R, t } = poses[v];
    const [x, y] = [obs[v][0], obs[v][1]];
    // Rows x * P3 - P1 and y * P3 - P2 of P = [R | t].
    for (let c = 0; c < 4; c++) {
      const p1 = c < 3 ? R[c] : t[0];
      const p2 = c < 3 ? R[3 + c] : t[1];
      const p3 = c < 3 ? R[6 + c] : t[2];
      A[(2 * v) * 4 + c] = x * p3 - p1;
      A[(2 * v + 1) * 4 + c] = y * p3 - p2;
    }
  }
  const X = nullVector(A, 2 * n, 4);
  if (Math.abs(X[3]) < 1e-12 * norm3(X)) return null;
  return [X[0] / X[3], X[1] / X[3], X[2] / X[3]];
}

/**
 * Depths (d1, d2) of a correspondence for view 1 = identity and view 2 = (R, t):
 * least squares of d2 x2 = d1 R x1 + t (closed form, 2x2 normal equations). The
 * cheap test for cheirality; null when the rays are parallel.
 */
export function twoViewDepths(R: ArrayLike<number>, t: ArrayLike<number>, x1: ArrayLike<number>, x2: ArrayLike<number>): [number, number] | null {
  const a0 = R[0] * x1[0] + R[1] * x1[1] + R[2];
  const a1 = R[3] * x1[0] + R[4] * x1[1] + R[5];
  const a2 = R[6] * x1[0] + R[7] * x1[1] + R[8];
  const b0 = x2[0];
  const b1 = x2[1];
  // [a, -b] [d1; d2] = -t
  const aa = a0 * a0 + a1 * a1 + a2 * a2;
  const ab = a0 * b0 + a1 * b1 + a2;
  const bb = b0 * b0 + b1 * b1 + 1;
  const at = a0 * t[0] + a1 * t[1] + a2 * t[2];
  const bt = b0 * t[0] + b1 * t[1] + t[2];
  const det = aa * bb - ab * ab;
  if (det < 1e-12 * aa * bb) return null;
  // [aa, -ab; -ab, bb] [d1; d2] = [-at; bt]
  const d1 = (-at * bb + ab * bt) / det;
  const d2 = (aa * bt - ab * at) / det;
  return [d1, d2];
}

/** Camera centre -R^T t. */
export function poseCenter(p: Pose): Vec3 {
  return scale3(mulVec3(tr3(p.R), p.t), -1);
}

/** World-frame unit ray direction of a normalized observation. */
export function rayDirection(p: Pose, x: ArrayLike<number>): Vec3 {
  const d = mulVec3(tr3(p.R), [x[0], x[1], 1]);
  return scale3(d, 1 / norm3(d));
}

/**
 * Midpoint of the shortest segment between two viewing rays (a geometric check on
 * the DLT result: both agree for a well-conditioned, consistent pair).
 */
export function triangulateMidpoint(a: Pose, xa: ArrayLike<number>, b: Pose, xb: ArrayLike<number>): Vec3 | null {
  const ca = poseCenter(a);
  const cb = poseCenter(b);
  const da = rayDirection(a, xa);
  const db = rayDirection(b, xb);
  const w = sub3(ca, cb);
  const B = dot3(da, db);
  const denom = 1 - B * B;
  if (denom < 1e-12) return null;
  const D = dot3(da, w);
  const E = dot3(db, w);
  const sa = (B * E - D) / denom;
  const sb = (E - B * D) / denom;
  return scale3(add3(add3(ca, scale3(da, sa)), add3(cb, scale3(db, sb))), 0.5);
}

/** Angle in degrees between the rays from two camera centres to X. */
export function triangulationAngleDeg(ca: ArrayLike<number>, cb: ArrayLike<number>, X: ArrayLike<number>): number {
  const ra = sub3(X, ca);
  const rb = sub3(X, cb);
  const c = dot3(ra, rb) / (norm3(ra) * norm3(rb));
  return (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI;
}

/** Depth of X in a view (z of the camera-frame point). */
export function depthIn(p: Pose, X: ArrayLike<number>): number {
  return p.R[6] * X[0] + p.R[7] * X[1] + p.R[8] * X[2] + p.t[2];
}

/** Squared reprojection error in normalized units of X in a view. */
export function reprojErrorSq(p: Pose, X: ArrayLike<number>, x: ArrayLike<number>): number {
  const c = add3(mulVec3(p.R, X), p.t);
  const dx = c[0] / c[2] - x[0];
  const dy = c[1] / c[2] - x[1];
  return dx * dx + dy * dy;
}

export interface TriangulationCheck {
  /** Minimum ray angle between any two of the views, degrees. */
  minAngleDeg: number;
  /** Maximum reprojection error in pixels given per-view focal lengths. */
  maxErrorPx: number;
}

/**
 * Triangulate and check: positive depth in every view, a ray angle of at least
 * `minAngleDeg` between some pair, and reprojection error below `maxErrorPx`.
 * Returns null when the point fails any check.
 */
export function triangulateChecked(
  poses: Pose[],
  obs: ArrayLike<number>[],
  focal: number[],
  opts: { minAngleDeg: number; maxErrorPx: number },
): Vec3 | null {
  const X = triangulateDlt(poses, obs);
  if (!X || !X.every(Number.isFinite)) return null;
  let maxAngle = 0;
  const centres = poses.map(poseCenter);
  for (let i = 0; i < poses.length; i++) {
    if (depthIn(poses[i], X) <= 1e-9) return null;
    const e = Math.sqrt(reprojErrorSq(poses[i], X, obs[i])) * focal[i];
    if (e > opts.maxErrorPx) return null;
    for (let j = i + 1; j < poses.length; j++) maxAngle = Math.max(maxAngle, triangulationAngleDeg(centres[i], centres[j], X));
  }
  return maxAngle >= opts.minAngleDeg ? X : null;
}
