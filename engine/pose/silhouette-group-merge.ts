/**
 * Merge of the groups placed by silhouettes (silhouette-group-placement.ts) into the main
 * model, so that their views are full members of the pose output:
 *
 *   main model (poses, points, tracks, colours)
 *   + each placed group's own sparse model, carried into the world by its similarity
 *     (points, colours, track lengths, observations with global view indices)
 *   -> one final bundle adjustment over every view that observes a point and every point
 *      (bundle-adjust.ts; focal length fixed at the main model's; one camera fixed per
 *      connected part: the main model's first registered view and each group's first view,
 *      so no part can be moved, turned or pulled away from the others: only the damped
 *      scale direction of each part stays free)
 *   -> the whole model (all poses, all points) must still pass the silhouette model check,
 *      and no part's scale (camera spread) may drift by more than maxScaleDrift;
 *      otherwise the pre-adjustment poses and points are kept and `note` says why
 *   -> per-view observation counts and RMS reprojection errors from the final model.
 *
 * No trusted match links a group to the main model (that is why it was placed by
 * silhouettes), so no track crosses parts: the adjustment refines each part internally
 * and keeps each placement's similarity.
 */
import { viewIntrinsics } from './intrinsics.js';
import { bundleAdjust, residual, type BaObservation, type BaProblem, type BaReport } from './bundle-adjust.js';
import type { SfmResult, SfmView } from './incremental-sfm.js';
import type { ModelCheck } from './model-silhouette-check.js';
import type { PlacedGroupModel } from './silhouette-group-placement.js';
import { rotationAngleDeg } from './linalg.js';
import type { Pose } from './triangulate.js';

export interface GroupMergeInput {
  /** the main model */
  sfm: SfmResult;
  /** every view's keypoints and intrinsics group (as given to incrementalSfm) */
  views: SfmView[];
  /** world-to-camera poses of the views the group placement placed */
  placed: Map<number, { pose: Pose }>;
  /** their groups' own models in the world (GroupOutcome.models) */
  models: PlacedGroupModel[];
  /** the whole-model silhouette check; without it the adjusted model is kept unchecked */
  check?: ModelCheck | null;
  /** largest relative change of a part's scale (camera spread) the adjustment may make (default 0.05) */
  maxScaleDrift?: number;
  signal?: AbortSignal;
}

export interface MergedModel {
  /** [V] world-to-camera poses (null: not registered) */
  poses: (Pose | null)[];
  /** [P, 3] world points (main model first, then each group's), [P, 3] RGB8, [P] track lengths */
  points: Float64Array;
  colors: Uint8Array;
  trackLengths: Uint16Array;
  pointObservations: { view: number; keypoint: number }[][];
  /** [V] observations and RMS reprojection error (px; NaN without observations) in the final model */
  perView: { observations: number; rmsErrorPx: number }[];
  /** the final adjustment's report (absent when it did not run) */
  bundleAdjustment?: BaReport;
  /** whether the adjusted poses and points were kept */
  adjusted: boolean;
  /** what the final adjustment did, for the placed views' placement text */
  note: string;
}

