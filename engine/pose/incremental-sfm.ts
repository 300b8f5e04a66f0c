/**
 * Incremental structure from motion over verified pairs:
 *   1. tracks from the pairwise inlier matches (union-find),
 *   2. the initial pair with the best inliers x baseline (median triangulation angle),
 *      two-view pose from its essential matrix, triangulation, bundle adjustment,
 *   3. repeatedly the unregistered view that sees the most triangulated tracks,
 *      registered by EPnP-RANSAC + refinement, new tracks triangulated (DLT with
 *      depth / angle / reprojection checks), global bundle adjustment (the problems
 *      are a dozen views at most), outlier observations removed,
 *   4. when no view can be registered by PnP, the fallbacks (sfm-fallback.ts): a view with a depth prior
 *      and >= 4 matches to model points, by aligning those matches lifted to 3D with
 *      its depth (depth-alignment.ts); else a view with verified pairs to registered
 *      views, from the pair's relative pose, its baseline length from model points /
 *      a depth prior / several partners (relative-placement.ts); then back to 3 (its
 *      matches now triangulate and may let other views in),
 *   5. a final bundle adjustment that also refines the focal length(s) (3+ views).
 * With opts.modelCheck (photos with alpha masks: model-silhouette-check.ts) every
 * registration, the seed pair's model and the refined focal length must keep the model
 * consistent with the photos' silhouettes; what fails it is undone and reported.
 * Pairs should be loop-checked first (view-graph-filter.ts): SfM trusts every pair it
 * is given. A view that cannot be registered is kept in the result with the reason.
 */
import { allViews, viewComponents } from './view-components.js';
import type { EventSink } from '../pipeline/events.js';
import { throwIfCancelled } from '../pipeline/events.js';
import { bundleAdjust, residual, type BaObservation, type BaProblem, type BaReport } from './bundle-adjust.js';
import type { ModelCheck } from './model-silhouette-check.js';
import { ransacPnp } from './pnp.js';
import { checkModel, refuseInconsistent, snapshot } from './sfm-model-check.js';
import { placeFallbackView } from './sfm-fallback.js';
import { correspondences, obsKey, type State } from './sfm-state.js';
import { buildTracks, type TrackSet } from './tracks.js';
import { triangulateChecked, type Pose } from './triangulate.js';
import type { PinholeIntrinsics, VerifiedPair } from './two-view.js';

export interface SfmView {
  name: string;
  width: number;
  height: number;
  /** intrinsics group (shared camera) */
  group: number;
  /** [N, 2] keypoint pixels, moved by principalOffset */
  xy: Float32Array;
  /** [N, 3] RGB8 colour at each keypoint (optional) */
  colors?: Uint8Array;
  /**
   * Group principal point minus the view's own (default [0, 0]): a group shares one
   * focal length and one principal point, so a view of the group taken the other way up
   * (portrait among landscape) has its keypoints moved by this offset, which puts its own
   * principal point where the group's is. viewIntrinsics() gives its intrinsics in its
   * own pixels (intrinsics.ts; for anything that looks at the photo: masks, exported cameras).
   */
  principalOffset?: [number, number];
}


