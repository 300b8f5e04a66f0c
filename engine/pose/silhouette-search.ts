/**
 * Analysis-by-synthesis search for the pose of a rigid group of views (one view, or
 * views whose relative poses come from their trusted pairs) against a visual hull:
 *
 *   group frame -> world:  X_w = c + s R (X_g - g)
 *
 * g = the point the group's silhouettes look at (nearest to their centroid rays),
 * c = the hull centre, s = the scale that puts the group's cameras at `distance` (the
 * placed cameras' typical distance from the hull centre), R = the unknown rotation.
 *
 *   1. coarse: R over a Fibonacci sphere of viewing directions x in-plane rolls,
 *      scored by silhouette coherence with the placed views (silhouette-coherence.ts)
 *      on a coarse hull,
 *   2. refine the best mutually distinct candidates (7-DoF: rotation, centre, log scale)
 *      by Nelder-Mead on the fine hull,
 *   3. report the best and the runner-up: the best refined candidate whose rotation
 *      differs by more than `distinctDeg` (near-symmetric objects score several
 *      rotations alike; the caller must then refuse rather than pick one).
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import { cross, expSO3, mul3, norm3, rotationAngleDeg, tr3, type Mat3, type Vec3 } from './linalg.js';
import { coherenceScore, type CoherenceModel, type CoherenceScore } from './silhouette-coherence.js';
import { nearestPointToRays, silhouetteRay } from './silhouette-hull.js';
import type { SilhouetteMask } from './silhouette-mask.js';
import { nelderMead } from './silhouette-nelder-mead.js';
import type { Pose } from './triangulate.js';

export interface GroupView {
  /** the view's camera at the mask's working resolution, posed in the group frame (anchor: any) */
  camera: Camera;
  mask: SilhouetteMask;
}

export interface SearchOptions {
  /** viewing directions of the coarse search (default 320) */
  directions?: number;
  /** in-plane rolls per direction (default 30) */
  rolls?: number;
  /** coarse candidates refined (default 8) */
  refine?: number;
  /** rotations closer than this are the same solution (default 20°) */
  distinctDeg?: number;
  /** Nelder-Mead evaluations per refined candidate (default 250) */
  maxEvaluations?: number;
  signal?: AbortSignal;
}

export interface GroupPlacement {
  /** world-to-camera pose of each group view */
  poses: Pose[];
  /** silhouette coherence (silhouette-coherence.ts) in [0, 1] */
  score: number;
  /** per group view: share of its silhouette the hull explains */
  perView: number[];
  /** per placed view: share of its silhouette still explained with the group's masks */
  placedCoherence: number[];
  /** group -> world rotation, centre, scale */
  R: Mat3;
  centre: Vec3;
  scale: number;
}

export interface SearchResult {
  best: GroupPlacement;
  /** the best refined solution that is a different rotation (null when every candidate converged to the best) */
  runnerUp: (GroupPlacement & { rotationDeg: number }) | null;
  /** every refined candidate, best first (the best is candidates[0]) */
  candidates: GroupPlacement[];
  evaluations: number;
}

/** Coherence models (silhouette-coherence.ts) of a coarse and a fine hull of the placed views (the coarse one is scored ~10^4 times). */
export interface HullPair {
  coarse: CoherenceModel;
  fine: CoherenceModel;
}

/**
 * Where the group's silhouettes look (group frame), and the cameras' mean distance from
 * it. For a group: the point nearest to the silhouettes' centroid rays, or, when that lies
 * behind a camera or much nearer one camera than another (the rays of a pair with a
 * few degrees of relative-pose error can cross anywhere), the point on one view's ray
 * equidistant from both cameras (object captures keep a roughly constant distance).
 */
