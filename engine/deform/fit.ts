/**
 * Fit a time-conditioned control-point motion (keyframes, or any MotionModel) to per-frame
 * target positions (and optionally rotations) of the Gaussians
 * (tracked points, or the motion of a reconstructed scene), by Adam on the host through the
 * float64 warp reference. Loss per step:
 *   mean over frames and Gaussians of ‖warp(x_i; motion(t_f)) - target_{f,i}‖²
 *   + the model's own regularizer (keyframes: smoothWeight · second differences, motion.ts)
 *   + arapWeight · Σ_f ARAP(control points at frame f → frame f+1)   (arap.ts)
 *   + rigidityWeight · mean_f transform consistency of neighbours    (rigidity.ts)
 * For thousands of Gaussians pass the GPU backend (gpuWarpBackend in warp-backend-gpu.ts).
 */
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import { HostAdam } from './adam.js';
import { arapEnergy, buildArapGraph } from './arap.js';
import type { ControlPoints } from './control-points.js';
import type { KeyframeMotion } from './motion.js';
import { KeyframeModel, type MotionModel } from './motion-model.js';
import { rigidityEnergy } from './rigidity.js';
import { warpBackwardRef, warpForwardRef, type Local, type WarpInputs } from './warp-ref.js';

export interface MotionFitFrame {
  time: number;
  targets: ArrayLike<number>; // [N, 3]
  /**
   * Optional target rotations [N, 4] (w, x, y, z). Positions alone leave the per-control-
   * point rotations nearly unidentifiable (a rotation about one control point trades off
   * against its neighbours' translations in the blend); oriented Gaussians pin them down.
   */
  targetQuats?: ArrayLike<number>;
}