export interface SfmOptions {
  /** inliers the initial pair needs */
  minInitInliers?: number;
  /** PnP inliers a further view needs */
  minPnpInliers?: number;
  /** reprojection threshold (px) for PnP inliers, triangulation and outlier removal */
  reprojThresholdPx?: number;
  /** minimum ray angle (degrees) for a new 3D point */
  minTriangulationAngleDeg?: number;
  /** refine focal lengths in the final bundle adjustment */
  refineFocal?: boolean;
  /**
   * consistent view triplets a pair takes part in (view-graph-filter.ts): seed pairs
   * confirmed by a loop rank first
   */
  pairSupport?: (p: VerifiedPair) => number;
  /**
   * depth prior of view v at keypoint kp (z-depth up to an unknown per-view scale),
   * null when unknown; used to fix baseline lengths in the relative-pose fallback
   */
  depthPrior?: (v: number, kp: number) => number | null;
  /** place views PnP cannot register from their pairs' relative poses (default true) */
  relativePoseFallback?: boolean;
  /**
   * A check of the whole model (e.g. against the photos' silhouettes:
   * model-silhouette-check.ts) run after each registration; a registration that makes
   * the model fail it is undone and the view is left out, with the check's reason.
   */
  modelCheck?: ModelCheck;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export type RegistrationMethod = 'initial-pair' | 'pnp' | 'depth-alignment' | 'relative-pose';

export interface SfmViewResult {
  index: number;
  name: string;
  registered: boolean;
  method?: RegistrationMethod;
  /** why the view is not registered */
  reason?: string;
  pose?: Pose;
  /** PnP inliers (or two-view inliers for the initial pair / relative-pose partner) when it was registered */
  registrationInliers: number;
  /** how a 'depth-alignment' / 'relative-pose' view was placed (partner, source of the scale) */
  placement?: string;
  /** observations of 3D points in the final model */
  observations: number;
  /** RMS reprojection error of those observations, px */
  rmsErrorPx: number;
}

export interface SfmResult {
  views: SfmViewResult[];
  intrinsics: PinholeIntrinsics[];
  /** [P, 3] */
  points: Float64Array;
  /** [P, 3] RGB8 */
  colors: Uint8Array;
  /** [P] observations per point */
  trackLengths: Uint16Array;
  /** per point: (view, keypoint) observations */
  pointObservations: { view: number; keypoint: number }[][];
  initialPair: [number, number] | null;
  finalBundleAdjustment?: BaReport;
  tracks: { total: number; inconsistent: number };
}

export function incrementalSfm(views: SfmView[], intrinsics: PinholeIntrinsics[], pairs: VerifiedPair[], opts: SfmOptions = {}): SfmResult {
  const minInit = opts.minInitInliers ?? 30;
  const tracks = buildTracks(views.map((v) => v.xy.length / 2), pairs);
  const failures = new Map<number, string>();
  const emptyResult = (reason: string): SfmResult => ({
    views: views.map((v, i) => ({ index: i, name: v.name, registered: false, reason: failures.get(i) ?? reason, registrationInliers: 0, observations: 0, rmsErrorPx: NaN })),
    intrinsics,
    points: new Float64Array(0),
    colors: new Uint8Array(0),
    trackLengths: new Uint16Array(0),
    pointObservations: [],
    initialPair: null,
    tracks: { total: tracks.tracks.length, inconsistent: tracks.inconsistent },
  });
  // Initial pair: most inliers, discounted when the baseline is small (< 4° median ray angle);
  // pairs confirmed by consistent view triplets first, then pairs in the largest
  // connected group of views (a seed elsewhere cannot reach most views).
  const support = opts.pairSupport ?? (() => 0);
  const group = largestGroup(views.length, pairs);
  const rank = (p: VerifiedPair) => (support(p) > 0 ? 2 : 0) + (group.has(p.a) ? 1 : 0);
  const candidates = pairs
    .filter((p) => p.inlierCount >= minInit && p.medianAngleDeg >= 0.5)
    .sort((p, q) => rank(q) - rank(p) || score(q) - score(p));
  if (candidates.length === 0) {
    const best = pairs.reduce((m, p) => Math.max(m, p.inlierCount), 0);
    return emptyResult(`no image pair has enough verified matches with baseline to start (best pair: ${best} inliers, need ${minInit})`);
  }
  let best: State | null = null;
  let bestFailures = failures;
  const seedRefusals: string[] = [];
  // With a model check, a seed's model can lose views to it: more seeds get their chance.
  for (const init of candidates.slice(0, opts.modelCheck ? 8 : 3)) {
    throwIfCancelled(opts.signal);
    // Each seed's reasons for its unregistered views stay with its model.
    const seedFailures = new Map<number, string>();
    const { state, refusedSeed } = reconstructFrom(init, views, intrinsics, tracks, pairs, opts, seedFailures);
    if (refusedSeed) {
      seedRefusals.push(`seed ${views[init.a].name} / ${views[init.b].name} (${init.inlierCount} inliers): ${refusedSeed}`);
      opts.onEvent?.({ type: 'log', stage: 'poses', message: seedRefusals[seedRefusals.length - 1] });
      continue;
    }
    if (!best || registeredCount(state) > registeredCount(best)) [best, bestFailures] = [state, seedFailures];
    if (registeredCount(best) === views.length) break;
  }
  if (!best) return emptyResult(`every seed pair's model disagrees with the photos' silhouettes (${seedRefusals.join('; ')})`);
  return finish(best, opts, bestFailures, pairs);
}

function score(p: VerifiedPair): number {
  return p.inlierCount * Math.min(1, p.medianAngleDeg / 4);
}

const registeredCount = (s: State) => s.poses.filter(Boolean).length;

/** Views of the largest connected component of the pair graph. */
function largestGroup(n: number, pairs: VerifiedPair[]): Set<number> {
  return new Set(viewComponents(allViews(n), pairs)[0]);
}

function reconstructFrom(
  init: VerifiedPair,
  views: SfmView[],
  intrinsics: PinholeIntrinsics[],
  tracks: TrackSet,
  pairs: VerifiedPair[],
  opts: SfmOptions,
  failures: Map<number, string>,
): { state: State; refusedSeed?: string } {
  const thrPx = opts.reprojThresholdPx ?? 4;
  const minPnp = opts.minPnpInliers ?? 15;
  const state: State = {
    views,
    intrinsics: intrinsics.map((k) => ({ ...k })),
    poses: views.map(() => null),
    method: views.map(() => undefined),
    regInliers: views.map(() => 0),
    placement: views.map(() => undefined),
    tracks,
    points: new Map(),
    rejected: new Set(),
  };
  state.poses[init.a] = { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] };
  state.poses[init.b] = init.relPose;
  state.method[init.a] = state.method[init.b] = 'initial-pair';
  state.regInliers[init.a] = state.regInliers[init.b] = init.inlierCount;
  triangulateTracks(state, opts);
  adjust(state, { fixed: init.a, refineFocal: false, signal: opts.signal });
  if (opts.modelCheck) {
    // Two views' silhouettes can already contradict their relative pose (their cones miss).
    const res = checkModel(state, opts.modelCheck);
    if (!res.ok) return { state, refusedSeed: `the two-view model disagrees with the photos' silhouettes: in ${views[res.worstView!].name}, ${res.reason}` };
  }
  opts.onEvent?.({ type: 'step', stage: 'poses', step: 2, total: views.length, metrics: { points: state.points.size } });
  // Views tried at a given number of 2D-3D correspondences; retried only when that number grows.
  const triedAt = new Map<number, number>();
  // Views whose registration made the model fail opts.modelCheck: not tried again.
  const refusedByCheck = new Set<number>();
  for (;;) {
    throwIfCancelled(opts.signal);
    const before = opts.modelCheck ? snapshot(state) : null;
    const order = views
      .map((_, v) => ({ v, n: state.poses[v] || refusedByCheck.has(v) ? -1 : correspondences(state, v).X.length / 3 }))
      .filter((c) => c.n >= 0 && (triedAt.get(c.v) ?? -1) < c.n)
      .sort((a, b) => b.n - a.n);
    let registered = false;
    for (const { v, n } of order) {
      triedAt.set(v, n);
      if (n < minPnp) {
        failures.set(v, `only ${n} of its features match triangulated points (need ${minPnp})`);
        continue;
      }
      const K = state.intrinsics[views[v].group];
      const corr = correspondences(state, v);
      const res = ransacPnp({ X: corr.X, x: corr.x }, { threshold: thrPx / K.f, seed: 17 + v });
      if (!res || res.inlierCount < minPnp) {
        failures.set(v, `PnP found ${res?.inlierCount ?? 0} consistent 2D-3D matches of ${n} (need ${minPnp})`);
        continue;
      }
      state.poses[v] = res.pose;
      state.method[v] = 'pnp';
      state.regInliers[v] = res.inlierCount;
      failures.delete(v);
      // Outlier 2D-3D matches of this view are rejected observations.
      corr.keypoints.forEach((kp, k) => {
        if (!res.inlierMask[k]) state.rejected.add(obsKey(v, kp));
      });
      registered = true;
      break;
    }
    if (!registered && (opts.relativePoseFallback ?? true)) registered = placeFallbackView(state, pairs, opts, failures, refusedByCheck);
    if (!registered) break;
    triangulateTracks(state, opts);
    adjust(state, { fixed: firstRegistered(state), refineFocal: false, signal: opts.signal });
    filterOutliers(state, thrPx);
    if (before) {
      const refused = refuseInconsistent(state, before, pairs, opts.modelCheck!, failures, refusedByCheck, opts);
      if (refused && refused.evidence > init.inlierCount) {
        // The model contradicts a view with a stronger pair to it than the seed pair: the
        // seed is the weaker evidence (e.g. a pair matched across a symmetric object).
        return { state, refusedSeed: `its model contradicts ${views[refused.view].name}, whose pair with a registered view has ${refused.evidence} inliers, more than the seed pair (${refused.reason})` };
      }
      if (refused) continue;
    }
    opts.onEvent?.({ type: 'step', stage: 'poses', step: registeredCount(state), total: views.length, metrics: { points: state.points.size } });
  }
  return { state };
}

