/**
 * The bundle adjustment before it filled only one triangle of the symmetric camera
 * blocks (engine/pose/bundle-adjust.ts): the reference the fast one must match bit for bit.
 */
import { choleskySolve, expSO3, inv3, mul3 } from '../../engine/pose/linalg.js';

export interface BaCamera {
  R: number[];
  t: number[];
  /** Index into `intrinsics`. */
  group: number;
}

export interface BaIntrinsics {
  f: number;
  cx: number;
  cy: number;
}

export interface BaObservation {
  camera: number;
  point: number;
  u: number;
  v: number;
}

export interface BaProblem {
  cameras: BaCamera[];
  intrinsics: BaIntrinsics[];
  /** [P, 3] */
  points: Float64Array;
  observations: BaObservation[];
}

export interface BaOptions {
  /** Huber scale in pixels. */
  huberPx?: number;
  maxIterations?: number;
  refineFocal?: boolean;
  /** Cameras whose pose stays fixed (default: [first camera]). */
  fixedCameras?: number[];
  signal?: AbortSignal;
}

export interface BaReport {
  iterations: number;
  initialCost: number;
  finalCost: number;
  /** RMS pixel error over all observations after the last step. */
  rmsPx: number;
}

/**
 * Linearized system at the current state, split into camera/point blocks. Flat typed
 * arrays (no per-observation objects): the reduced system is rebuilt every iteration.
 */
export interface BaLinearization {
  /** number of free camera-side parameters (poses + focal lengths) */
  nc: number;
  /** [nc x nc] dense camera block */
  Hcc: Float64Array;
  /** [nc] */
  gc: Float64Array;
  /** [P, 3, 3] point blocks */
  Hpp: Float64Array;
  /** [P, 3] */
  gp: Float64Array;
  /** [O, 7] camera parameter index of each camera-side Jacobian column of observation o (-1: none) */
  entryIndex: Int32Array;
  /** [O, 7, 3] rows of W = J_c^T W J_p for those columns */
  entryRow: Float64Array;
  /** CSR over points: observations of point p are pointObs[pointStart[p] .. pointStart[p + 1]) */
  pointStart: Int32Array;
  pointObs: Int32Array;
  cost: number;
}

const ENTRIES = 7;

/** Parameter index of each camera's pose block (-1 when fixed) and of each focal length (-1 when fixed). */
export function parameterLayout(problem: BaProblem, opts: BaOptions): { poseIndex: number[]; focalIndex: number[]; nc: number } {
  const fixed = new Set(opts.fixedCameras ?? [0]);
  let k = 0;
  const poseIndex = problem.cameras.map((_, c) => (fixed.has(c) ? -1 : ((k += 6), k - 6)));
  const focalIndex = problem.intrinsics.map(() => (opts.refineFocal === false ? -1 : k++));
  return { poseIndex, focalIndex, nc: k };
}

function huberWeight(r: number, k: number): number {
  return r <= k ? 1 : k / r;
}

function huberCost(r: number, k: number): number {
  return r <= k ? 0.5 * r * r : k * (r - 0.5 * k);
}

/**
 * The problem's state in flat typed arrays. The callers' camera objects come in mixed
 * shapes (a fixed camera keeps its object, stepped ones are spread copies; rotations from
 * different code paths): read through them, the per-observation loops saw several hidden
 * classes and V8 deoptimized `linearize` ~7 times per cold process, which made each
 * early BA call of a 3-view model ~0.2 s instead of ~15 ms. Typed arrays have one shape;
 * the arithmetic below is the same, in the same order, as on the objects.
 */
interface PackedState {
  /** [C, 9] row-major world-to-camera rotations, [C, 3] translations, [C] intrinsics group */
  R: Float64Array;
  t: Float64Array;
  group: Int32Array;
  /** [G] focal length and principal point per intrinsics group */
  f: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  /** [P, 3] */
  points: Float64Array;
  /** [O] observation camera, point and pixel (shared by all states of one problem) */
  obsCamera: Int32Array;
  obsPoint: Int32Array;
  obsU: Float64Array;
  obsV: Float64Array;
}

