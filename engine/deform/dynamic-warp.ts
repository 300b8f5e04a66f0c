/**
 * The trainer seam of a dynamic (SC-GS) scene: canonical Gaussians (the trainer's own
 * parameters) are warped to a frame's time by control points whose rotations/translations
 * are keyframed in time (motion.ts), rendered, and the rasterizer's gradients w.r.t. the
 * warped means/quats are pushed back through the warp's backward into
 *   - the canonical means/quats gradients (replacing the warped ones before the trainer's Adam),
 *   - the keyframes (scatterKeyframeGrad) and the control-point radii (host Adam here).
 *
 * Per step (StepHooks, engine/train/hooks.ts):
 *   beforeRender: control points at t (host, M x 12 floats) -> WarpGpu.forward on the canonical
 *                 means/quats -> a scratch GpuScene (warped means/quats; scales, opacities
 *                 and SH copied from the canonical scene on the GPU) -> the trainer renders it.
 *   afterBackward: copy vMeans/vQuats (w.r.t. warped) into the warp's cotangents ->
 *                 WarpGpu.backward -> canonical vMeans/vQuats written back into the trainer's
 *                 gradient buffers; control-point gradients -> rigidity term -> keyframes -> Adam.
 * Control points are placed by farthest-point sampling of the canonical Gaussians after a
 * static warm-up (SC-GS also warms up before placing them). Densification of the canonical
 * set is supported: when the count changes the warp buffers are rebuilt for the new rows
 * (the motion lives on the control points, not on the Gaussians, so nothing else moves).
 */
import type { Gpu } from '../gpu/acquire.js';
import { readF32, submit, writeBuffer } from '../gpu/buffers.js';
import { GpuScene, type GpuSceneGrads } from '../splat/gpu-scene.js';
import { sigmoid } from '../splat/scene.js';
import { HostAdam } from './adam.js';
import { buildArapGraph, type ArapGraph } from './arap.js';
import { controlPointsFromMeans, type ControlPoints } from './control-points.js';
import { controlPointsAt, createKeyframeMotion, scatterKeyframeGrad, temporalSmoothness, type KeyframeMotion } from './motion.js';
import { rigidityEnergy } from './rigidity.js';
import { CTRL_STRIDE, WarpGpu } from './warp.js';

export interface DeformOptions {
  /** Control points M (SC-GS: 512). */
  controlPoints: number;
  /** Control points blended per Gaussian (SC-GS: 4; Sparrow's warp default 3). */
  neighbours: number;
  /** Keyframes, spaced evenly over the training times; fewer keyframes than frames share each across several views. */
  keyframes: number;
  /** Static steps before the control points are placed (the canonical scene takes shape first). */
  warmupSteps: number;
  /** Adam step of keyframe translations, as a fraction of the scene extent; decays to 1/10 by the last step. */
  transLr: number;
  /** Adam step of keyframe quaternions (unnormalized, identity = (1,0,0,0)). */
  quatLr: number;
  /** Adam step of the log RBF radii. */
  radiusLr: number;
  /** Transform consistency of neighbouring control points at the frame's time (rigidity.ts). */
  rigidityWeight: number;
  /** Second-difference smoothness of the keyframes (motion.ts). */
  smoothWeight: number;
  /** Rebuild Gaussian -> control-point neighbour lists every this many steps (canonical means move). */
  knnInterval: number;
  /** Gaussians below this opacity are not sampled as control points (floaters of the warm-up). */
  minOpacity: number;
}

export const DEFAULT_DEFORM_OPTIONS: Readonly<DeformOptions> = Object.freeze({
  controlPoints: 256,
  neighbours: 3,
  keyframes: 12,
  warmupSteps: 100,
  transLr: 2e-3,
  quatLr: 2e-3,
  radiusLr: 1e-3,
  rigidityWeight: 1,
  smoothWeight: 1e-2,
  knnInterval: 50,
  minOpacity: 0.1,
});

/** Evenly spaced keyframe times over [min, max] of `times` (one keyframe when all are equal). */
export function keyframeTimes(times: number[], count: number): number[] {
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  if (!(hi > lo) || count <= 1) return [lo];
  return Array.from({ length: count }, (_, f) => lo + ((hi - lo) * f) / (count - 1));
}