function firstRegistered(s: State): number {
  return s.poses.findIndex(Boolean);
}

/** Triangulate every track seen by >= 2 registered views that has no point yet. */
function triangulateTracks(s: State, opts: SfmOptions): void {
  const thrPx = opts.reprojThresholdPx ?? 4;
  const minAngle = opts.minTriangulationAngleDeg ?? 1.5;
  s.tracks.tracks.forEach((track, id) => {
    if (s.points.has(id)) return;
    const obs = track.views
      .map((v, k) => ({ v, kp: track.keypoints[k] }))
      .filter(({ v, kp }) => s.poses[v] && !s.rejected.has(obsKey(v, kp)));
    if (obs.length < 2) return;
    const data = obs.map(({ v, kp }) => {
      const K = s.intrinsics[s.views[v].group];
      return { pose: s.poses[v]!, x: [(s.views[v].xy[2 * kp] - K.cx) / K.f, (s.views[v].xy[2 * kp + 1] - K.cy) / K.f], f: K.f };
    });
    const check = { minAngleDeg: minAngle, maxErrorPx: thrPx };
    let X = triangulateChecked(data.map((d) => d.pose), data.map((d) => d.x), data.map((d) => d.f), check);
    if (!X && data.length > 2) {
      // One bad observation spoils the joint solution: try pairs, keep the one most views agree with.
      let bestInliers: number[] = [];
      for (let i = 0; i < data.length; i++) {
        for (let j = i + 1; j < data.length; j++) {
          const Y = triangulateChecked([data[i].pose, data[j].pose], [data[i].x, data[j].x], [data[i].f, data[j].f], check);
          if (!Y) continue;
          const agree = data.map((d, k) => (reprojPx(d.pose, Y, d.x, d.f) < thrPx ? k : -1)).filter((k) => k >= 0);
          if (agree.length > bestInliers.length) bestInliers = agree;
        }
      }
      if (bestInliers.length >= 2) {
        const sel = bestInliers.map((k) => data[k]);
        X = triangulateChecked(sel.map((d) => d.pose), sel.map((d) => d.x), sel.map((d) => d.f), check);
        if (X) data.forEach((d, k) => {
          if (!bestInliers.includes(k)) s.rejected.add(obsKey(obs[k].v, obs[k].kp));
        });
      }
    }
    if (X) s.points.set(id, X);
  });
}