/** The main model plus the placed groups' points, jointly adjusted (see the file comment). */
export function mergePlacedGroups(input: GroupMergeInput): MergedModel {
  const { sfm, views } = input;
  const poses: (Pose | null)[] = sfm.views.map((v, i) => v.pose ?? input.placed.get(i)?.pose ?? null);
  const pointObservations = [...sfm.pointObservations, ...input.models.flatMap((m) => m.pointObservations)];
  const points = concatF64([sfm.points, ...input.models.map((m) => m.points)]);
  const colors = concatU8([sfm.colors, ...input.models.map((m) => m.colors)]);
  const trackLengths = Uint16Array.from(pointObservations, (o) => o.length);
  const K = (v: number) => viewIntrinsics(sfm.intrinsics, views[v]);

  // The problem: cameras = views that observe a point; one fixed camera per part.
  const observed = new Set(pointObservations.flatMap((o) => o.map((x) => x.view)));
  const cams = poses.map((p, v) => (p && observed.has(v) ? v : -1)).filter((v) => v >= 0);
  const camIndex = new Map(cams.map((v, c) => [v, c]));
  const observations: BaObservation[] = [];
  pointObservations.forEach((obs, p) => {
    for (const o of obs) {
      const c = camIndex.get(o.view);
      if (c === undefined) continue;
      observations.push({ camera: c, point: p, u: views[o.view].xy[2 * o.keypoint], v: views[o.view].xy[2 * o.keypoint + 1] });
    }
  });
  const problem: BaProblem = {
    cameras: cams.map((v) => ({ R: poses[v]!.R, t: poses[v]!.t, group: views[v].group })),
    intrinsics: sfm.intrinsics.map((k) => ({ ...k })),
    points,
    observations,
  };
  const parts = [cams.filter((v) => sfm.views[v].registered), ...input.models.map((m) => m.views.filter((v) => camIndex.has(v)))].filter((p) => p.length);
  const fixedCameras = parts.map((p) => camIndex.get(p[0])!);
  const stats = (pr: BaProblem) => perViewErrors(pr, cams, poses.length);

  if (cams.length < 2 || observations.length === 0) {
    return { poses, points, colors, trackLengths, pointObservations, perView: stats(problem), adjusted: false, note: 'no final bundle adjustment (no observations)' };
  }
  const { problem: out, report } = bundleAdjust(problem, { huberPx: 2, maxIterations: 50, refineFocal: false, fixedCameras, signal: input.signal });
  const adjustedPoses = poses.map((p, v) => (camIndex.has(v) ? { R: out.cameras[camIndex.get(v)!].R, t: out.cameras[camIndex.get(v)!].t } : p));
  const rmsBefore = Math.sqrt(stats(problem).reduce((s, x) => s + (x.observations ? x.observations * x.rmsErrorPx ** 2 : 0), 0) / observations.length);
  const figures = `final bundle adjustment over ${cams.length} views and ${points.length / 3} points (focal fixed): RMS ${rmsBefore.toFixed(2)} -> ${report.rmsPx.toFixed(2)} px`;

  // Guards: each part keeps its scale (relative to the others); the whole model keeps agreeing with the silhouettes.
  const maxDrift = input.maxScaleDrift ?? 0.05;
  const drift = Math.max(0, ...parts.map((p) => Math.abs(spread(p.map((v) => adjustedPoses[v]!)) / spread(p.map((v) => poses[v]!)) - 1)).filter(Number.isFinite));
  let why: string | null = drift > maxDrift ? `a part's scale (camera spread) changed by ${(100 * drift).toFixed(1)}% (allowed ${(100 * maxDrift).toFixed(0)}%)` : null;
  if (!why && input.check) {
    const res = input.check({ poses: adjustedPoses, intrinsics: poses.map((_, v) => K(v)), points: out.points, observers: pointObservations.map((o) => o.map((x) => x.view)) });
    if (!res.ok) why = `the adjusted model disagrees with the photos' silhouettes (in ${sfm.views[res.worstView!].name}, ${res.reason})`;
  }
  if (why) {
    return { poses, points, colors, trackLengths, pointObservations, perView: stats(problem), bundleAdjustment: report, adjusted: false, note: `${figures}, undone: ${why}; the placed poses are kept` };
  }
  const checked = input.check ? '; the adjusted model passes the silhouette check' : '';
  // How far the adjustment moved the cameras: turn (degrees), centre shift (share of the cameras' spread).
  const turn = Math.max(...cams.map((v) => rotationAngleDeg(poses[v]!.R, adjustedPoses[v]!.R)));
  const shift = Math.max(...cams.map((v) => distance(centre(poses[v]!), centre(adjustedPoses[v]!)))) / spread(cams.map((v) => poses[v]!));
  const moved = `cameras moved <= ${turn.toFixed(2)}° and <= ${(100 * shift).toFixed(1)}% of their spread`;
  return { poses: adjustedPoses, points: out.points, colors, trackLengths, pointObservations, perView: stats(out), bundleAdjustment: report, adjusted: true, note: `${figures}, ${moved}, scale drift ${(100 * drift).toFixed(2)}%${checked}` };
}

/** Observations and RMS reprojection error (px) per view, [V]. */
function perViewErrors(problem: BaProblem, cams: number[], nViews: number): { observations: number; rmsErrorPx: number }[] {
  const acc = Array.from({ length: nViews }, () => ({ n: 0, sq: 0 }));
  for (const o of problem.observations) {
    const r = residual(problem, o);
    const a = acc[cams[o.camera]];
    a.n++;
    a.sq += r ? r[0] * r[0] + r[1] * r[1] : Infinity;
  }
  return acc.map((a) => ({ observations: a.n, rmsErrorPx: a.n ? Math.sqrt(a.sq / a.n) : NaN }));
}

const centre = (p: Pose) => [0, 1, 2].map((a) => -(p.R[a] * p.t[0] + p.R[3 + a] * p.t[1] + p.R[6 + a] * p.t[2]));
const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** RMS distance of the camera centres from their mean (the part's scale). */
function spread(poses: Pose[]): number {
  const C = poses.map(centre);
  const m = [0, 1, 2].map((a) => C.reduce((s, c) => s + c[a], 0) / C.length);
  return Math.sqrt(C.reduce((s, c) => s + (c[0] - m[0]) ** 2 + (c[1] - m[1]) ** 2 + (c[2] - m[2]) ** 2, 0) / C.length);
}

function concatF64(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

function concatU8(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}