function pack(problem: BaProblem): PackedState {
  const C = problem.cameras.length;
  const G = problem.intrinsics.length;
  const O = problem.observations.length;
  const s: PackedState = {
    R: new Float64Array(9 * C),
    t: new Float64Array(3 * C),
    group: new Int32Array(C),
    f: new Float64Array(G),
    cx: new Float64Array(G),
    cy: new Float64Array(G),
    points: Float64Array.from(problem.points),
    obsCamera: new Int32Array(O),
    obsPoint: new Int32Array(O),
    obsU: new Float64Array(O),
    obsV: new Float64Array(O),
  };
  problem.cameras.forEach((cam, c) => {
    for (let k = 0; k < 9; k++) s.R[9 * c + k] = cam.R[k];
    for (let k = 0; k < 3; k++) s.t[3 * c + k] = cam.t[k];
    s.group[c] = cam.group;
  });
  problem.intrinsics.forEach((K, g) => {
    s.f[g] = K.f;
    s.cx[g] = K.cx;
    s.cy[g] = K.cy;
  });
  problem.observations.forEach((o, i) => {
    s.obsCamera[i] = o.camera;
    s.obsPoint[i] = o.point;
    s.obsU[i] = o.u;
    s.obsV[i] = o.v;
  });
  return s;
}

/** Squared pixel residual of observation o (1e12 when behind the camera). */
function residualSq(s: PackedState, o: number): number {
  const c = s.obsCamera[o];
  const g = s.group[c];
  const X = s.points;
  const p = 3 * s.obsPoint[o];
  const R = s.R;
  const r = 9 * c;
  const x = R[r] * X[p] + R[r + 1] * X[p + 1] + R[r + 2] * X[p + 2] + s.t[3 * c];
  const y = R[r + 3] * X[p] + R[r + 4] * X[p + 1] + R[r + 5] * X[p + 2] + s.t[3 * c + 1];
  const z = R[r + 6] * X[p] + R[r + 7] * X[p + 1] + R[r + 8] * X[p + 2] + s.t[3 * c + 2];
  if (!(z > 1e-9)) return 1e12;
  const du = (s.f[g] * x) / z + s.cx[g] - s.obsU[o];
  const dv = (s.f[g] * y) / z + s.cy[g] - s.obsV[o];
  return du * du + dv * dv;
}

function packedCost(s: PackedState, huberPx: number): number {
  let cost = 0;
  for (let o = 0; o < s.obsCamera.length; o++) cost += huberCost(Math.sqrt(residualSq(s, o)), huberPx);
  return cost;
}

/** Robust cost of the problem at its current state. */
export function baCost(problem: BaProblem, huberPx: number): number {
  return packedCost(pack(problem), huberPx);
}

/** Pixel residual of one observation; null when the point is behind the camera. */
export function residual(problem: BaProblem, o: BaObservation): [number, number] | null {
  const cam = problem.cameras[o.camera];
  const K = problem.intrinsics[cam.group];
  const X = problem.points;
  const p = 3 * o.point;
  const R = cam.R;
  const x = R[0] * X[p] + R[1] * X[p + 1] + R[2] * X[p + 2] + cam.t[0];
  const y = R[3] * X[p] + R[4] * X[p + 1] + R[5] * X[p + 2] + cam.t[1];
  const z = R[6] * X[p] + R[7] * X[p + 1] + R[8] * X[p + 2] + cam.t[2];
  if (!(z > 1e-9)) return null;
  return [(K.f * x) / z + K.cx - o.u, (K.f * y) / z + K.cy - o.v];
}

/** Gauss-Newton normal equations (with IRLS Huber weights) at the current state. */
export function linearize(problem: BaProblem, opts: BaOptions): BaLinearization {
  return linearizePacked(pack(problem), parameterLayout(problem, opts), opts.huberPx ?? 2);
}