export function groupTarget(views: GroupView[]): { g: Vec3; meanDistance: number } | { reason: string } {
  const rays = views.map((v) => silhouetteRay(v));
  const centres = views.map((v) => cameraCenter(v.camera));
  const check = (g: Vec3 | null) => {
    if (!g) return null;
    const dist: number[] = [];
    for (let i = 0; i < views.length; i++) {
      const c = views[i].camera;
      if (!(c.R[6] * g[0] + c.R[7] * g[1] + c.R[8] * g[2] + c.t[2] > 0)) return null;
      dist.push(Math.hypot(g[0] - centres[i][0], g[1] - centres[i][1], g[2] - centres[i][2]));
    }
    return { g, meanDistance: dist.reduce((a, b) => a + b, 0) / dist.length, spread: Math.max(...dist) / Math.min(...dist) };
  };
  if (views.length === 1) {
    const [C, d] = rays[0];
    return { g: [C[0] + d[0], C[1] + d[1], C[2] + d[2]], meanDistance: 1 };
  }
  const options = [check(nearestPointToRays(rays))];
  if (views.length === 2) {
    for (const k of [0, 1]) {
      const [C, d] = rays[k];
      const other = centres[1 - k];
      const b = [other[0] - C[0], other[1] - C[1], other[2] - C[2]];
      const along = d[0] * b[0] + d[1] * b[1] + d[2] * b[2];
      // |C + l d - other| = l  <=>  l = |b|^2 / (2 d.b)
      if (along > 1e-9) {
        const l = (b[0] * b[0] + b[1] * b[1] + b[2] * b[2]) / (2 * along);
        options.push(check([C[0] + l * d[0], C[1] + l * d[1], C[2] + l * d[2]]));
      }
    }
  }
  const valid = options.filter((o) => o !== null);
  if (!valid.length) return { reason: "its silhouettes' rays meet behind its cameras (inconsistent relative pose)" };
  // The nearest-point solution unless its distances disagree by more than 1.5x.
  const best = valid[0].spread <= 1.5 ? valid[0] : valid.sort((a, b) => a.spread - b.spread)[0];
  return { g: best.g, meanDistance: best.meanDistance };
}

/** Cameras of the group views under X_w = c + s R (X_g - g). */
export function placeGroup(views: GroupView[], g: Vec3, R: Mat3, c: Vec3, s: number): Pose[] {
  const Rt = tr3(R);
  return views.map((v) => {
    const Ri = v.camera.R;
    const RiRt = mul3(Ri, Rt);
    const Rig = [0, 1, 2].map((r) => Ri[3 * r] * g[0] + Ri[3 * r + 1] * g[1] + Ri[3 * r + 2] * g[2] + v.camera.t[r]);
    const t = [0, 1, 2].map((r) => s * Rig[r] - (RiRt[3 * r] * c[0] + RiRt[3 * r + 1] * c[1] + RiRt[3 * r + 2] * c[2]));
    return { R: RiRt, t };
  });
}

/**
 * A coarse grid over SO(3) for the searches: nDir viewing directions on a Fibonacci sphere, u
 * turned onto each, then nRoll rolls about it. Checks `signal` once per direction.
 */
export function* rotationGrid(u: Vec3, nDir: number, nRoll: number, signal?: AbortSignal): Generator<Mat3> {
  for (let k = 0; k < nDir; k++) {
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
    const z = 1 - (2 * (k + 0.5)) / nDir;
    const r = Math.sqrt(1 - z * z);
    const phi = k * Math.PI * (3 - Math.sqrt(5));
    const d: Vec3 = [r * Math.cos(phi), r * Math.sin(phi), z];
    const A = align(u, d);
    for (let m = 0; m < nRoll; m++) {
      const psi = (2 * Math.PI * m) / nRoll;
      yield mul3(expSO3([d[0] * psi, d[1] * psi, d[2] * psi]), A);
    }
  }
}

/** Rotation taking unit u to unit d (the minimal one; any axis when they are opposite). */
export function align(u: Vec3, d: Vec3): Mat3 {
  const axis = cross(u, d);
  const sin = norm3(axis);
  const cos = u[0] * d[0] + u[1] * d[1] + u[2] * d[2];
  if (sin < 1e-9) {
    if (cos > 0) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const helper: Vec3 = Math.abs(u[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const a = cross(u, helper);
    const n = norm3(a);
    return expSO3([(a[0] / n) * Math.PI, (a[1] / n) * Math.PI, (a[2] / n) * Math.PI]);
  }
  const angle = Math.atan2(sin, cos);
  return expSO3([(axis[0] / sin) * angle, (axis[1] / sin) * angle, (axis[2] / sin) * angle]);
}

/** Mask alpha at half the working resolution (2x2 mean) and the camera there. */
function halfResolution(v: GroupView): GroupView {
  const m = v.mask;
  const w = Math.floor(m.width / 2);
  const h = Math.floor(m.height / 2);
  const alpha = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 2 * y * m.width + 2 * x;
      alpha[y * w + x] = (m.alpha[o] + m.alpha[o + 1] + m.alpha[o + m.width] + m.alpha[o + m.width + 1]) / 4;
    }
  }
  const inside = Uint8Array.from(alpha, (a) => (a >= 0.5 ? 1 : 0));
  const sx = w / m.width;
  const sy = h / m.height;
  const c = v.camera;
  return {
    camera: { ...c, width: w, height: h, fx: c.fx * sx, fy: c.fy * sy, cx: c.cx * sx, cy: c.cy * sy },
    mask: { width: w, height: h, scaleX: m.scaleX * sx, scaleY: m.scaleY * sy, inside, alpha, coverage: m.coverage },
  };
}

