/**
 * The mutable state of one incremental SfM run, shared by the registration loop
 * (incremental-sfm.ts) and the fallbacks for views PnP cannot place (sfm-fallback.ts).
 */
import type { PinholeIntrinsics } from './two-view.js';
import type { Pose } from './triangulate.js';
import type { TrackSet } from './tracks.js';
import type { RegistrationMethod, SfmView } from './incremental-sfm.js';

export interface State {
  views: SfmView[];
  intrinsics: PinholeIntrinsics[];
  poses: (Pose | null)[];
  method: (RegistrationMethod | undefined)[];
  regInliers: number[];
  placement: (string | undefined)[];
  tracks: TrackSet;
  /** track id -> 3D point */
  points: Map<number, [number, number, number]>;
  /** rejected observations, key view * 2^20 + keypoint */
  rejected: Set<number>;
}

export const obsKey = (view: number, kp: number) => view * 1048576 + kp;

/** 2D-3D correspondences of view v: triangulated tracks seen by one of its keypoints. */
export function correspondences(s: State, v: number): { X: Float64Array; x: Float64Array; keypoints: number[] } {
  const X: number[] = [];
  const x: number[] = [];
  const keypoints: number[] = [];
  const K = s.intrinsics[s.views[v].group];
  const xy = s.views[v].xy;
  const trackOf = s.tracks.trackOf[v];
  for (let kp = 0; kp < trackOf.length; kp++) {
    const t = trackOf[kp];
    if (t < 0 || s.rejected.has(obsKey(v, kp))) continue;
    const P = s.points.get(t);
    if (!P) continue;
    X.push(P[0], P[1], P[2]);
    x.push((xy[2 * kp] - K.cx) / K.f, (xy[2 * kp + 1] - K.cy) / K.f);
    keypoints.push(kp);
  }
  return { X: Float64Array.from(X), x: Float64Array.from(x), keypoints };
}
