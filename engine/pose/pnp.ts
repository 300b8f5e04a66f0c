/**
 * Absolute pose from 2D-3D correspondences (registering a further view).
 *
 * - `epnp`: EPnP (Lepetit, Moreno-Noguer, Fua 2009): the points are written in four
 *   control points, the camera-frame control points span the null space of a 2n x 12
 *   system, and the null-space weights (betas) come from the preserved distances
 *   between control points for N = 1, 2, 3 null vectors, each refined by Gauss-Newton
 *   on all four betas; the pose is the rigid alignment of the control points.
 * - `ransacPnp`: EPnP on 6-point samples in MSAC, then `refinePose`.
 * - `refinePose`: Levenberg-Marquardt over the 6-DoF pose (rotation update
 *   R <- exp(w) R) with a Huber loss on normalized reprojection residuals.
 *
 * Observations are NORMALIZED image coordinates (K^-1 applied).
 */
import { umeyama } from './align.js';
import { choleskySolve, eigSymmetric, expSO3, gram, inv3, luSolve, mul3, mulVec3 } from './linalg.js';
import { adaptiveIterations, sampleDistinct, seededRandom } from './ransac.js';
import type { Pose } from './triangulate.js';

/** 2D-3D correspondences: world points X [N, 3], normalized observations x [N, 2]. */
export interface PnpInput {
  X: Float64Array;
  x: Float64Array;
}

