/**
 * Adaptive control-point density (SC-GS): add control points where the Gaussians they
 * drive fit badly, remove control points that drive (almost) nothing. Host logic, run every
 * few hundred steps; afterwards rebuild the neighbour lists (knn / WarpGpu.neighbours) and
 * carry per-control-point state across with `sourceIndex` (remapControlPoints, remapMotion).
 */
import type { ControlPoints } from './control-points.js';
import type { KeyframeMotion } from './motion.js';
import { blendWeightsRef } from './warp-ref.js';

export interface DensityOptions {
  /** Remove a control point whose total blend weight over all Gaussians is below this. */
  minSupport?: number;
  /** Split a control point whose Gaussians' weighted mean error exceeds this. */
  errorThreshold: number;
  /** At most this many additions per call (largest errors first). */
  maxAdd?: number;
  /** Never remove below this many control points. */
  minCount?: number;
}

export interface DensityResult {
  ctrl: ControlPoints;
  /** [M'] old index each new control point takes its state from (itself, or its parent). */
  sourceIndex: Int32Array;
  added: number;
  removed: number;
}

/**
 * errors: [N] a per-Gaussian error (e.g. accumulated view-space gradient norm or photometric
 * residual). Each control point's error is the blend-weighted mean over the Gaussians it
 * drives; above the threshold, a child is added at the error-weighted centroid of those
 * Gaussians (where the current points do not reach), inheriting the parent's transform and
 * a radius shrunk by 2^(-1/3) (halving the volume each covers).
 */
export function adaptControlPoints(
  ctrl: ControlPoints,
  means: ArrayLike<number>, // [N, 3]
  nbr: ArrayLike<number>, // [N, K]
  K: number,
  errors: ArrayLike<number>, // [N]
  opts: DensityOptions,
): DensityResult {
  const n = means.length / 3;
  const M = ctrl.count;
  if (errors.length !== n) throw new Error(`adaptControlPoints: ${errors.length} errors for ${n} Gaussians`);
  const w = blendWeightsRef(means, nbr, K, ctrl);
  const support = new Float64Array(M);
  const errSum = new Float64Array(M);
  const centroid = new Float64Array(M * 3); // Σ w e x over the Gaussians
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const c = nbr[i * K + k];
      const wik = w[i * K + k];
      support[c] += wik;
      errSum[c] += wik * errors[i];
      for (let a = 0; a < 3; a++) centroid[c * 3 + a] += wik * errors[i] * means[i * 3 + a];
    }
  }
  const minSupport = opts.minSupport ?? 1e-3;
  const minCount = opts.minCount ?? 4;
  // Remove the least supported first, never below minCount.
  const removable = Array.from({ length: M }, (_, k) => k).filter((k) => support[k] < minSupport).sort((a, b) => support[a] - support[b]);
  const remove = new Set(removable.slice(0, Math.max(0, M - minCount)));
  const split = Array.from({ length: M }, (_, k) => k)
    .filter((k) => !remove.has(k) && support[k] > 0 && errSum[k] / support[k] > opts.errorThreshold && errSum[k] > 0)
    .sort((a, b) => errSum[b] / support[b] - errSum[a] / support[a])
    .slice(0, opts.maxAdd ?? M);

  const sourceIndex: number[] = [];
  for (let k = 0; k < M; k++) if (!remove.has(k)) sourceIndex.push(k);
  const kept = sourceIndex.length;
  for (const k of split) sourceIndex.push(k);
  const out = remapControlPoints(ctrl, Int32Array.from(sourceIndex));
  split.forEach((k, s) => {
    const j = kept + s;
    for (let a = 0; a < 3; a++) {
      const pNew = centroid[k * 3 + a] / errSum[k];
      // Keep the parent's motion at the child's location: same rotation, and the translation
      // about the new centre that reproduces the parent's rigid transform there.
      out.positions[j * 3 + a] = pNew;
    }
    const R = rotationOf(ctrl.quats.subarray(k * 4, k * 4 + 4));
    const d = [0, 1, 2].map((a) => out.positions[j * 3 + a] - ctrl.positions[k * 3 + a]);
    for (let a = 0; a < 3; a++) out.trans[j * 3 + a] = ctrl.trans[k * 3 + a] + R[a * 3] * d[0] + R[a * 3 + 1] * d[1] + R[a * 3 + 2] * d[2] - d[a];
    out.logRadius[j] = ctrl.logRadius[k] - Math.log(2) / 3;
  });
  return { ctrl: out, sourceIndex: Int32Array.from(sourceIndex), added: split.length, removed: remove.size };
}

function rotationOf(q: ArrayLike<number>): number[] {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  const [w, x, y, z] = [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

/** Control points gathered by `sourceIndex` (copies state; callers then adjust children). */
export function remapControlPoints(ctrl: ControlPoints, sourceIndex: Int32Array): ControlPoints {
  const m = sourceIndex.length;
  const out: ControlPoints = { count: m, positions: new Float32Array(m * 3), logRadius: new Float32Array(m), quats: new Float32Array(m * 4), trans: new Float32Array(m * 3) };
  sourceIndex.forEach((s, j) => {
    out.positions.set(ctrl.positions.subarray(s * 3, s * 3 + 3), j * 3);
    out.logRadius[j] = ctrl.logRadius[s];
    out.quats.set(ctrl.quats.subarray(s * 4, s * 4 + 4), j * 4);
    out.trans.set(ctrl.trans.subarray(s * 3, s * 3 + 3), j * 3);
  });
  return out;
}

/**
 * Keyframes gathered by `sourceIndex`. A child copies its parent's rotations as they are;
 * its translations are re-expressed about its own rest position so it moves with the parent:
 * t_child(f) = t_parent(f) + R_parent(f) d - d, d = p_child - p_parent.
 */
export function remapMotion(m: KeyframeMotion, sourceIndex: Int32Array, oldPositions: ArrayLike<number>, newPositions: ArrayLike<number>): KeyframeMotion {
  const F = m.times.length;
  const Mn = sourceIndex.length;
  const out: KeyframeMotion = { count: Mn, times: m.times.slice(), quats: new Float64Array(F * Mn * 4), trans: new Float64Array(F * Mn * 3), interpolation: m.interpolation };
  for (let f = 0; f < F; f++) {
    sourceIndex.forEach((s, j) => {
      const q = m.quats.subarray((f * m.count + s) * 4, (f * m.count + s) * 4 + 4);
      out.quats.set(q, (f * Mn + j) * 4);
      const R = rotationOf(q);
      const d = [0, 1, 2].map((a) => newPositions[j * 3 + a] - oldPositions[s * 3 + a]);
      for (let a = 0; a < 3; a++) {
        out.trans[(f * Mn + j) * 3 + a] = m.trans[(f * m.count + s) * 3 + a] + R[a * 3] * d[0] + R[a * 3 + 1] * d[1] + R[a * 3 + 2] * d[2] - d[a];
      }
    });
  }
  return out;
}