function linearizePacked(s: PackedState, layout: { poseIndex: number[]; focalIndex: number[]; nc: number }, huber: number): BaLinearization {
  const { nc } = layout;
  const poseIndex = Int32Array.from(layout.poseIndex);
  const focalIndex = Int32Array.from(layout.focalIndex);
  const P = s.points.length / 3;
  const O = s.obsCamera.length;
  const Hcc = new Float64Array(nc * nc);
  const gc = new Float64Array(nc);
  const Hpp = new Float64Array(9 * P);
  const gp = new Float64Array(3 * P);
  const entryIndex = new Int32Array(O * ENTRIES).fill(-1);
  const entryRow = new Float64Array(O * ENTRIES * 3);
  const pointStart = new Int32Array(P + 1);
  for (let oi = 0; oi < O; oi++) pointStart[s.obsPoint[oi] + 1]++;
  for (let p = 0; p < P; p++) pointStart[p + 1] += pointStart[p];
  const fill = pointStart.slice(0, P);
  const pointObs = new Int32Array(O);
  let cost = 0;
  const X = s.points;
  const R = s.R;
  const Jc = new Float64Array(2 * ENTRIES); // camera-side Jacobian columns, [col][2]
  const idx = new Int32Array(ENTRIES);
  const Jp = new Float64Array(6);
  for (let oi = 0; oi < O; oi++) {
    const point = s.obsPoint[oi];
    const camera = s.obsCamera[oi];
    pointObs[fill[point]++] = oi;
    const g = s.group[camera];
    const f = s.f[g];
    const r9 = 9 * camera;
    const p = 3 * point;
    const RX0 = R[r9] * X[p] + R[r9 + 1] * X[p + 1] + R[r9 + 2] * X[p + 2];
    const RX1 = R[r9 + 3] * X[p] + R[r9 + 4] * X[p + 1] + R[r9 + 5] * X[p + 2];
    const RX2 = R[r9 + 6] * X[p] + R[r9 + 7] * X[p + 1] + R[r9 + 8] * X[p + 2];
    const c0 = RX0 + s.t[3 * camera];
    const c1 = RX1 + s.t[3 * camera + 1];
    const c2 = RX2 + s.t[3 * camera + 2];
    if (!(c2 > 1e-9)) {
      cost += huberCost(1e6, huber);
      continue;
    }
    const iz = 1 / c2;
    const r0 = f * c0 * iz + s.cx[g] - s.obsU[oi];
    const r1 = f * c1 * iz + s.cy[g] - s.obsV[oi];
    const rn = Math.hypot(r0, r1);
    cost += huberCost(rn, huber);
    const w = huberWeight(rn, huber);
    // dr/dc [2x3] = [[a, 0, b], [0, a, d]]
    const a = f * iz;
    const b = -f * c0 * iz * iz;
    const d = -f * c1 * iz * iz;
    let ne = 0;
    const pi = poseIndex[camera];
    if (pi >= 0) {
      // Rotation columns: dr/dc * (-[RX]x), -[RX]x = [[0, RX2, -RX1], [-RX2, 0, RX0], [RX1, -RX0, 0]].
      Jc[0] = b * RX1; Jc[1] = -a * RX2 + d * RX1; // column w0
      Jc[2] = a * RX2 - b * RX0; Jc[3] = -d * RX0; // column w1
      Jc[4] = -a * RX1; Jc[5] = a * RX0; // column w2
      Jc[6] = a; Jc[7] = 0; // t0
      Jc[8] = 0; Jc[9] = a; // t1
      Jc[10] = b; Jc[11] = d; // t2
      for (let j = 0; j < 6; j++) idx[j] = pi + j;
      ne = 6;
    }
    const fi = focalIndex[g];
    if (fi >= 0) {
      Jc[2 * ne] = c0 * iz;
      Jc[2 * ne + 1] = c1 * iz;
      idx[ne] = fi;
      ne++;
    }
    // Point Jacobian [2x3] = dr/dc * R
    for (let k = 0; k < 3; k++) {
      Jp[k] = a * R[r9 + k] + b * R[r9 + 6 + k];
      Jp[3 + k] = a * R[r9 + 3 + k] + d * R[r9 + 6 + k];
    }
    for (let e = 0; e < ne; e++) {
      const ja0 = Jc[2 * e];
      const ja1 = Jc[2 * e + 1];
      const ia = idx[e];
      gc[ia] += w * (ja0 * r0 + ja1 * r1);
      for (let f2 = 0; f2 < ne; f2++) Hcc[ia * nc + idx[f2]] += w * (ja0 * Jc[2 * f2] + ja1 * Jc[2 * f2 + 1]);
      entryIndex[oi * ENTRIES + e] = ia;
      const base = (oi * ENTRIES + e) * 3;
      for (let k = 0; k < 3; k++) entryRow[base + k] = w * (ja0 * Jp[k] + ja1 * Jp[3 + k]);
    }
    const h = 9 * point;
    for (let k = 0; k < 3; k++) {
      gp[p + k] += w * (Jp[k] * r0 + Jp[3 + k] * r1);
      for (let l = 0; l < 3; l++) Hpp[h + 3 * k + l] += w * (Jp[k] * Jp[l] + Jp[3 + k] * Jp[3 + l]);
    }
  }
  return { nc, Hcc, gc, Hpp, gp, entryIndex, entryRow, pointStart, pointObs, cost };
}