export function epnp(input: PnpInput, idx: ArrayLike<number>): Pose | null {
  const n = idx.length;
  if (n < 4) return null;
  const P = (k: number) => [input.X[3 * idx[k]], input.X[3 * idx[k] + 1], input.X[3 * idx[k] + 2]];
  // Control points: centroid + principal axes scaled by the spread along them.
  const c0 = [0, 0, 0];
  for (let k = 0; k < n; k++) for (let d = 0; d < 3; d++) c0[d] += P(k)[d] / n;
  const cov = new Array<number>(9).fill(0);
  for (let k = 0; k < n; k++) {
    const p = P(k);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) cov[r * 3 + c] += ((p[r] - c0[r]) * (p[c] - c0[c])) / n;
  }
  const { values, vectors } = eigSymmetric(cov, 3);
  const scaleMax = Math.sqrt(Math.max(values[2], 0));
  if (!(scaleMax > 0)) return null;
  const cw: number[][] = [c0];
  for (let j = 0; j < 3; j++) {
    // A (near-)planar sample still needs an invertible control frame: floor the spread.
    const s = Math.max(Math.sqrt(Math.max(values[j], 0)), 1e-3 * scaleMax);
    cw.push([c0[0] + s * vectors[j], c0[1] + s * vectors[3 + j], c0[2] + s * vectors[6 + j]]);
  }
  const B = [
    cw[1][0] - c0[0], cw[2][0] - c0[0], cw[3][0] - c0[0],
    cw[1][1] - c0[1], cw[2][1] - c0[1], cw[3][1] - c0[1],
    cw[1][2] - c0[2], cw[2][2] - c0[2], cw[3][2] - c0[2],
  ];
  const Binv = inv3(B);
  if (!Binv) return null;
  const alphas = new Array<number>(4 * n);
  const M = new Array<number>(2 * n * 12).fill(0);
  for (let k = 0; k < n; k++) {
    const p = P(k);
    const a = mulVec3(Binv, [p[0] - c0[0], p[1] - c0[1], p[2] - c0[2]]);
    const al = [1 - a[0] - a[1] - a[2], a[0], a[1], a[2]];
    const u = input.x[2 * idx[k]];
    const v = input.x[2 * idx[k] + 1];
    for (let j = 0; j < 4; j++) {
      alphas[4 * k + j] = al[j];
      M[(2 * k) * 12 + 3 * j] = al[j];
      M[(2 * k) * 12 + 3 * j + 2] = -al[j] * u;
      M[(2 * k + 1) * 12 + 3 * j + 1] = al[j];
      M[(2 * k + 1) * 12 + 3 * j + 2] = -al[j] * v;
    }
  }
  const { vectors: V } = eigSymmetric(gram(M, 2 * n, 12), 12);
  // Null-space basis: the 4 eigenvectors of the smallest eigenvalues, as [4][12].
  const basis = [0, 1, 2, 3].map((c) => Array.from({ length: 12 }, (_, r) => V[r * 12 + c]));
  const pairsIdx = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
  const dw2 = pairsIdx.map(([a, b]) => (cw[a][0] - cw[b][0]) ** 2 + (cw[a][1] - cw[b][1]) ** 2 + (cw[a][2] - cw[b][2]) ** 2);
  // dv[k][pair] = difference vector of basis k between the pair's control points.
  const dv = basis.map((v) => pairsIdx.map(([a, b]) => [v[3 * a] - v[3 * b], v[3 * a + 1] - v[3 * b + 1], v[3 * a + 2] - v[3 * b + 2]]));
  const dotPair = (k: number, l: number, p: number) => dv[k][p][0] * dv[l][p][0] + dv[k][p][1] * dv[l][p][1] + dv[k][p][2] * dv[l][p][2];

  const candidates: number[][] = [];
  // N = 1
  {
    let num = 0;
    let den = 0;
    for (let p = 0; p < 6; p++) {
      const d = Math.sqrt(dotPair(0, 0, p));
      num += d * Math.sqrt(dw2[p]);
      den += d * d;
    }
    candidates.push([num / den, 0, 0, 0]);
  }
  // N = 2, 3: linearized in the products beta_k beta_l.
  for (const N of [2, 3]) {
    const prods: [number, number][] = [];
    for (let k = 0; k < N; k++) for (let l = k; l < N; l++) prods.push([k, l]);
    const L = new Array<number>(6 * prods.length);
    for (let p = 0; p < 6; p++) prods.forEach(([k, l], q) => (L[p * prods.length + q] = (k === l ? 1 : 2) * dotPair(k, l, p)));
    const m = prods.length;
    const LtL = gram(L, 6, m);
    const Ltd = new Array<number>(m).fill(0);
    for (let p = 0; p < 6; p++) for (let q = 0; q < m; q++) Ltd[q] += L[p * m + q] * dw2[p];
    for (let q = 0; q < m; q++) LtL[q * m + q] += 1e-12;
    const b = luSolve(LtL, Ltd, m);
    if (!b) continue;
    const b0 = Math.sqrt(Math.abs(b[0]));
    const betas = [b0, 0, 0, 0];
    if (b0 > 0) for (let k = 1; k < N; k++) betas[k] = b[k] / b0;
    candidates.push(betas);
  }
  let best: { pose: Pose; err: number } | null = null;
  for (const init of candidates) {
    const betas = gaussNewtonBetas(init, dv, dw2);
    const pose = poseFromBetas(betas, basis, alphas, input, idx);
    if (!pose) continue;
    let err = 0;
    for (let k = 0; k < n; k++) err += reprojSq(pose, input, idx[k]);
    if (!best || err < best.err) best = { pose, err };
  }
  return best?.pose ?? null;
}

function gaussNewtonBetas(init: number[], dv: number[][][], dw2: number[]): number[] {
  const b = init.slice();
  for (let it = 0; it < 5; it++) {
    const J = new Array<number>(24);
    const r = new Array<number>(6);
    for (let p = 0; p < 6; p++) {
      const v = [0, 0, 0];
      for (let k = 0; k < 4; k++) for (let d = 0; d < 3; d++) v[d] += b[k] * dv[k][p][d];
      r[p] = v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - dw2[p];
      for (let k = 0; k < 4; k++) J[p * 4 + k] = 2 * (v[0] * dv[k][p][0] + v[1] * dv[k][p][1] + v[2] * dv[k][p][2]);
    }
    const JtJ = gram(J, 6, 4);
    const Jtr = [0, 0, 0, 0];
    for (let p = 0; p < 6; p++) for (let k = 0; k < 4; k++) Jtr[k] += J[p * 4 + k] * r[p];
    for (let k = 0; k < 4; k++) JtJ[k * 4 + k] *= 1 + 1e-9;
    const step = luSolve(JtJ, Jtr, 4);
    if (!step || !step.every(Number.isFinite)) break;
    for (let k = 0; k < 4; k++) b[k] -= step[k];
  }
  return b;
}

