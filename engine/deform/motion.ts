/**
 * Time-conditioned control-point deformation: per-frame (keyframed) rotations and
 * translations per control point, interpolated in time (Catmull-Rom cubic by default, or
 * linear), with a temporal smoothness prior (second differences). Chosen over SC-GS's MLP on positional encodings
 * by measurement: see bench/results/deform.md (fit quality and cost on a synthetic motion).
 *
 *   times:  [F]        keyframe times, strictly increasing
 *   quats:  [F, M, 4]  rotation per keyframe and control point (w, x, y, z), unnormalized
 *   trans:  [F, M, 3]  translation per keyframe and control point
 * At time t between keyframes a and b (α = (t - t_a) / (t_b - t_a)) both are a fixed linear
 * combination of nearby keyframes (taps):
 *   linear:  (1 - α) x_a + α x_b
 *   cubic:   Catmull-Rom over keyframes a-1, a, b, b+1 (linearly extrapolated phantoms past
 *            the ends), exact at keyframes and C¹; the tangents assume roughly even spacing.
 * Quaternions are combined the same way and normalized by the warp (exact at keyframes).
 * Outside [t_0, t_F-1] the nearest keyframe holds. Every operation here is linear in the
 * keyframes, so gradients scatter back with the same taps.
 */
import { cloneControlPoints, type ControlPoints } from './control-points.js';

export interface KeyframeMotion {
  count: number; // M
  times: Float64Array;
  quats: Float64Array;
  trans: Float64Array;
  interpolation: 'linear' | 'cubic';
}

/** Identity motion over `times` for `count` control points. */
export function createKeyframeMotion(times: ArrayLike<number>, count: number, interpolation: 'linear' | 'cubic' = 'cubic'): KeyframeMotion {
  const F = times.length;
  if (F < 1) throw new Error('motion needs at least one keyframe time');
  for (let f = 1; f < F; f++) if (!(times[f] > times[f - 1])) throw new Error(`motion keyframe times must increase strictly; ${times[f]} follows ${times[f - 1]}`);
  const quats = new Float64Array(F * count * 4);
  for (let i = 0; i < F * count; i++) quats[i * 4] = 1;
  return { count, times: Float64Array.from(times), quats, trans: new Float64Array(F * count * 3), interpolation };
}

export interface KeyframeSample {
  f0: number;
  f1: number;
  alpha: number;
}

/** The two keyframes around `t` and the blend weight of the second. */
export function sampleKeyframes(m: KeyframeMotion, t: number): KeyframeSample {
  const { times } = m;
  const F = times.length;
  if (F === 1 || t <= times[0]) return { f0: 0, f1: 0, alpha: 0 };
  if (t >= times[F - 1]) return { f0: F - 1, f1: F - 1, alpha: 0 };
  let lo = 0;
  let hi = F - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid;
  }
  return { f0: lo, f1: hi, alpha: (t - times[lo]) / (times[hi] - times[lo]) };
}

/** Keyframe indices and weights whose combination gives the motion at time t (weights sum to 1). */
export function keyframeTaps(m: KeyframeMotion, t: number): { index: number[]; weight: number[] } {
  const { f0, f1, alpha: a } = sampleKeyframes(m, t);
  if (f0 === f1 || a === 0) return { index: [f0], weight: [1] };
  if (m.interpolation === 'linear') return { index: [f0, f1], weight: [1 - a, a] };
  const F = m.times.length;
  const a2 = a * a;
  const a3 = a2 * a;
  const w = [(-a3 + 2 * a2 - a) / 2, (3 * a3 - 5 * a2 + 2) / 2, (-3 * a3 + 4 * a2 + a) / 2, (a3 - a2) / 2];
  const index = [f0, f1];
  const weight = [w[1], w[2]];
  // Outer keyframes; past an end, a phantom keyframe extrapolated linearly
  // (x_{-1} = 2 x_0 - x_1), so linear motion is reproduced exactly up to the ends.
  if (f0 > 0) { index.push(f0 - 1); weight.push(w[0]); } else { weight[0] += 2 * w[0]; weight[1] -= w[0]; }
  if (f1 < F - 1) { index.push(f1 + 1); weight.push(w[3]); } else { weight[1] += 2 * w[3]; weight[0] -= w[3]; }
  return { index, weight };
}