/** Marquardt damping: diag *= (1 + lambda), plus a tiny floor for unobserved directions. */
function damp(d: number, lambda: number): number {
  return d * (1 + lambda) + 1e-9;
}

/** Entries (camera parameter index, W row offset) of point p's observations. */
function pointEntries(lin: BaLinearization, p: number): { index: number[]; row: number[] } {
  const index: number[] = [];
  const row: number[] = [];
  for (let k = lin.pointStart[p]; k < lin.pointStart[p + 1]; k++) {
    const oi = lin.pointObs[k];
    for (let e = 0; e < ENTRIES; e++) {
      const ia = lin.entryIndex[oi * ENTRIES + e];
      if (ia < 0) break;
      index.push(ia);
      row.push((oi * ENTRIES + e) * 3);
    }
  }
  return { index, row };
}

/**
 * Solve the damped normal equations by the Schur complement over points:
 *   S = Hcc - sum_p W_p V_p^-1 W_p^T,  S dc = -(gc - sum_p W_p V_p^-1 gp_p),
 *   dp_p = V_p^-1 (-gp_p - W_p^T dc).
 * Returns [dc (nc), dp (3P)] or null when S is not positive definite.
 * (Scratch arrays instead of per-point allocations; same sums in the same order.)
 */
export function solveSchur(lin: BaLinearization, lambda: number): { dc: Float64Array; dp: Float64Array } | null {
  const { nc, Hcc, gc, Hpp, gp, entryRow: W, entryIndex, pointStart, pointObs } = lin;
  const P = gp.length / 3;
  const S = Float64Array.from(Hcc);
  for (let i = 0; i < nc; i++) S[i * nc + i] = damp(Hcc[i * nc + i], lambda);
  const rhs = new Float64Array(nc);
  for (let i = 0; i < nc; i++) rhs[i] = -gc[i];
  // [P, 3, 3] damped inverse point blocks; hasInverse[p] = 0 where singular (point left out).
  const Vinv = new Float64Array(9 * P);
  const hasInverse = new Uint8Array(P);
  const D = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  let index = new Int32Array(64);
  let row = new Int32Array(64);
  let WV = new Float64Array(3 * 64);
  /** Point p's entries (camera parameter index, W row offset) into index/row; returns their count. */
  const gather = (p: number): number => {
    let n = 0;
    for (let k = pointStart[p]; k < pointStart[p + 1]; k++) {
      const oi = pointObs[k];
      for (let e = 0; e < ENTRIES; e++) {
        const ia = entryIndex[oi * ENTRIES + e];
        if (ia < 0) break;
        if (n === index.length) {
          const grow = (x: Int32Array) => Int32Array.from({ length: 2 * x.length }, (_, i) => (i < x.length ? x[i] : 0));
          index = grow(index);
          row = grow(row);
          WV = new Float64Array(3 * index.length);
        }
        index[n] = ia;
        row[n] = (oi * ENTRIES + e) * 3;
        n++;
      }
    }
    return n;
  };
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < 9; k++) D[k] = Hpp[9 * p + k];
    for (let a = 0; a < 3; a++) D[a * 4] = damp(D[a * 4], lambda);
    const Vi = inv3(D);
    if (!Vi) continue;
    for (let k = 0; k < 9; k++) Vinv[9 * p + k] = Vi[k];
    hasInverse[p] = 1;
    const n = gather(p);
    if (n === 0) continue;
    const g0 = gp[3 * p];
    const g1 = gp[3 * p + 1];
    const g2 = gp[3 * p + 2];
    for (let e = 0; e < n; e++) {
      const r = row[e];
      for (let k = 0; k < 3; k++) WV[3 * e + k] = W[r] * Vi[k] + W[r + 1] * Vi[3 + k] + W[r + 2] * Vi[6 + k];
      rhs[index[e]] += WV[3 * e] * g0 + WV[3 * e + 1] * g1 + WV[3 * e + 2] * g2;
    }
    for (let e = 0; e < n; e++) {
      const base = index[e] * nc;
      const x0 = WV[3 * e];
      const x1 = WV[3 * e + 1];
      const x2 = WV[3 * e + 2];
      for (let f = 0; f < n; f++) {
        const r = row[f];
        S[base + index[f]] -= x0 * W[r] + x1 * W[r + 1] + x2 * W[r + 2];
      }
    }
  }
  const dcArr = nc > 0 ? choleskySolve(S, rhs, nc) : [];
  if (!dcArr) return null;
  const dc = Float64Array.from(dcArr);
  const dp = new Float64Array(gp.length);
  for (let p = 0; p < P; p++) {
    if (!hasInverse[p]) continue;
    let b0 = -gp[3 * p];
    let b1 = -gp[3 * p + 1];
    let b2 = -gp[3 * p + 2];
    const n = gather(p);
    for (let e = 0; e < n; e++) {
      const r = row[e];
      const x = dc[index[e]];
      b0 -= W[r] * x;
      b1 -= W[r + 1] * x;
      b2 -= W[r + 2] * x;
    }
    const v = 9 * p;
    for (let k = 0; k < 3; k++) dp[3 * p + k] = Vinv[v + k * 3] * b0 + Vinv[v + k * 3 + 1] * b1 + Vinv[v + k * 3 + 2] * b2;
  }
  return { dc, dp };
}