function poseFromBetas(betas: number[], basis: number[][], alphas: number[], input: PnpInput, idx: ArrayLike<number>): Pose | null {
  const cc = new Array<number>(12).fill(0);
  for (let k = 0; k < 4; k++) for (let i = 0; i < 12; i++) cc[i] += betas[k] * basis[k][i];
  const n = idx.length;
  const camPts: number[][] = [];
  let meanZ = 0;
  for (let k = 0; k < n; k++) {
    const p = [0, 0, 0];
    for (let j = 0; j < 4; j++) for (let d = 0; d < 3; d++) p[d] += alphas[4 * k + j] * cc[3 * j + d];
    camPts.push(p);
    meanZ += p[2];
  }
  // The null space fixes the control points only up to sign: points must be in front.
  if (meanZ < 0) for (const p of camPts) for (let d = 0; d < 3; d++) p[d] = -p[d];
  const world = Array.from({ length: n }, (_, k) => [input.X[3 * idx[k]], input.X[3 * idx[k] + 1], input.X[3 * idx[k] + 2]]);
  const T = umeyama(world, camPts, false);
  if (!T.R.every(Number.isFinite) || !T.t.every(Number.isFinite)) return null;
  return { R: T.R, t: [...T.t] };
}

function reprojSq(pose: Pose, input: PnpInput, i: number): number {
  const X = [input.X[3 * i], input.X[3 * i + 1], input.X[3 * i + 2]];
  const c = mulVec3(pose.R, X);
  const z = c[2] + pose.t[2];
  if (!(z > 0)) return Infinity;
  const dx = (c[0] + pose.t[0]) / z - input.x[2 * i];
  const dy = (c[1] + pose.t[1]) / z - input.x[2 * i + 1];
  return dx * dx + dy * dy;
}

export interface PnpRansacOptions {
  /** Inlier threshold in normalized units (pixels / focal). */
  threshold: number;
  confidence?: number;
  maxIterations?: number;
  seed?: number;
}

export interface PnpResult {
  pose: Pose;
  inlierMask: Uint8Array;
  inlierCount: number;
  /** RMS reprojection error of the inliers, normalized units. */
  rmsError: number;
}

export function ransacPnp(input: PnpInput, opts: PnpRansacOptions): PnpResult | null {
  const n = input.x.length / 2;
  const sampleSize = 6;
  if (n < sampleSize) return null;
  const thr2 = opts.threshold * opts.threshold;
  const maxIt = opts.maxIterations ?? 1000;
  const rand = seededRandom(opts.seed ?? 7);
  let best: { pose: Pose; cost: number; count: number } | null = null;
  let iterations = maxIt;
  const sample: number[] = [];
  const score = (pose: Pose) => {
    let cost = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const e = reprojSq(pose, input, i);
      if (e < thr2) {
        cost += e;
        count++;
      } else cost += thr2;
    }
    return { cost, count };
  };
  for (let it = 0; it < iterations; it++) {
    sampleDistinct(n, sampleSize, rand, sample);
    const pose = epnp(input, sample);
    if (!pose) continue;
    const s = score(pose);
    if (!best || s.cost < best.cost) {
      best = { pose, ...s };
      iterations = Math.min(iterations, adaptiveIterations(best.count / n, sampleSize, opts.confidence ?? 0.999, maxIt));
    }
  }
  if (!best || best.count < sampleSize) return null;
  // Refine on the inliers, then re-collect inliers with the refined pose.
  let mask = inliers(best.pose, input, thr2);
  let pose = refinePose(best.pose, input, mask, opts.threshold);
  mask = inliers(pose, input, thr2);
  pose = refinePose(pose, input, mask, opts.threshold);
  mask = inliers(pose, input, thr2);
  let count = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) if (mask[i]) {
    count++;
    sq += reprojSq(pose, input, i);
  }
  if (count < sampleSize) return null;
  return { pose, inlierMask: mask, inlierCount: count, rmsError: Math.sqrt(sq / count) };
}

