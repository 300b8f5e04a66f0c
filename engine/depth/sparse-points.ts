/**
 * Sparse points from matched features in views with KNOWN poses (COLMAP's
 * point_triangulator, without bundle adjustment): pairwise matches -> per-pair check by
 * triangulating and reprojecting with the given cameras -> tracks over all views ->
 * DLT triangulation of each track -> keep tracks in front of every camera whose
 * reprojection error is below a threshold in every observing view and whose rays meet
 * at a usable angle. The "sparse SfM points" start of 3DGS when the poses are given.
 */
import type { Camera } from '../splat/camera.js';
import { buildTracks, type PairMatches } from '../pose/tracks.js';
import { triangulateDlt, type Pose } from '../pose/triangulate.js';

export interface KnownPoseMatches {
  /** keypoints per view: [N_v, 2] pixel coordinates in that view's camera (pixel centres at +0.5) */
  keypoints: ArrayLike<number>[];
  /** putative matches between view pairs */
  matches: PairMatches[];
}

export interface TriangulateOptions {
  /** Largest reprojection error allowed in any observing view, pixels (default 2). */
  maxReprojPx?: number;
  /** Smallest angle between two observing rays, degrees (default 1: below it depth is noise). */
  minAngleDeg?: number;
}

export interface TriangulatedPoints {
  /** xyz: [P, 3] world points */
  xyz: Float32Array;
  /** track: per point, the (view, keypoint) observations */
  tracks: { views: number[]; keypoints: number[] }[];
  /** pair matches that failed the two-view check, tracks dropped by the final check */
  rejectedMatches: number;
  rejectedTracks: number;
}

function poseOf(c: Camera): Pose {
  return { R: c.R, t: c.t };
}

/** Reprojection error (px) of X in camera c against pixel (u, v); Infinity behind the camera. */
export function reprojectionError(c: Camera, X: ArrayLike<number>, u: number, v: number): number {
  const x = c.R[0] * X[0] + c.R[1] * X[1] + c.R[2] * X[2] + c.t[0];
  const y = c.R[3] * X[0] + c.R[4] * X[1] + c.R[5] * X[2] + c.t[1];
  const z = c.R[6] * X[0] + c.R[7] * X[1] + c.R[8] * X[2] + c.t[2];
  if (!(z > 0)) return Infinity;
  return Math.hypot((c.fx * x) / z + c.cx - u, (c.fy * y) / z + c.cy - v);
}

function normalized(c: Camera, u: number, v: number): [number, number] {
  return [(u - c.cx) / c.fx, (v - c.cy) / c.fy];
}

/** Largest angle (degrees) between the rays from the camera centres to X. */
function maxRayAngleDeg(cams: Camera[], X: ArrayLike<number>): number {
  const dirs = cams.map((c) => {
    // Centre C = -R^T t; ray X - C.
    const C = [0, 1, 2].map((k) => -(c.R[k] * c.t[0] + c.R[3 + k] * c.t[1] + c.R[6 + k] * c.t[2]));
    const d = [X[0] - C[0], X[1] - C[1], X[2] - C[2]];
    const n = Math.hypot(d[0], d[1], d[2]);
    return d.map((x) => x / n);
  });
  let best = 0;
  for (let i = 0; i < dirs.length; i++) for (let j = i + 1; j < dirs.length; j++) {
    const cos = Math.min(1, Math.max(-1, dirs[i][0] * dirs[j][0] + dirs[i][1] * dirs[j][1] + dirs[i][2] * dirs[j][2]));
    best = Math.max(best, (Math.acos(cos) * 180) / Math.PI);
  }
  return best;
}

function triangulateTrack(cams: Camera[], kps: ArrayLike<number>[], views: number[], keypoints: number[], maxPx: number, minAngle: number): number[] | null {
  const poses = views.map((v) => poseOf(cams[v]));
  const obs = views.map((v, i) => normalized(cams[v], kps[v][2 * keypoints[i]], kps[v][2 * keypoints[i] + 1]));
  const X = triangulateDlt(poses, obs);
  if (!X || X.some((x) => !Number.isFinite(x))) return null;
  for (let i = 0; i < views.length; i++) {
    const k = keypoints[i];
    if (!(reprojectionError(cams[views[i]], X, kps[views[i]][2 * k], kps[views[i]][2 * k + 1]) <= maxPx)) return null;
  }
  if (maxRayAngleDeg(views.map((v) => cams[v]), X) < minAngle) return null;
  return X;
}

export function triangulateWithKnownPoses(cams: Camera[], input: KnownPoseMatches, opts: TriangulateOptions = {}): TriangulatedPoints {
  const maxPx = opts.maxReprojPx ?? 2;
  const minAngle = opts.minAngleDeg ?? 1;
  const kps = input.keypoints;
  if (kps.length !== cams.length) throw new Error(`triangulation: ${kps.length} keypoint sets for ${cams.length} cameras`);
  // Two-view check first, so a wrong match cannot merge two tracks.
  let rejectedMatches = 0;
  const verified: PairMatches[] = input.matches.map((m) => {
    const keep: number[] = [];
    for (let k = 0; k < m.pairs.length / 2; k++) {
      const ia = m.pairs[2 * k], ib = m.pairs[2 * k + 1];
      if (triangulateTrack(cams, kps, [m.a, m.b], [ia, ib], maxPx, 0)) keep.push(ia, ib);
      else rejectedMatches++;
    }
    return { a: m.a, b: m.b, pairs: Uint32Array.from(keep) };
  });
  const { tracks } = buildTracks(kps.map((k) => k.length / 2), verified);
  const xyz: number[] = [];
  const kept: { views: number[]; keypoints: number[] }[] = [];
  let rejectedTracks = 0;
  for (const t of tracks) {
    const X = triangulateTrack(cams, kps, t.views, t.keypoints, maxPx, minAngle);
    if (!X) {
      rejectedTracks++;
      continue;
    }
    xyz.push(X[0], X[1], X[2]);
    kept.push({ views: [...t.views], keypoints: [...t.keypoints] });
  }
  return { xyz: Float32Array.from(xyz), tracks: kept, rejectedMatches, rejectedTracks };
}