export class DynamicDeformation {
  readonly opts: DeformOptions;
  ctrl?: ControlPoints;
  motion?: KeyframeMotion;
  private warp?: WarpGpu;
  private scratch?: GpuScene;
  private graph?: ArapGraph;
  private adamMotion?: HostAdam;
  private adamRadius?: HostAdam;
  private logRadius?: Float64Array;
  private stepsSinceKnn = Infinity;
  /** The canonical scene of the last warp: a new one (densification) has new rows, so new neighbours. */
  private lastScene?: GpuScene;
  /** Time of the frame rendered by the last warpTo (for the backward). */
  private lastTime = 0;

  constructor(
    readonly gpu: Gpu,
    /** Times of the training frames (keyframe range). */
    readonly trainTimes: number[],
    /** Scene extent (translation step scale). */
    readonly extent: number,
    /** Total training steps (learning-rate decay). */
    readonly totalSteps: number,
    opts: Partial<DeformOptions> = {},
  ) {
    this.opts = { ...DEFAULT_DEFORM_OPTIONS, ...opts };
    if (trainTimes.length === 0 || !trainTimes.every(Number.isFinite)) throw new Error('dynamic training needs a finite time on every training frame');
  }

  get active(): boolean {
    return this.motion !== undefined;
  }

  /** Place control points by FPS of the (opaque) canonical Gaussians; identity motion. */
  async initialize(scene: GpuScene): Promise<void> {
    const n = scene.count;
    const means = await readF32(this.gpu, scene.means, n * 3);
    const op = await readF32(this.gpu, scene.opacityLogits, n);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (sigmoid(op[i]) >= this.opts.minOpacity) keep.push(i);
    const src = keep.length >= this.opts.controlPoints ? Float32Array.from(keep.flatMap((i) => [means[i * 3], means[i * 3 + 1], means[i * 3 + 2]])) : means;
    const M = Math.min(this.opts.controlPoints, src.length / 3);
    if (M < this.opts.neighbours) throw new Error(`dynamic training: ${n} Gaussians are too few for ${this.opts.neighbours} neighbours per Gaussian`);
    this.ctrl = controlPointsFromMeans(src, M);
    this.motion = createKeyframeMotion(keyframeTimes(this.trainTimes, this.opts.keyframes), M, 'cubic');
    this.logRadius = Float64Array.from(this.ctrl.logRadius);
    this.graph = buildArapGraph(this.ctrl.positions, Math.min(10, M - 1));
    this.adamMotion = new HostAdam([this.motion.quats, this.motion.trans], 1);
    this.adamRadius = new HostAdam([this.logRadius], this.opts.radiusLr);
  }

  /** Buffers for `n` Gaussians (rebuilt after densification changes the count). */
  private ensureBuffers(n: number, shDegree: number): { warp: WarpGpu; scratch: GpuScene } {
    if (!this.warp || this.warp.n !== n || !this.scratch || this.scratch.shDegree !== shDegree) {
      this.warp?.dispose();
      this.scratch?.dispose();
      this.warp = new WarpGpu(this.gpu, n, this.ctrl!.count, this.opts.neighbours);
      this.scratch = new GpuScene(this.gpu, n, shDegree);
      this.stepsSinceKnn = Infinity;
    }
    return { warp: this.warp, scratch: this.scratch };
  }

  /** Control points at time t with the current radii. */
  controlPointsAt(t: number): ControlPoints<Float64Array> {
    const c = controlPointsAt(this.ctrl!, this.motion!, t);
    c.logRadius.set(this.logRadius!);
    return c;
  }

  /** The canonical `scene` warped to time t, in a scratch GpuScene owned by this object. */
  warpTo(scene: GpuScene, t: number, countStep = true): GpuScene {
    const { warp, scratch } = this.ensureBuffers(scene.count, scene.shDegree);
    this.lastTime = t;
    warp.setControlPoints(this.controlPointsAt(t));
    const n = scene.count;
    const rebuild = this.stepsSinceKnn >= this.opts.knnInterval || scene !== this.lastScene;
    this.lastScene = scene;
    if (countStep) this.stepsSinceKnn = rebuild ? 1 : this.stepsSinceKnn + 1;
    submit(this.gpu, (enc) => {
      enc.copyBufferToBuffer(scene.means, 0, warp.means, 0, n * 12);
      enc.copyBufferToBuffer(scene.quats, 0, warp.quats, 0, n * 16);
      const pass = enc.beginComputePass({ label: 'deform/warp' });
      if (rebuild) warp.neighbours(pass);
      warp.forward(pass);
      pass.end();
      enc.copyBufferToBuffer(warp.outMeans, 0, scratch.means, 0, n * 12);
      enc.copyBufferToBuffer(warp.outQuats, 0, scratch.quats, 0, n * 16);
      for (const f of ['logScales', 'opacityLogits', 'sh'] as const) enc.copyBufferToBuffer(scene.buffers[f], 0, scratch.buffers[f], 0, scene.buffers[f].size);
    });
    return scratch;
  }