function inliers(pose: Pose, input: PnpInput, thr2: number): Uint8Array {
  const n = input.x.length / 2;
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = reprojSq(pose, input, i) < thr2 ? 1 : 0;
  return m;
}

/**
 * LM refinement of a pose on the masked correspondences with a Huber loss of scale
 * `huber` (normalized units), by iteratively reweighted least squares.
 */
export function refinePose(init: Pose, input: PnpInput, mask: Uint8Array, huber: number, iterations = 20): Pose {
  let pose: Pose = { R: init.R.slice(), t: init.t.slice() };
  let lambda = 1e-3;
  const cost = (p: Pose) => {
    let c = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) c += huberCost(Math.sqrt(reprojSq(p, input, i)), huber);
    return c;
  };
  let current = cost(pose);
  for (let it = 0; it < iterations; it++) {
    const H = new Array<number>(36).fill(0);
    const g = new Array<number>(6).fill(0);
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const X = [input.X[3 * i], input.X[3 * i + 1], input.X[3 * i + 2]];
      const RX = mulVec3(pose.R, X);
      const c = [RX[0] + pose.t[0], RX[1] + pose.t[1], RX[2] + pose.t[2]];
      if (!(c[2] > 0)) continue;
      const iz = 1 / c[2];
      const r = [c[0] * iz - input.x[2 * i], c[1] * iz - input.x[2 * i + 1]];
      const w = huberWeight(Math.hypot(r[0], r[1]), huber);
      // d(proj)/d(c): rows [iz, 0, -x iz^2], [0, iz, -y iz^2]; d(c)/d(w) = -[RX]x, d(c)/d(t) = I.
      const dP = [iz, 0, -c[0] * iz * iz, 0, iz, -c[1] * iz * iz];
      const negSkew = [0, RX[2], -RX[1], -RX[2], 0, RX[0], RX[1], -RX[0], 0];
      const Jw = mul3x(dP, negSkew);
      const J = [Jw[0], Jw[1], Jw[2], dP[0], dP[1], dP[2], Jw[3], Jw[4], Jw[5], dP[3], dP[4], dP[5]];
      for (let a = 0; a < 6; a++) {
        g[a] += w * (J[a] * r[0] + J[6 + a] * r[1]);
        for (let b = 0; b < 6; b++) H[a * 6 + b] += w * (J[a] * J[b] + J[6 + a] * J[6 + b]);
      }
    }
    let improved = false;
    for (let tries = 0; tries < 8 && !improved; tries++) {
      const A = H.slice();
      for (let a = 0; a < 6; a++) A[a * 6 + a] += lambda * (H[a * 6 + a] + 1e-12);
      const step = choleskySolve(A, g.map((v) => -v), 6);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const cand: Pose = {
        R: mul3(expSO3([step[0], step[1], step[2]]), pose.R),
        t: [pose.t[0] + step[3], pose.t[1] + step[4], pose.t[2] + step[5]],
      };
      const cc = cost(cand);
      if (cc < current) {
        pose = cand;
        improved = current - cc > 1e-12 * current;
        current = cc;
        lambda = Math.max(lambda / 10, 1e-9);
        if (!improved) return pose;
      } else lambda *= 10;
    }
    if (!improved) break;
  }
  return pose;
}

/** [2x3] * [3x3] */
function mul3x(A: number[], B: number[]): number[] {
  const C = new Array<number>(6).fill(0);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) C[i * 3 + j] += A[i * 3 + k] * B[k * 3 + j];
  return C;
}

export function huberCost(r: number, k: number): number {
  return r <= k ? 0.5 * r * r : k * (r - 0.5 * k);
}

export function huberWeight(r: number, k: number): number {
  return r <= k ? 1 : k / r;
}