/** Reference: assemble the full damped system densely and solve it (tests only; O((nc+3P)^3)). */
export function solveDense(lin: BaLinearization, lambda: number): { dc: Float64Array; dp: Float64Array } | null {
  const { nc, Hcc, gc, Hpp, gp, entryRow: W } = lin;
  const P = gp.length / 3;
  const n = nc + 3 * P;
  const H = new Float64Array(n * n);
  const g = new Float64Array(n);
  for (let i = 0; i < nc; i++) {
    g[i] = gc[i];
    for (let j = 0; j < nc; j++) H[i * n + j] = Hcc[i * nc + j];
    H[i * n + i] = damp(Hcc[i * nc + i], lambda);
  }
  for (let p = 0; p < P; p++) {
    const o = nc + 3 * p;
    for (let a = 0; a < 3; a++) {
      g[o + a] = gp[3 * p + a];
      for (let b = 0; b < 3; b++) H[(o + a) * n + o + b] = Hpp[9 * p + a * 3 + b];
      H[(o + a) * n + o + a] = damp(Hpp[9 * p + a * 4], lambda);
    }
    const { index, row } = pointEntries(lin, p);
    for (let e = 0; e < index.length; e++) {
      for (let k = 0; k < 3; k++) {
        H[index[e] * n + o + k] += W[row[e] + k];
        H[(o + k) * n + index[e]] += W[row[e] + k];
      }
    }
  }
  const x = choleskySolve(H, Array.from(g, (v) => -v), n);
  if (!x) return null;
  return { dc: Float64Array.from(x.slice(0, nc)), dp: Float64Array.from(x.slice(nc)) };
}