/** Silhouette coherence of the posed group views with the placed views (null: a camera inside the hull's cube). */
function scorePoses(model: CoherenceModel, views: GroupView[], poses: Pose[]): CoherenceScore | null {
  return coherenceScore(model, views.map((v, i) => ({ camera: { ...v.camera, R: poses[i].R, t: poses[i].t }, mask: v.mask })));
}

export function searchGroupPose(hulls: HullPair, views: GroupView[], distance: number, opts: SearchOptions = {}): SearchResult | { reason: string } {
  const target = groupTarget(views);
  if ('reason' in target) return target;
  const { g, meanDistance } = target;
  const s0 = distance / meanDistance;
  const c0 = hulls.fine.hull.centre;
  // Direction from the first view's camera to g (group frame): mapped onto each sampled viewing direction.
  const C0 = cameraCenter(views[0].camera);
  const u0 = [g[0] - C0[0], g[1] - C0[1], g[2] - C0[2]];
  const un = norm3(u0);
  const u: Vec3 = [u0[0] / un, u0[1] / un, u0[2] / un];

  // 1. Coarse search.
  const coarseViews = views.map(halfResolution);
  const nDir = opts.directions ?? 320;
  const nRoll = opts.rolls ?? 30;
  const coarse: { R: Mat3; score: number }[] = [];
  let evaluations = 0;
  for (const R of rotationGrid(u, nDir, nRoll, opts.signal)) {
    const sc = scorePoses(hulls.coarse, coarseViews, placeGroup(coarseViews, g, R, c0, s0));
    evaluations++;
    coarse.push({ R, score: sc?.score ?? 0 });
  }
  coarse.sort((a, b) => b.score - a.score);
  if (!(coarse[0].score > 0)) return { reason: 'no candidate pose keeps the object in front of all its cameras (its views\' relative pose does not fit the hull)' };
  const distinct = opts.distinctDeg ?? 20;
  const seeds: Mat3[] = [];
  for (const c of coarse) {
    if (seeds.length >= (opts.refine ?? 8)) break;
    if (seeds.every((R) => rotationAngleDeg(R, c.R) > distinct)) seeds.push(c.R);
  }

  // 2. Refinement: x = [rotation increment (3, world axes, rad), centre shift (3, x distance), log scale].
  const decode = (R0: Mat3, x: number[]) => {
    const R = mul3(expSO3([x[0], x[1], x[2]]), R0);
    const c: Vec3 = [c0[0] + x[3] * distance, c0[1] + x[4] * distance, c0[2] + x[5] * distance];
    return { R, c, s: s0 * Math.exp(x[6]) };
  };
  const refined: GroupPlacement[] = seeds.map((R0) => {
    const res = nelderMead(
      (x) => {
        const p = decode(R0, x);
        return -(scorePoses(hulls.fine, views, placeGroup(views, g, p.R, p.c, p.s))?.score ?? 0);
      },
      [0, 0, 0, 0, 0, 0, 0],
      [0.08, 0.08, 0.08, 0.03, 0.03, 0.03, 0.06],
      { maxEvaluations: opts.maxEvaluations ?? 250, tolerance: 1e-5 },
    );
    evaluations += res.evaluations;
    const p = decode(R0, res.x);
    const poses = placeGroup(views, g, p.R, p.c, p.s);
    const sc = scorePoses(hulls.fine, views, poses);
    return { poses, score: sc?.score ?? 0, placedCoherence: sc?.placed ?? [], perView: sc?.fresh ?? views.map(() => 0), R: p.R, centre: p.c, scale: p.s };
  });
  refined.sort((a, b) => b.score - a.score);
  const best = refined[0];
  const other = refined.find((p) => rotationAngleDeg(p.R, best.R) > distinct);
  return {
    best,
    runnerUp: other ? { ...other, rotationDeg: rotationAngleDeg(other.R, best.R) } : null,
    candidates: refined,
    evaluations,
  };
}