export interface MotionFitOptions {
  steps?: number;
  /** Adam step size at the start; decays exponentially to lrFinal (default lr / 100). */
  lr?: number;
  lrFinal?: number;
  /** Weight of the rotation term mean(1 - (q̂'·q̂_target)²) (sign-invariant), if targets have quats. */
  rotationWeight?: number;
  smoothWeight?: number;
  arapWeight?: number;
  /** Transform consistency between neighbouring control points (rigidity.ts), per frame. */
  rigidityWeight?: number;
  /** Neighbours per control point for the ARAP and rigidity graphs (default 10). */
  arapK?: number;
  /** Warp backend (default: the host float64 reference). */
  backend?: WarpBackend;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * Where the warp runs during a fit: forward with the control points at one frame, then the
 * backward of that forward. Host float64 (hostWarpBackend) or GPU (warp-backend-gpu.ts).
 */
export interface WarpBackend {
  forward(c: ControlPoints<Float64Array>): Promise<{ means: ArrayLike<number>; quats: ArrayLike<number> }>;
  /** Control-point gradients of the last forward, given dL/d(warped means, quats). */
  backward(vOutMeans: Float64Array, vOutQuats: Float64Array): Promise<{ vCtrlQuats: Float64Array; vCtrlTrans: Float64Array }>;
}

/** The float64 reference warp as a fit backend (small N; keeps the forward's locals for the backward). */
export function hostWarpBackend(gaussians: { means: ArrayLike<number>; quats: ArrayLike<number> }, nbr: Uint32Array, K: number): WarpBackend {
  let last: { inp: WarpInputs; saved: Local[] } | undefined;
  return {
    async forward(c) {
      const inp = { means: gaussians.means, quats: gaussians.quats, nbr, K, ctrl: c };
      const saved: Local[] = [];
      last = { inp, saved };
      return warpForwardRef(inp, saved);
    },
    async backward(vOutMeans, vOutQuats) {
      if (!last) throw new Error('hostWarpBackend: backward before forward');
      const g = warpBackwardRef(last.inp, vOutMeans, vOutQuats, last.saved);
      return { vCtrlQuats: g.vCtrlQuats, vCtrlTrans: g.vCtrlTrans };
    },
  };
}

export interface MotionFitResult {
  /** Data term (mean squared position error + weighted rotation term) per step. */
  losses: number[];
}

export async function fitMotion(
  gaussians: { means: ArrayLike<number>; quats: ArrayLike<number> },
  ctrl: ControlPoints<Float32Array | Float64Array>,
  nbr: Uint32Array,
  K: number,
  motion: KeyframeMotion | MotionModel,
  frames: MotionFitFrame[],
  opts: MotionFitOptions = {},
): Promise<MotionFitResult> {
  const model: MotionModel = 'params' in motion ? motion : new KeyframeModel(motion, opts.smoothWeight ?? 0);
  const steps = opts.steps ?? 300;
  const n = gaussians.means.length / 3;
  const M = ctrl.count;
  for (const fr of frames) if (fr.targets.length !== n * 3) throw new Error(`fitMotion: frame at t=${fr.time} has ${fr.targets.length / 3} targets for ${n} Gaussians`);
  const params = model.params();
  const lr0 = opts.lr ?? 0.01;
  const lr1 = opts.lrFinal ?? lr0 / 100;
  const adam = new HostAdam(params, lr0);
  const graph = (opts.arapWeight ?? 0) > 0 || (opts.rigidityWeight ?? 0) > 0 ? buildArapGraph(ctrl.positions, opts.arapK ?? 10) : undefined;
  const rotW = opts.rotationWeight ?? 1;
  const backend = opts.backend ?? hostWarpBackend(gaussians, nbr, K);
  const losses: number[] = [];
  const scale = 1 / (n * frames.length);
  for (let step = 0; step < steps; step++) {
    throwIfCancelled(opts.signal);
    const grads = params.map((p) => new Float64Array(p.length));
    let loss = 0;
    // Control points at each frame, kept for the ARAP term between consecutive frames.
    const deformed: Float64Array[] = [];
    const vDeformed: Float64Array[] = [];
    const perFrame: { vq: Float64Array; vt: Float64Array }[] = [];
    for (const fr of frames) {
      const c = model.at(ctrl, fr.time);
      const out = await backend.forward(c);
      const vOut = new Float64Array(n * 3);
      for (let i = 0; i < n * 3; i++) {
        const r = out.means[i] - fr.targets[i];
        loss += r * r * scale;
        vOut[i] = 2 * r * scale;
      }
      const vOutQuats = new Float64Array(n * 4);
      if (fr.targetQuats) loss += rotationTerm(out.quats, fr.targetQuats, rotW * scale, vOutQuats);
      const g = await backend.backward(vOut, vOutQuats);
      if (graph && opts.rigidityWeight) rigidityEnergy(graph, c.positions, c.quats, c.trans, g.vCtrlQuats, g.vCtrlTrans, opts.rigidityWeight / frames.length);
      perFrame.push({ vq: g.vCtrlQuats, vt: g.vCtrlTrans });
      deformed.push(Float64Array.from(c.positions, (p, i) => p + c.trans[i]));
      vDeformed.push(new Float64Array(M * 3));
    }
    if (graph && opts.arapWeight) {
      // ARAP between the control points of consecutive frames (graph built at rest).
      for (let f = 0; f + 1 < frames.length; f++) {
        const e = arapEnergy(graph, deformed[f], deformed[f + 1]);
        for (let i = 0; i < M * 3; i++) {
          vDeformed[f][i] += opts.arapWeight * e.vRest[i];
          vDeformed[f + 1][i] += opts.arapWeight * e.vDeformed[i];
        }
      }
    }
    frames.forEach((fr, f) => {
      // Deformed control point = p + t, so its gradient adds to the translation's.
      const vt = perFrame[f].vt.map((v, i) => v + vDeformed[f][i]);
      model.backward(fr.time, perFrame[f].vq, vt, grads);
    });
    model.regularize?.(grads);
    adam.lr = lr0 * (lr1 / lr0) ** (step / Math.max(steps - 1, 1));
    adam.step(grads);
    losses.push(loss);
    if (opts.onEvent && (step % 10 === 0 || step === steps - 1)) {
      opts.onEvent({ type: 'step', stage: 'deform', step: step + 1, total: steps, metrics: { loss } });
    }
  }
  return { losses };
}

/**
 * Sign-invariant rotation term weight · Σ_i (1 - (q̂'_i·q̂_target,i)²); adds its gradient
 * w.r.t. the unnormalized warped quats into vOut and returns the value.
 */
function rotationTerm(quats: ArrayLike<number>, targets: ArrayLike<number>, weight: number, vOut: Float64Array): number {
  let value = 0;
  for (let i = 0; i < quats.length / 4; i++) {
    const qn = Math.hypot(quats[i * 4], quats[i * 4 + 1], quats[i * 4 + 2], quats[i * 4 + 3]);
    const tn = Math.hypot(targets[i * 4], targets[i * 4 + 1], targets[i * 4 + 2], targets[i * 4 + 3]);
    let dot = 0;
    for (let a = 0; a < 4; a++) dot += (quats[i * 4 + a] / qn) * (targets[i * 4 + a] / tn);
    value += weight * (1 - dot * dot);
    // d/dq of -(q̂·t̂)² = -2 (q̂·t̂) (t̂ - q̂ (q̂·t̂)) / |q|
    for (let a = 0; a < 4; a++) vOut[i * 4 + a] = (-2 * weight * dot * (targets[i * 4 + a] / tn - (quats[i * 4 + a] / qn) * dot)) / qn;
  }
  return value;
}
