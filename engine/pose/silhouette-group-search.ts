/**
 * Analysis-by-synthesis search for the similarity transform that puts a rigid group of
 * views (their relative poses and sparse points from their own SfM model) into the main
 * model:
 *
 *   group frame -> world:  X_w = c + s R (X_g - g)
 *
 * as in silhouette-search.ts (g = where the group's silhouettes look, c = the main hull's
 * centre, s = the scale that puts the group's cameras at the main cameras' distance), but
 * every candidate is scored by two kinds of evidence, jointly:
 *   1. silhouette coherence (silhouette-coherence.ts): every silhouette pixel's ray, of
 *      the main views and of the group's views, meets the hull of the others;
 *   2. the sparse points: the group's 3D points on the object, carried into the world,
 *      must project inside every main view's mask, and the main model's points inside
 *      every group view's mask (the model check's test, model-silhouette-check.ts).
 * Why the points: a near-symmetric object (lego, mirror-symmetric) shows nearly the same
 * silhouettes to a group turned about its centre (orthographic outlines from opposite
 * sides are mirror images that the symmetry mirrors back), so coherence leads only by
 * ~0.01; but no proper rotation maps such an object onto itself, so the group's points,
 * turned with it, leave the main views' silhouettes.
 *
 * Search: a Fibonacci sphere of viewing directions x in-plane rolls (coarse hull, sampled
 * points), then Nelder-Mead (rotation, centre, log scale) from the best mutually distinct
 * candidates on the fine hull; the result names the best placement and the best one whose
 * rotation is more than `distinctDeg` away (the alternative the lead is measured against).
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import { expSO3, mul3, norm3, rotationAngleDeg, type Mat3, type Vec3 } from './linalg.js';
import { coherenceScore, type CoherenceModel } from './silhouette-coherence.js';
import { touchesBorder } from './silhouette-hull.js';
import type { SilhouetteMask } from './silhouette-mask.js';
import { nelderMead } from './silhouette-nelder-mead.js';
import { groupTarget, placeGroup, rotationGrid, type GroupView } from './silhouette-search.js';
import type { Pose } from './triangulate.js';

/** A view of the main model: its camera at the mask's working resolution, and the mask. */
export interface MainView {
  camera: Camera;
  mask: SilhouetteMask;
}

export interface GroupSearchInput {
  /** coherence models of a coarse and a fine hull of the main views */
  hulls: { coarse: CoherenceModel; fine: CoherenceModel };
  main: MainView[];
  /** [P, 3] world points of the main model on the object */
  mainPoints: Float64Array;
  /** the group's views posed in the group frame */
  group: GroupView[];
  /** [Q, 3] the group's points on the object, group frame */
  groupPoints: Float64Array;
  /** the main cameras' typical distance from the hull centre */
  distance: number;
}

export interface GroupSearchOptions {
  /** viewing directions of the coarse search (default 320) */
  directions?: number;
  /** in-plane rolls per direction (default 30) */
  rolls?: number;
  /** coarse candidates refined (default 10) */
  refine?: number;
  /** rotations closer than this are the same solution (default 30°) */
  distinctDeg?: number;
  /** Nelder-Mead evaluations per refined candidate (default 300) */
  maxEvaluations?: number;
  /** points sampled per side in the coarse search (default 200; all in the refinement) */
  coarsePoints?: number;
  signal?: AbortSignal;
}

export interface GroupCandidate {
  /** world-to-camera pose of each group view */
  poses: Pose[];
  /** (coherence + points) / 2 */
  score: number;
  coherence: number;
  /** mean over the main and group views of the share of the other side's points inside its mask */
  points: number;
  /** per main view: share of the group's points inside its mask; per group view: of the main points */
  mainPointsInside: number[];
  groupPointsInside: number[];
  /** group -> world: X_w = centre + scale R (X_g - g) */
  R: Mat3;
  centre: Vec3;
  scale: number;
  g: Vec3;
}

export interface GroupSearchResult {
  best: GroupCandidate;
  /**
   * the best refined candidate more than distinctDeg away in rotation; when every refined
   * seed converged to the best, the best coarse rotation that far away (refined: false)
   */
  runnerUp: (GroupCandidate & { rotationDeg: number; refined: boolean }) | null;
  /** every refined candidate, best first (several may be one solution) */
  candidates: GroupCandidate[];
  evaluations: number;
}

/** Mask alpha grown by one pixel (max over 3x3): a point on the outline with a sub-pixel error counts as inside. */
function grownAlpha(m: SilhouetteMask): Float32Array {
  const out = new Float32Array(m.alpha.length);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      let a = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < m.width && yy < m.height) a = Math.max(a, m.alpha[yy * m.width + xx]);
        }
      }
      out[y * m.width + x] = a;
    }
  }
  return out;
}

interface Judge {
  mask: SilhouetteMask;
  grown: Float32Array;
  cut: boolean;
}

