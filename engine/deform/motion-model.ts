/**
 * What the motion fit needs from a time-conditioned deformation model: its parameters, the
 * control points at time t, and the transpose of that map. Implemented by keyframes
 * (motion.ts, the one Sparrow uses) and by the SC-GS-style MLP (mlp-motion.ts, kept as the
 * measured alternative; see bench/results/deform.md).
 */
import type { ControlPoints } from './control-points.js';
import {
  controlPointsAt,
  scatterKeyframeGrad,
  temporalSmoothness,
  type KeyframeMotion,
} from './motion.js';

export interface MotionModel {
  /** Parameter arrays, updated in place by the optimizer. */
  params(): Float64Array[];
  /** Control points (rest positions and radii from `ctrl`) with their transforms at time t. */
  at(ctrl: ControlPoints<Float32Array | Float64Array>, t: number): ControlPoints<Float64Array>;
  /** Accumulate into `grads` (shaped like params()) the gradient from dL/d(quats, trans) at time t. */
  backward(t: number, vQuats: ArrayLike<number>, vTrans: ArrayLike<number>, grads: Float64Array[]): void;
  /** Add a regularizer's gradient into `grads`; returns its value. */
  regularize?(grads: Float64Array[]): number;
  parameterCount(): number;
}

/** Keyframes with linear interpolation and a second-difference smoothness prior. */
export class KeyframeModel implements MotionModel {
  constructor(
    readonly motion: KeyframeMotion,
    public smoothWeight = 0,
  ) {}

  params(): Float64Array[] {
    return [this.motion.quats, this.motion.trans];
  }

  at(ctrl: ControlPoints<Float32Array | Float64Array>, t: number): ControlPoints<Float64Array> {
    return controlPointsAt(ctrl, this.motion, t);
  }

  backward(t: number, vQuats: ArrayLike<number>, vTrans: ArrayLike<number>, grads: Float64Array[]): void {
    scatterKeyframeGrad(this.motion, t, vQuats, vTrans, grads[0], grads[1]);
  }

  regularize(grads: Float64Array[]): number {
    return this.smoothWeight > 0 ? temporalSmoothness(this.motion, this.smoothWeight, grads[0], grads[1]) : 0;
  }

  parameterCount(): number {
    return this.motion.quats.length + this.motion.trans.length;
  }
}
