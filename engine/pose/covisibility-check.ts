/**
 * The missing-matches check for a view placed by one pair (the relative-pose fallback,
 * sfm-fallback.ts): two photos that look at the same part of the scene from directions
 * a few tens of degrees apart share matches. When the new pose puts the view next to a
 * registered view it shares no trusted pair with, the pose came from matches across
 * repeated or symmetric structure, not from the scene's geometry (the "missing
 * correspondences" cue of the SfM disambiguation literature, Zach et al. 2010).
 *
 * Issue 4, lego8t (bench/results/poses.md): test_050 was placed 11° from test_000 on their
 * 33 inliers, while the two are 180° apart; the pose put it 36° from test_190 (seen from the
 * point the pair looks at), whose pair with test_050 has 12 verified inliers and is not
 * trusted, where every true lego pair up to 37° apart has >= 51 (those 41-50° apart: 12-123).
 */
import { depthIn, poseCenter, triangulationAngleDeg, type Pose } from './triangulate.js';
import type { State } from './sfm-state.js';
import type { VerifiedPair } from './two-view.js';

/** Directions (seen from the shared scene point) closer than this must share a trusted pair. */
export const MAX_COVISIBLE_DEG = 40;

/**
 * A placing pair with this many inliers is believed over matches missing elsewhere
 * (occlusion, blur, a matcher that failed on one pair): the check is for weak pairs, where
 * matches across symmetric structure live (lego8t's 33). Symmetric pairs can be strong too
 * (lego12: 194-220 inliers between views 152-178° apart); for masked photos the silhouette
 * check (model-silhouette-check.ts) is what catches those.
 */
export const STRONG_PAIR_INLIERS = 100;

export interface CovisibilityInput {
  s: State;
  view: number;
  pose: Pose;
  /** the registered view the pose came from */
  partner: number;
  /** the trusted verified pairs SfM runs on (each with the pipeline's minimum of inliers) */
  pairs: VerifiedPair[];
  maxAngleDeg?: number;
}

/** Null when the pose passes; else the registered view it should share matches with, and why. */
export function missingCovisibility(inp: CovisibilityInput): { view: number; reason: string } | null {
  const { s, view, pose, partner } = inp;
  const pairWith = (q: number) => inp.pairs.find((p) => (p.a === view && p.b === q) || (p.a === q && p.b === view));
  const placing = pairWith(partner);
  if (placing && placing.inlierCount >= STRONG_PAIR_INLIERS) return null;
  const target = sharedPoint(s, partner);
  if (!target) return null;
  const maxAngle = inp.maxAngleDeg ?? MAX_COVISIBLE_DEG;
  const cv = poseCenter(pose);
  for (let q = 0; q < s.poses.length; q++) {
    const P = s.poses[q];
    if (!P || q === view || q === partner) continue;
    // The angle at the shared point between the two camera centres.
    const angle = triangulationAngleDeg(cv, poseCenter(P), target);
    if (angle > maxAngle || !inImage(s, q, P, target)) continue;
    if (pairWith(q)) continue;
    return {
      view: q,
      reason: `the pose puts it ${angle.toFixed(0)}° from ${s.views[q].name}, looking at the same part of the scene, yet the two photos share no trusted pair of matches: its pair with ${s.views[partner].name} may match across repeated or symmetric structure`,
    };
  }
  return null;
}

/** The median (per axis) of the model points the partner view observes: what the pair looks at. */
function sharedPoint(s: State, v: number): [number, number, number] | null {
  const xs: number[][] = [[], [], []];
  for (const t of s.tracks.trackOf[v]) {
    const X = t >= 0 ? s.points.get(t) : undefined;
    if (X) for (let a = 0; a < 3; a++) xs[a].push(X[a]);
  }
  if (xs[0].length < 5) return null;
  const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  return [med(xs[0]), med(xs[1]), med(xs[2])];
}

/** The point lies in front of view q and inside its frame. */
function inImage(s: State, q: number, P: Pose, X: number[]): boolean {
  const z = depthIn(P, X);
  if (!(z > 0)) return false;
  const { R, t } = P;
  const K = s.intrinsics[s.views[q].group];
  const u = (K.f * (R[0] * X[0] + R[1] * X[1] + R[2] * X[2] + t[0])) / z + K.cx;
  const v = (K.f * (R[3] * X[0] + R[4] * X[1] + R[5] * X[2] + t[1])) / z + K.cy;
  return u >= 0 && u < s.views[q].width && v >= 0 && v < s.views[q].height;
}