/** A copy of the state with the step applied (observations shared). */
function applyStep(s: PackedState, layout: { poseIndex: number[]; focalIndex: number[] }, dc: Float64Array, dp: Float64Array): PackedState {
  const R = s.R.slice();
  const t = s.t.slice();
  layout.poseIndex.forEach((i, c) => {
    if (i < 0) return;
    R.set(mul3(expSO3([dc[i], dc[i + 1], dc[i + 2]]), s.R.subarray(9 * c, 9 * c + 9)), 9 * c);
    for (let k = 0; k < 3; k++) t[3 * c + k] = s.t[3 * c + k] + dc[i + 3 + k];
  });
  const f = s.f.slice();
  layout.focalIndex.forEach((i, g) => {
    if (i >= 0) f[g] = s.f[g] + dc[i];
  });
  const points = new Float64Array(s.points.length);
  for (let i = 0; i < points.length; i++) points[i] = s.points[i] + dp[i];
  // A literal of the same shape as pack()'s (a spread copy would get another hidden class).
  return { R, t, group: s.group, f, cx: s.cx, cy: s.cy, points, obsCamera: s.obsCamera, obsPoint: s.obsPoint, obsU: s.obsU, obsV: s.obsV };
}

/** The problem with the state's values: unchanged cameras and intrinsics keep their objects. */
function unpack(problem: BaProblem, s: PackedState, layout: { poseIndex: number[]; focalIndex: number[] }): BaProblem {
  return {
    cameras: problem.cameras.map((cam, c) => (layout.poseIndex[c] < 0 ? cam : { ...cam, R: Array.from(s.R.subarray(9 * c, 9 * c + 9)), t: Array.from(s.t.subarray(3 * c, 3 * c + 3)) })),
    intrinsics: problem.intrinsics.map((K, g) => (layout.focalIndex[g] >= 0 ? { ...K, f: s.f[g] } : K)),
    points: s.points,
    observations: problem.observations,
  };
}

/** Run LM to convergence; returns the refined problem (a new object) and a report. */
export function bundleAdjustReference(problem: BaProblem, opts: BaOptions = {}): { problem: BaProblem; report: BaReport } {
  const huber = opts.huberPx ?? 2;
  const maxIt = opts.maxIterations ?? 50;
  const layout = parameterLayout(problem, opts);
  let state = pack(problem);
  let stepped = false;
  let lambda = 1e-4;
  let lin = linearizePacked(state, layout, huber);
  const initialCost = lin.cost;
  let it = 0;
  let converged = false;
  for (; it < maxIt && !converged; it++) {
    if (opts.signal?.aborted) break;
    let accepted = false;
    for (let tries = 0; tries < 10 && !accepted; tries++) {
      const step = solveSchur(lin, lambda);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const cand = applyStep(state, layout, step.dc, step.dp);
      if (cand.f.some((f) => !(f > 0))) {
        lambda *= 10;
        continue;
      }
      const cost = packedCost(cand, huber);
      if (cost < lin.cost) {
        const gain = (lin.cost - cost) / Math.max(lin.cost, 1e-30);
        state = cand;
        stepped = true;
        lambda = Math.max(lambda / 10, 1e-12);
        lin = linearizePacked(state, layout, huber);
        accepted = true;
        // Relative decrease below 1e-6: further steps move the poses by far less than the noise.
        converged = gain < 1e-6;
      } else lambda *= 10;
    }
    if (!accepted) break;
  }
  let sq = 0;
  for (let o = 0; o < state.obsCamera.length; o++) sq += residualSq(state, o);
  const n = Math.max(state.obsCamera.length, 1);
  return { problem: stepped ? unpack(problem, state, layout) : problem, report: { iterations: it, initialCost, finalCost: lin.cost, rmsPx: Math.sqrt(sq / n) } };
}