function reprojPx(p: Pose, X: ArrayLike<number>, x: ArrayLike<number>, f: number): number {
  const c = [0, 1, 2].map((r) => p.R[3 * r] * X[0] + p.R[3 * r + 1] * X[1] + p.R[3 * r + 2] * X[2] + p.t[r]);
  if (!(c[2] > 0)) return Infinity;
  return Math.hypot(c[0] / c[2] - x[0], c[1] / c[2] - x[1]) * f;
}

/** The current model as a bundle adjustment problem (registered views, triangulated tracks). */
function toProblem(s: State): { problem: BaProblem; cams: number[]; trackIds: number[] } {
  const cams = s.poses.map((p, v) => (p ? v : -1)).filter((v) => v >= 0);
  const camIndex = new Map(cams.map((v, i) => [v, i]));
  const trackIds = [...s.points.keys()];
  const points = new Float64Array(3 * trackIds.length);
  const observations: BaObservation[] = [];
  trackIds.forEach((id, p) => {
    points.set(s.points.get(id)!, 3 * p);
    const t = s.tracks.tracks[id];
    t.views.forEach((v, k) => {
      const c = camIndex.get(v);
      if (c === undefined || s.rejected.has(obsKey(v, t.keypoints[k]))) return;
      observations.push({ camera: c, point: p, u: s.views[v].xy[2 * t.keypoints[k]], v: s.views[v].xy[2 * t.keypoints[k] + 1] });
    });
  });
  const problem: BaProblem = {
    cameras: cams.map((v) => ({ R: s.poses[v]!.R, t: s.poses[v]!.t, group: s.views[v].group })),
    intrinsics: s.intrinsics.map((K) => ({ ...K })),
    points,
    observations,
  };
  return { problem, cams, trackIds };
}

