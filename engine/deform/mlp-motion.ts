/**
 * SC-GS-style time-conditioned deformation: an MLP on positional encodings of the control
 * point's rest position and time, predicting a rotation offset and a translation per
 * control point. Host float64 (forward and hand-written backward). Kept as the measured
 * alternative to keyframes (bench/deform.ts); SC-GS's network is 8 x 256 with 10 / 6
 * frequencies, the default here is smaller because it runs on the CPU.
 *
 *   input   γ(p) ⊕ γ(t),  γ(v) = (v, sin(2^f π v), cos(2^f π v))_{f < L}
 *   hidden  ReLU layers of `width`
 *   output  7 = (Δq (4), t (3));  q = (1, 0, 0, 0) + Δq (normalized by the warp)
 * The last layer starts at zero so the model starts at the identity motion.
 */
import type { ControlPoints } from './control-points.js';
import type { MotionModel } from './motion-model.js';
import { Rng } from '../math/random.js';

export interface MlpMotionOptions {
  width?: number;
  hiddenLayers?: number;
  posFreqs?: number;
  timeFreqs?: number;
  seed?: number;
}

export class MlpMotion implements MotionModel {
  readonly weights: Float64Array[] = []; // layer l: [out, in]
  readonly biases: Float64Array[] = []; // layer l: [out]
  readonly sizes: number[];
  private readonly posFreqs: number;
  private readonly timeFreqs: number;
  private cache = new Map<number, { inputs: Float64Array; acts: Float64Array[] }>();

  constructor(opts: MlpMotionOptions = {}) {
    this.posFreqs = opts.posFreqs ?? 6;
    this.timeFreqs = opts.timeFreqs ?? 4;
    const width = opts.width ?? 64;
    const inDim = 3 * (1 + 2 * this.posFreqs) + (1 + 2 * this.timeFreqs);
    this.sizes = [inDim, ...Array<number>(opts.hiddenLayers ?? 3).fill(width), 7];
    const rand = new Rng(opts.seed ?? 1).next;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const [nin, nout] = [this.sizes[l], this.sizes[l + 1]];
      const last = l + 2 === this.sizes.length;
      // He-uniform for ReLU layers; zero output layer = identity motion at start.
      const bound = last ? 0 : Math.sqrt(6 / nin);
      this.weights.push(Float64Array.from({ length: nin * nout }, () => (rand() * 2 - 1) * bound));
      this.biases.push(new Float64Array(nout));
    }
  }

  params(): Float64Array[] {
    return [...this.weights, ...this.biases];
  }

  parameterCount(): number {
    return this.params().reduce((s, p) => s + p.length, 0);
  }

  private encode(ctrl: ControlPoints<Float32Array | Float64Array>, t: number): Float64Array {
    const D = this.sizes[0];
    const out = new Float64Array(ctrl.count * D);
    for (let k = 0; k < ctrl.count; k++) {
      let o = k * D;
      const put = (v: number, L: number) => {
        out[o++] = v;
        for (let f = 0; f < L; f++) {
          out[o++] = Math.sin(2 ** f * Math.PI * v);
          out[o++] = Math.cos(2 ** f * Math.PI * v);
        }
      };
      for (let a = 0; a < 3; a++) put(ctrl.positions[k * 3 + a], this.posFreqs);
      put(t, this.timeFreqs);
    }
    return out;
  }

  at(ctrl: ControlPoints<Float32Array | Float64Array>, t: number): ControlPoints<Float64Array> {
    const M = ctrl.count;
    const inputs = this.encode(ctrl, t);
    const acts: Float64Array[] = [inputs];
    let x = inputs;
    for (let l = 0; l < this.weights.length; l++) {
      const [nin, nout] = [this.sizes[l], this.sizes[l + 1]];
      const W = this.weights[l];
      const b = this.biases[l];
      const y = new Float64Array(M * nout);
      const relu = l + 1 < this.weights.length;
      for (let k = 0; k < M; k++) {
        for (let o = 0; o < nout; o++) {
          let s = b[o];
          for (let i = 0; i < nin; i++) s += W[o * nin + i] * x[k * nin + i];
          y[k * nout + o] = relu && s < 0 ? 0 : s;
        }
      }
      acts.push(y);
      x = y;
    }
    this.cache.set(t, { inputs, acts });
    const out: ControlPoints<Float64Array> = {
      count: M,
      positions: Float64Array.from(ctrl.positions),
      logRadius: Float64Array.from(ctrl.logRadius),
      quats: new Float64Array(M * 4),
      trans: new Float64Array(M * 3),
    };
    for (let k = 0; k < M; k++) {
      for (let a = 0; a < 4; a++) out.quats[k * 4 + a] = (a === 0 ? 1 : 0) + x[k * 7 + a];
      for (let a = 0; a < 3; a++) out.trans[k * 3 + a] = x[k * 7 + 4 + a];
    }
    return out;
  }

  /** Needs the `at(ctrl, t)` of this step (cached per t). */
  backward(t: number, vQuats: ArrayLike<number>, vTrans: ArrayLike<number>, grads: Float64Array[]): void {
    const c = this.cache.get(t);
    if (!c) throw new Error(`MlpMotion.backward: no forward at t=${t}`);
    const L = this.weights.length;
    const M = c.acts[0].length / this.sizes[0];
    let v = new Float64Array(M * 7);
    for (let k = 0; k < M; k++) {
      for (let a = 0; a < 4; a++) v[k * 7 + a] = vQuats[k * 4 + a];
      for (let a = 0; a < 3; a++) v[k * 7 + 4 + a] = vTrans[k * 3 + a];
    }
    for (let l = L - 1; l >= 0; l--) {
      const [nin, nout] = [this.sizes[l], this.sizes[l + 1]];
      const x = c.acts[l];
      const y = c.acts[l + 1];
      const W = this.weights[l];
      const gW = grads[l];
      const gb = grads[L + l];
      const vin = new Float64Array(M * nin);
      for (let k = 0; k < M; k++) {
        for (let o = 0; o < nout; o++) {
          // ReLU'(s) = [y > 0] on hidden layers; identity on the output layer.
          const g = l + 1 < L && y[k * nout + o] <= 0 ? 0 : v[k * nout + o];
          if (g === 0) continue;
          gb[o] += g;
          for (let i = 0; i < nin; i++) {
            gW[o * nin + i] += g * x[k * nin + i];
            vin[k * nin + i] += g * W[o * nin + i];
          }
        }
      }
      v = vin;
    }
  }
}