const judgeOf = (m: SilhouetteMask): Judge => ({ mask: m, grown: grownAlpha(m), cut: touchesBorder(m) });

/**
 * Mean soft inside-ness of points ([P, 3], mapped by `map` first when given) in a camera:
 * behind it counts 0; outside the frame 1 when the silhouette is cut by the frame, else 0.
 * 1 for no points (nothing to judge).
 */
export function softPointsInside(points: Float64Array, cam: Camera, j: Judge, map?: (X: Float64Array, p: number, out: number[]) => void): number {
  const n = points.length / 3;
  if (n === 0) return 1;
  const { R, t } = cam;
  const X = [0, 0, 0];
  let sum = 0;
  for (let p = 0; p < n; p++) {
    if (map) map(points, p, X);
    else {
      X[0] = points[3 * p];
      X[1] = points[3 * p + 1];
      X[2] = points[3 * p + 2];
    }
    const zc = R[6] * X[0] + R[7] * X[1] + R[8] * X[2] + t[2];
    if (!(zc > 0)) continue;
    const u = Math.floor((cam.fx * (R[0] * X[0] + R[1] * X[1] + R[2] * X[2] + t[0])) / zc + cam.cx);
    const v = Math.floor((cam.fy * (R[3] * X[0] + R[4] * X[1] + R[5] * X[2] + t[1])) / zc + cam.cy);
    if (u < 0 || v < 0 || u >= j.mask.width || v >= j.mask.height) {
      if (j.cut) sum += 1;
      continue;
    }
    sum += j.grown[v * j.mask.width + u];
  }
  return sum / n;
}

/** Every k-th point so that at most `count` remain. */
function subsample(points: Float64Array, count: number): Float64Array {
  const n = points.length / 3;
  if (n <= count) return points;
  const out = new Float64Array(3 * count);
  for (let k = 0; k < count; k++) out.set(points.subarray(3 * Math.floor((k * n) / count), 3 * Math.floor((k * n) / count) + 3), 3 * k);
  return out;
}

/** The scorer of candidate similarities (R, c, s) for one search. */
function scorer(input: GroupSearchInput, g: Vec3) {
  const mainJ = input.main.map((v) => judgeOf(v.mask));
  const groupJ = input.group.map((v) => judgeOf(v.mask));
  return (model: CoherenceModel, mainPts: Float64Array, groupPts: Float64Array, R: Mat3, c: Vec3, s: number): GroupCandidate | null => {
    const poses = placeGroup(input.group, g, R, c, s);
    const posed = input.group.map((v, i) => ({ camera: { ...v.camera, R: poses[i].R, t: poses[i].t }, mask: v.mask }));
    const coh = coherenceScore(model, posed);
    if (!coh) return null;
    const toWorld = (P: Float64Array, p: number, out: number[]) => {
      const d0 = P[3 * p] - g[0];
      const d1 = P[3 * p + 1] - g[1];
      const d2 = P[3 * p + 2] - g[2];
      for (let r = 0; r < 3; r++) out[r] = c[r] + s * (R[3 * r] * d0 + R[3 * r + 1] * d1 + R[3 * r + 2] * d2);
    };
    const mainInside = input.main.map((v, k) => softPointsInside(groupPts, v.camera, mainJ[k], toWorld));
    const groupInside = posed.map((v, k) => softPointsInside(mainPts, v.camera, groupJ[k]));
    const all = [...(groupPts.length ? mainInside : []), ...(mainPts.length ? groupInside : [])];
    const points = all.length ? all.reduce((a, b) => a + b, 0) / all.length : 1;
    return { poses, score: (coh.score + points) / 2, coherence: coh.score, points, mainPointsInside: mainInside, groupPointsInside: groupInside, R, centre: c, scale: s, g };
  };
}

/**
 * The score of a given similarity X_w = c + s R (X_g - g0) (g0: the group frame's origin
 * here, not the search's target), refined by Nelder-Mead from there when `refine`: for
 * benchmarks that compare the search's answer with a reference placement.
 */
export function evaluateGroupSimilarity(input: GroupSearchInput, R: Mat3, c: Vec3, s: number, refine = false): GroupCandidate | null {
  const g: Vec3 = [0, 0, 0];
  const score = scorer(input, g);
  if (!refine) return score(input.hulls.fine, input.mainPoints, input.groupPoints, R, c, s);
  const D = input.distance;
  const decode = (x: number[]) => ({ R: mul3(expSO3([x[0], x[1], x[2]]), R), c: [c[0] + x[3] * D, c[1] + x[4] * D, c[2] + x[5] * D] as Vec3, s: s * Math.exp(x[6]) });
  const res = nelderMead((x) => {
    const p = decode(x);
    return -(score(input.hulls.fine, input.mainPoints, input.groupPoints, p.R, p.c, p.s)?.score ?? 0);
  }, [0, 0, 0, 0, 0, 0, 0], [0.03, 0.03, 0.03, 0.01, 0.01, 0.01, 0.03], { maxEvaluations: 300, tolerance: 1e-5 });
  const p = decode(res.x);
  return score(input.hulls.fine, input.mainPoints, input.groupPoints, p.R, p.c, p.s);
}

