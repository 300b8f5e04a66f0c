/**
 * Geometric verification of one matched pair for the matching diagnostics. With
 * intrinsics it is the pose pipeline's own check (two-view.ts: essential matrix by
 * LO-MSAC, cheirality), which also gives the relative pose; without (e.g. `sparrow
 * matches` on two arbitrary photos) the fundamental matrix (verify-fundamental.ts).
 */
import type { Keypoints, Matches } from './features.js';
import type { Pose } from './triangulate.js';
import { verifyPair, type PinholeIntrinsics } from './two-view.js';
import { fundamentalRansac } from './verify-fundamental.js';

export interface VerifiedMatches {
  /** Matches before verification. */
  matchCount: number;
  /** [M] 1 where the match survives verification. */
  inlierMask: Uint8Array;
  inlierCount: number;
  model: 'essential' | 'fundamental' | 'none';
  /** Relative pose x_cam_b = R x_cam_a + t (|t| = 1), only with intrinsics. */
  pose?: Pose;
  /** Median triangulation angle of the inliers (degrees), only with intrinsics. */
  medianAngleDeg?: number;
}

export interface VerifyMatchesOptions {
  /** Intrinsics of images a and b, when known. */
  intrinsics?: [PinholeIntrinsics, PinholeIntrinsics];
  /** Inlier threshold, pixels (Sampson distance). Default 1.5. */
  thresholdPx?: number;
  seed?: number;
}

/** Matched pixel coordinates: [M, 2] in a and in b. */
export function matchedPoints(a: Keypoints, b: Keypoints, m: Matches): { pa: Float64Array; pb: Float64Array } {
  const M = m.pairs.length / 2;
  const pa = new Float64Array(2 * M);
  const pb = new Float64Array(2 * M);
  for (let k = 0; k < M; k++) {
    const i = m.pairs[2 * k];
    const j = m.pairs[2 * k + 1];
    pa[2 * k] = a.xy[2 * i];
    pa[2 * k + 1] = a.xy[2 * i + 1];
    pb[2 * k] = b.xy[2 * j];
    pb[2 * k + 1] = b.xy[2 * j + 1];
  }
  return { pa, pb };
}

export function verifyMatches(a: Keypoints, b: Keypoints, m: Matches, opts: VerifyMatchesOptions = {}): VerifiedMatches {
  const M = m.pairs.length / 2;
  const thr = opts.thresholdPx ?? 1.5;
  const none: VerifiedMatches = { matchCount: M, inlierMask: new Uint8Array(M), inlierCount: 0, model: 'none' };
  if (M < 8) return none;
  if (opts.intrinsics) {
    const [ka, kb] = opts.intrinsics;
    const v = verifyPair(0, 1, a.xy, b.xy, ka, kb, m.pairs, { thresholdPx: thr, seed: opts.seed });
    if (!v) return none;
    // Back from kept index pairs to a mask over the input matches.
    const kept = new Set<number>();
    for (let k = 0; k < v.pairs.length / 2; k++) kept.add(v.pairs[2 * k] * 1048576 + v.pairs[2 * k + 1]);
    const mask = new Uint8Array(M);
    for (let k = 0; k < M; k++) mask[k] = kept.has(m.pairs[2 * k] * 1048576 + m.pairs[2 * k + 1]) ? 1 : 0;
    return { matchCount: M, inlierMask: mask, inlierCount: v.inlierCount, model: 'essential', pose: v.relPose, medianAngleDeg: v.medianAngleDeg };
  }
  const { pa, pb } = matchedPoints(a, b, m);
  const r = fundamentalRansac(pa, pb, { threshold: thr, seed: opts.seed ?? 1 });
  return { matchCount: M, inlierMask: r.inliers, inlierCount: r.inlierCount, model: r.F ? 'fundamental' : 'none' };
}