/** Control points at time t: rest positions and radii of `ctrl`, motion's rotation/translation. */
export function controlPointsAt(ctrl: ControlPoints<Float32Array | Float64Array>, m: KeyframeMotion, t: number): ControlPoints<Float64Array> {
  if (ctrl.count !== m.count) throw new Error(`motion has ${m.count} control points, the scene ${ctrl.count}`);
  const taps = keyframeTaps(m, t);
  const M = m.count;
  const out: ControlPoints<Float64Array> = {
    count: M,
    positions: Float64Array.from(ctrl.positions),
    logRadius: Float64Array.from(ctrl.logRadius),
    quats: new Float64Array(M * 4),
    trans: new Float64Array(M * 3),
  };
  taps.index.forEach((f, j) => {
    const w = taps.weight[j];
    for (let i = 0; i < M * 4; i++) out.quats[i] += w * m.quats[f * M * 4 + i];
    for (let i = 0; i < M * 3; i++) out.trans[i] += w * m.trans[f * M * 3 + i];
  });
  return out;
}

/** Accumulate gradients w.r.t. the control points at time t into keyframe gradients. */
export function scatterKeyframeGrad(
  m: KeyframeMotion,
  t: number,
  vCtrlQuats: ArrayLike<number>, // [M, 4]
  vCtrlTrans: ArrayLike<number>, // [M, 3]
  vQuats: Float64Array, // [F, M, 4] accumulated
  vTrans: Float64Array, // [F, M, 3] accumulated
): void {
  const taps = keyframeTaps(m, t);
  const M = m.count;
  taps.index.forEach((f, j) => {
    const w = taps.weight[j];
    for (let i = 0; i < M * 4; i++) vQuats[f * M * 4 + i] += w * vCtrlQuats[i];
    for (let i = 0; i < M * 3; i++) vTrans[f * M * 3 + i] += w * vCtrlTrans[i];
  });
}

/**
 * Temporal smoothness: weight · Σ_f Σ ‖x_{f+1} - 2 x_f + x_{f-1}‖² over quats and trans
 * (zero for constant velocity, so it damps jitter without pulling motion toward rest).
 * Adds its gradient into vQuats / vTrans; returns the energy.
 */
export function temporalSmoothness(m: KeyframeMotion, weight: number, vQuats: Float64Array, vTrans: Float64Array): number {
  const F = m.times.length;
  let e = 0;
  for (const [x, v, stride] of [[m.quats, vQuats, m.count * 4], [m.trans, vTrans, m.count * 3]] as const) {
    for (let f = 1; f + 1 < F; f++) {
      for (let i = 0; i < stride; i++) {
        const a = x[(f - 1) * stride + i];
        const b = x[f * stride + i];
        const c = x[(f + 1) * stride + i];
        const d = c - 2 * b + a;
        e += weight * d * d;
        const g = 2 * weight * d;
        v[(f - 1) * stride + i] += g;
        v[f * stride + i] -= 2 * g;
        v[(f + 1) * stride + i] += g;
      }
    }
  }
  return e;
}

/** Control points carrying keyframe f's transforms (for export of frame f). */
export function controlPointsAtKeyframe(ctrl: ControlPoints, m: KeyframeMotion, f: number): ControlPoints {
  const out = cloneControlPoints(ctrl);
  out.quats.set(m.quats.subarray(f * m.count * 4, (f + 1) * m.count * 4));
  out.trans.set(m.trans.subarray(f * m.count * 3, (f + 1) * m.count * 3));
  return out;
}
