/**
 * Fallback placement from a depth prior: a view with a few 2D-3D matches (fewer than
 * PnP needs to be trusted, at least 4) and a depth map of its own lifts those
 * keypoints to 3D in its camera frame (x * depth, up to the map's unknown scale) and
 * aligns them to the model points by a similarity (Umeyama) in RANSAC over 3-point
 * samples. The similarity's scale absorbs the depth map's scale; its rotation and
 * translation are the camera pose. Inliers are judged by reprojection error, the
 * pose is then polished on them by the PnP refinement (pnp.ts).
 *
 * Why it helps: three lifted points fix a pose where PnP needs a consensus of many
 * (a P3P solution is ambiguous, EPnP ill-conditioned with a handful of points).
 */
import { umeyama } from './align.js';
import { mulVec3, tr3, type Vec3 } from './linalg.js';
import { refinePose } from './pnp.js';
import { sampleDistinct, seededRandom } from './ransac.js';
import type { Pose } from './triangulate.js';

export interface DepthAlignmentInput {
  /** [N][3] model points */
  X: Vec3[];
  /** [N][2] normalized observations of those points in the view */
  x: [number, number][];
  /** [N] depth prior at each observation (z-depth up to one unknown scale) */
  depth: number[];
  /** reprojection inlier threshold, normalized units (px / f) */
  threshold: number;
  /** inliers needed (default 5) */
  minInliers?: number;
  iterations?: number;
  seed?: number;
}

export interface DepthAlignment {
  pose: Pose;
  inliers: number;
  /** depth-prior units -> model units */
  scale: number;
}

function poseFromSimilarity(X: Vec3[], P: Vec3[]): { pose: Pose; scale: number } | null {
  // X ≈ s R P + T  =>  camera coordinates (in model units) s P = R^T (X - T).
  const sim = umeyama(P, X, true);
  if (!(sim.s > 0) || !Number.isFinite(sim.s)) return null;
  const Rt = tr3(sim.R);
  const t = mulVec3(Rt, sim.t);
  return { pose: { R: Rt, t: [-t[0], -t[1], -t[2]] }, scale: sim.s };
}

function reprojectionOk(pose: Pose, X: Vec3, x: [number, number], thr: number): boolean {
  const c = mulVec3(pose.R, X);
  const z = c[2] + pose.t[2];
  if (!(z > 0)) return false;
  return Math.hypot((c[0] + pose.t[0]) / z - x[0], (c[1] + pose.t[1]) / z - x[1]) < thr;
}

export function placeByDepthAlignment(input: DepthAlignmentInput): DepthAlignment | { reason: string } {
  const n = input.X.length;
  const minInliers = input.minInliers ?? 5;
  const valid = Array.from({ length: n }, (_, i) => i).filter((i) => input.depth[i] > 0 && Number.isFinite(input.depth[i]));
  if (valid.length < Math.max(4, minInliers)) return { reason: `only ${valid.length} of its model-point matches have a depth prior (need ${Math.max(4, minInliers)})` };
  const P: Vec3[] = valid.map((i) => [input.x[i][0] * input.depth[i], input.x[i][1] * input.depth[i], input.depth[i]]);
  const X = valid.map((i) => input.X[i]);
  const x = valid.map((i) => input.x[i]);
  const rand = seededRandom(input.seed ?? 5);
  let best: { mask: Uint8Array; count: number; pose: Pose; scale: number } | null = null;
  const sample: number[] = [];
  for (let it = 0; it < (input.iterations ?? 200); it++) {
    sampleDistinct(valid.length, 3, rand, sample);
    const h = poseFromSimilarity(sample.map((k) => X[k]), sample.map((k) => P[k]));
    if (!h) continue;
    const mask = Uint8Array.from(X, (Xk, k) => (reprojectionOk(h.pose, Xk, x[k], input.threshold) ? 1 : 0));
    const count = mask.reduce((a, b) => a + b, 0);
    if (!best || count > best.count) best = { mask, count, ...h };
  }
  if (!best || best.count < minInliers) return { reason: `lifting its ${valid.length} model-point matches with the depth prior aligned at most ${best?.count ?? 0} of them (need ${minInliers})` };
  // Refit the similarity on all inliers, then polish the pose on reprojection error.
  const idx = [...best.mask.keys()].filter((k) => best!.mask[k]);
  const refit = poseFromSimilarity(idx.map((k) => X[k]), idx.map((k) => P[k])) ?? best;
  const flat = { X: Float64Array.from(X.flat()), x: Float64Array.from(x.flat()) };
  const pose = refinePose(refit.pose, flat, best.mask, input.threshold);
  const mask = Uint8Array.from(X, (Xk, k) => (reprojectionOk(pose, Xk, x[k], input.threshold) ? 1 : 0));
  const inliers = mask.reduce((a, b) => a + b, 0);
  if (inliers < minInliers) return { reason: `the depth-prior alignment kept ${inliers} inliers after refinement (need ${minInliers})` };
  return { pose, inliers, scale: refit.scale };
}