  /**
   * `grads` holds the rasterizer's gradients w.r.t. the scene last returned by warpTo; replace
   * its vMeans/vQuats by the canonical ones and take one Adam step on the motion.
   * `step` is 1-based (learning-rate decay).
   */
  async backward(grads: GpuSceneGrads, step: number): Promise<void> {
    const warp = this.warp!;
    const n = warp.n;
    if (grads.count !== n) throw new Error(`deform backward: gradients for ${grads.count} Gaussians, warp holds ${n}`);
    submit(this.gpu, (enc) => {
      enc.copyBufferToBuffer(grads.vMeans, 0, warp.vOutMeans, 0, n * 12);
      enc.copyBufferToBuffer(grads.vQuats, 0, warp.vOutQuats, 0, n * 16);
    });
    warp.backward();
    const vg = await readF32(this.gpu, warp.vGaussians, n * 7); // [N, 7]: v_mean(3), v_quat(4)
    const vc = await readF32(this.gpu, warp.vCtrl, warp.m * CTRL_STRIDE); // [M, 12]
    const vMeans = new Float32Array(n * 3);
    const vQuats = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 3; a++) vMeans[i * 3 + a] = vg[i * 7 + a];
      for (let a = 0; a < 4; a++) vQuats[i * 4 + a] = vg[i * 7 + 3 + a];
    }
    writeBuffer(this.gpu, grads.vMeans, vMeans);
    writeBuffer(this.gpu, grads.vQuats, vQuats);
    this.stepMotion(vc, step);
  }

  /** Keyframe + radius Adam step from packed control-point gradients [M, 12] at lastTime. */
  private stepMotion(vc: Float32Array, step: number): void {
    const M = this.ctrl!.count;
    const motion = this.motion!;
    const t = this.lastTime;
    const vCq = new Float64Array(M * 4);
    const vCt = new Float64Array(M * 3);
    const vRadius = new Float64Array(M);
    for (let k = 0; k < M; k++) {
      vRadius[k] = vc[k * CTRL_STRIDE + 3];
      for (let a = 0; a < 4; a++) vCq[k * 4 + a] = vc[k * CTRL_STRIDE + 4 + a];
      for (let a = 0; a < 3; a++) vCt[k * 3 + a] = vc[k * CTRL_STRIDE + 8 + a];
    }
    if (this.opts.rigidityWeight > 0) {
      const c = this.controlPointsAt(t);
      rigidityEnergy(this.graph!, c.positions, c.quats, c.trans, vCq, vCt, this.opts.rigidityWeight / M);
    }
    const vKq = new Float64Array(motion.quats.length);
    const vKt = new Float64Array(motion.trans.length);
    scatterKeyframeGrad(motion, t, vCq, vCt, vKq, vKt);
    if (this.opts.smoothWeight > 0) temporalSmoothness(motion, this.opts.smoothWeight / M, vKq, vKt);
    // Exponential decay to 1/10 over the dynamic phase; translations scale with the scene.
    const u = Math.min(1, Math.max(0, (step - this.opts.warmupSteps) / Math.max(1, this.totalSteps - this.opts.warmupSteps)));
    const decay = 0.1 ** u;
    // One HostAdam at rate 1 for both keyframe groups; each group's update is then scaled by
    // its own rate (Adam is invariant to gradient scale, so the rate must act on the update).
    this.stepScaled(vKq, vKt, this.opts.quatLr * decay, this.opts.transLr * this.extent * decay);
    this.adamRadius!.lr = this.opts.radiusLr * decay;
    this.adamRadius!.step([vRadius]);
  }

  private stepScaled(vKq: Float64Array, vKt: Float64Array, lrQ: number, lrT: number): void {
    const motion = this.motion!;
    const q0 = motion.quats.slice();
    const t0 = motion.trans.slice();
    this.adamMotion!.lr = 1;
    this.adamMotion!.step([vKq, vKt]);
    for (let i = 0; i < q0.length; i++) motion.quats[i] = q0[i] + (motion.quats[i] - q0[i]) * lrQ;
    for (let i = 0; i < t0.length; i++) motion.trans[i] = t0[i] + (motion.trans[i] - t0[i]) * lrT;
  }

  dispose(): void {
    this.warp?.dispose();
    this.scratch?.dispose();
  }
}