function adjust(s: State, o: { fixed: number; refineFocal: boolean; signal?: AbortSignal; maxIterations?: number }): BaReport {
  const { problem, cams, trackIds } = toProblem(s);
  const fixedCam = Math.max(0, cams.indexOf(o.fixed));
  const { problem: out, report } = bundleAdjust(problem, { huberPx: 2, maxIterations: o.maxIterations ?? 8, refineFocal: o.refineFocal, fixedCameras: [fixedCam], signal: o.signal });
  cams.forEach((v, i) => (s.poses[v] = { R: out.cameras[i].R, t: out.cameras[i].t }));
  // Only groups that some registered view uses were constrained.
  const usedGroups = new Set(cams.map((v) => s.views[v].group));
  s.intrinsics = s.intrinsics.map((K, g) => (usedGroups.has(g) ? { f: out.intrinsics[g].f, cx: K.cx, cy: K.cy } : K));
  trackIds.forEach((id, p) => s.points.set(id, [out.points[3 * p], out.points[3 * p + 1], out.points[3 * p + 2]]));
  return report;
}

/** Reject observations over the threshold; drop points left with < 2 observations. */
function filterOutliers(s: State, thrPx: number): number {
  const { problem, cams, trackIds } = toProblem(s);
  const counts = new Map<number, number>();
  let removed = 0;
  for (const o of problem.observations) {
    const r = residual(problem, o);
    const id = trackIds[o.point];
    if (!r || Math.hypot(r[0], r[1]) > thrPx) {
      const v = cams[o.camera];
      const t = s.tracks.tracks[id];
      s.rejected.add(obsKey(v, t.keypoints[t.views.indexOf(v)]));
      removed++;
    } else counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const id of trackIds) if ((counts.get(id) ?? 0) < 2) s.points.delete(id);
  return removed;
}

