/**
 * Geometric verification of one image pair: putative matches -> essential matrix
 * (LO-MSAC, Sampson error) -> relative pose with cheirality, keeping only matches
 * that are epipolar inliers AND triangulate in front of both cameras. The median
 * triangulation angle says how much baseline the pair has (a pair related by a
 * pure rotation verifies but cannot start a reconstruction).
 */
import { ransacEssential, recoverPose } from './essential.js';
import { poseCenter, triangulationAngleDeg, twoViewDepths, type Pose } from './triangulate.js';

export interface PinholeIntrinsics {
  f: number;
  cx: number;
  cy: number;
}

export interface VerifiedPair {
  a: number;
  b: number;
  /** [M, 2] inlier keypoint index pairs */
  pairs: Uint32Array;
  inlierCount: number;
  /** putative matches given */
  putativeCount: number;
  /** pose of b relative to a (a = identity), |t| = 1 */
  relPose: Pose;
  medianAngleDeg: number;
}

export interface VerifyOptions {
  /** epipolar inlier threshold, pixels */
  thresholdPx?: number;
  seed?: number;
}

export function normalizePoint(K: PinholeIntrinsics, u: number, v: number): [number, number] {
  return [(u - K.cx) / K.f, (v - K.cy) / K.f];
}

/**
 * Verify matches between views a and b. `xyA`, `xyB`: [N, 2] pixel keypoints;
 * `pairs`: [M, 2] putative index pairs. Returns null when fewer than 8 survive.
 */
export function verifyPair(
  a: number,
  b: number,
  xyA: ArrayLike<number>,
  xyB: ArrayLike<number>,
  Ka: PinholeIntrinsics,
  Kb: PinholeIntrinsics,
  pairs: ArrayLike<number>,
  opts: VerifyOptions = {},
): VerifiedPair | null {
  const m = pairs.length / 2;
  if (m < 8) return null;
  const x1 = new Float64Array(2 * m);
  const x2 = new Float64Array(2 * m);
  for (let k = 0; k < m; k++) {
    const i = pairs[2 * k];
    const j = pairs[2 * k + 1];
    [x1[2 * k], x1[2 * k + 1]] = normalizePoint(Ka, xyA[2 * i], xyA[2 * i + 1]);
    [x2[2 * k], x2[2 * k + 1]] = normalizePoint(Kb, xyB[2 * j], xyB[2 * j + 1]);
  }
  const c = { x1, x2 };
  const thr = (opts.thresholdPx ?? 2) / Math.sqrt(Ka.f * Kb.f);
  // 1000 five-point samples find an all-inlier sample at >= 40% inliers (99.9%);
  // pairs below that are too weak to anchor poses anyway.
  const res = ransacEssential(c, { threshold: thr, seed: opts.seed ?? 1 + a * 131 + b, maxIterations: 1000 });
  if (!res) return null;
  const rec = recoverPose(res.E, c, res.inlierMask);
  if (rec.cheiralCount < 8) return null;
  const kept: number[] = [];
  const angles: number[] = [];
  const cb = poseCenter(rec.pose);
  for (let k = 0; k < m; k++) {
    if (!rec.cheiralMask[k]) continue;
    kept.push(pairs[2 * k], pairs[2 * k + 1]);
    const d = twoViewDepths(rec.pose.R, rec.pose.t, [x1[2 * k], x1[2 * k + 1]], [x2[2 * k], x2[2 * k + 1]]);
    if (d) angles.push(triangulationAngleDeg([0, 0, 0], cb, [x1[2 * k] * d[0], x1[2 * k + 1] * d[0], d[0]]));
  }
  angles.sort((p, q) => p - q);
  return {
    a,
    b,
    pairs: Uint32Array.from(kept),
    inlierCount: kept.length / 2,
    putativeCount: m,
    relPose: rec.pose,
    medianAngleDeg: angles.length ? angles[angles.length >> 1] : 0,
  };
}