export function searchGroupSimilarity(input: GroupSearchInput, opts: GroupSearchOptions = {}): GroupSearchResult | { reason: string } {
  const target = groupTarget(input.group);
  if ('reason' in target) return target;
  const { g, meanDistance } = target;
  const s0 = input.distance / meanDistance;
  const c0 = input.hulls.fine.hull.centre;
  const score = scorer(input, g);
  // Direction from the first view's camera to g (group frame), turned onto each sampled direction.
  const C0 = cameraCenter(input.group[0].camera);
  const u0 = [g[0] - C0[0], g[1] - C0[1], g[2] - C0[2]];
  const un = norm3(u0);
  const u: Vec3 = [u0[0] / un, u0[1] / un, u0[2] / un];
  const nCoarse = opts.coarsePoints ?? 200;
  const mainCoarse = subsample(input.mainPoints, nCoarse);
  const groupCoarse = subsample(input.groupPoints, nCoarse);

  // 1. Coarse search over SO(3).
  const nDir = opts.directions ?? 320;
  const nRoll = opts.rolls ?? 30;
  const coarse: { R: Mat3; score: number }[] = [];
  let evaluations = 0;
  for (const R of rotationGrid(u, nDir, nRoll, opts.signal)) {
    evaluations++;
    coarse.push({ R, score: score(input.hulls.coarse, mainCoarse, groupCoarse, R, c0, s0)?.score ?? 0 });
  }
  coarse.sort((a, b) => b.score - a.score);
  if (!(coarse[0].score > 0)) return { reason: "no candidate keeps the object in front of all the group's cameras (its relative poses do not fit the hull)" };
  const distinct = opts.distinctDeg ?? 30;
  const seeds: Mat3[] = [];
  for (const c of coarse) {
    if (seeds.length >= (opts.refine ?? 10)) break;
    // Seeds 15° apart: two seeds of one basin may converge together, but a runner-up
    // basin more than `distinct` away keeps a seed of its own.
    if (seeds.every((R) => rotationAngleDeg(R, c.R) > distinct / 2)) seeds.push(c.R);
  }

  // 2. Refinement: x = [rotation increment (3, world axes, rad), centre shift (3, x distance), log scale].
  const D = input.distance;
  const decode = (R0: Mat3, x: number[]) => ({
    R: mul3(expSO3([x[0], x[1], x[2]]), R0),
    c: [c0[0] + x[3] * D, c0[1] + x[4] * D, c0[2] + x[5] * D] as Vec3,
    s: s0 * Math.exp(x[6]),
  });
  const refined: GroupCandidate[] = [];
  for (const R0 of seeds) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled');
    const res = nelderMead(
      (x) => {
        const p = decode(R0, x);
        return -(score(input.hulls.fine, input.mainPoints, input.groupPoints, p.R, p.c, p.s)?.score ?? 0);
      },
      [0, 0, 0, 0, 0, 0, 0],
      [0.08, 0.08, 0.08, 0.03, 0.03, 0.03, 0.06],
      { maxEvaluations: opts.maxEvaluations ?? 300, tolerance: 1e-5 },
    );
    evaluations += res.evaluations;
    const p = decode(R0, res.x);
    const cand = score(input.hulls.fine, input.mainPoints, input.groupPoints, p.R, p.c, p.s);
    if (cand) refined.push(cand);
  }
  if (!refined.length) return { reason: 'every refined candidate put a camera inside the hull' };
  refined.sort((a, b) => b.score - a.score);
  const best = refined[0];
  let other: GroupCandidate | undefined = refined.find((c) => rotationAngleDeg(c.R, best.R) > distinct);
  let refinedRunnerUp = true;
  if (!other) {
    // Every refined seed converged within `distinct` of the best: the alternative is the
    // best coarse rotation that far away, scored on the fine hull at the best's centre and
    // scale (unrefined: an underestimate, said so in the result).
    for (const c of coarse.filter((c) => rotationAngleDeg(c.R, best.R) > distinct).slice(0, 20)) {
      const cand = score(input.hulls.fine, input.mainPoints, input.groupPoints, c.R, best.centre, best.scale);
      evaluations++;
      if (cand && (!other || cand.score > other.score)) other = cand;
    }
    refinedRunnerUp = false;
  }
  return { best, runnerUp: other ? { ...other, rotationDeg: rotationAngleDeg(other.R, best.R), refined: refinedRunnerUp } : null, candidates: refined, evaluations };
}