function finish(s: State, opts: SfmOptions, failures: Map<number, string>, pairs: VerifiedPair[]): SfmResult {
  const thrPx = opts.reprojThresholdPx ?? 4;
  let report: BaReport | undefined;
  if (registeredCount(s) >= 2) {
    // Two views hardly constrain the focal length (it trades against depth and
    // rotation): refining it from a poor default there bends the rotation instead.
    const refineFocal = (opts.refineFocal ?? true) && registeredCount(s) >= 3;
    const polish = (withFocal: boolean) => {
      adjust(s, { fixed: firstRegistered(s), refineFocal: withFocal, signal: opts.signal });
      filterOutliers(s, thrPx);
      report = adjust(s, { fixed: firstRegistered(s), refineFocal: withFocal, signal: opts.signal, maxIterations: 50 });
      filterOutliers(s, thrPx);
    };
    // The model passed the check at the initial focal length; a few views can let the
    // focal length drift far off (it trades against depth and rotation): when the
    // refined model fails the check, keep the initial focal length instead.
    const before = opts.modelCheck && refineFocal ? snapshot(s) : null;
    polish(refineFocal);
    const res = before ? checkModel(s, opts.modelCheck!) : null;
    if (before && res && !res.ok) {
      const f = s.intrinsics.map((K) => K.f.toFixed(0)).join(', ');
      Object.assign(s, before);
      polish(false);
      opts.onEvent?.({ type: 'warning', stage: 'poses', message: `focal length not refined: refined to ${f} px, the model disagrees with the photos' silhouettes (in ${s.views[res.worstView!].name}, ${res.reason}); kept ${s.intrinsics.map((K) => K.f.toFixed(0)).join(', ')} px` });
    }
  }
  const { problem, cams, trackIds } = toProblem(s);
  const perView = s.views.map(() => ({ n: 0, sq: 0 }));
  const pointObservations: { view: number; keypoint: number }[][] = trackIds.map(() => []);
  for (const o of problem.observations) {
    const r = residual(problem, o)!;
    const v = cams[o.camera];
    perView[v].n++;
    perView[v].sq += r[0] * r[0] + r[1] * r[1];
    const t = s.tracks.tracks[trackIds[o.point]];
    pointObservations[o.point].push({ view: v, keypoint: t.keypoints[t.views.indexOf(v)] });
  }
  const colors = new Uint8Array(3 * trackIds.length);
  pointObservations.forEach((obs, p) => {
    const sum = [0, 0, 0];
    let n = 0;
    for (const { view, keypoint } of obs) {
      const c = s.views[view].colors;
      if (!c) continue;
      for (let k = 0; k < 3; k++) sum[k] += c[3 * keypoint + k];
      n++;
    }
    for (let k = 0; k < 3; k++) colors[3 * p + k] = n ? Math.round(sum[k] / n) : 128;
  });
  const views: SfmViewResult[] = s.views.map((v, i) => {
    const registered = Boolean(s.poses[i]);
    const neighbours = pairs.filter((p) => p.a === i || p.b === i).reduce((m, p) => Math.max(m, p.inlierCount), 0);
    return {
      index: i,
      name: v.name,
      registered,
      method: s.method[i],
      reason: registered ? undefined : (failures.get(i) ?? `not connected to the reconstructed views (best verified pair: ${neighbours} inliers)`),
      pose: s.poses[i] ?? undefined,
      registrationInliers: s.regInliers[i],
      placement: registered ? s.placement[i] : undefined,
      observations: perView[i].n,
      rmsErrorPx: perView[i].n ? Math.sqrt(perView[i].sq / perView[i].n) : NaN,
    };
  });
  const initial = s.method.map((m, i) => (m === 'initial-pair' ? i : -1)).filter((i) => i >= 0);
  return {
    views,
    intrinsics: s.intrinsics,
    points: problem.points,
    colors,
    trackLengths: Uint16Array.from(pointObservations, (o) => o.length),
    pointObservations,
    initialPair: initial.length === 2 ? [initial[0], initial[1]] : null,
    finalBundleAdjustment: report,
    tracks: { total: s.tracks.tracks.length, inconsistent: s.tracks.inconsistent },
  };
}
