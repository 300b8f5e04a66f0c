/**
 * DropGaussian (Park et al., CVPR 2025): at each training step every Gaussian is dropped with
 * probability `rate` and the kept ones have their opacity scaled by 1 / (1 - rate), so the
 * expected opacity is unchanged while each kept Gaussian has to explain more of the photo
 * (against the co-adapted, overfitted Gaussians of sparse-view training). Evaluation and
 * every other render use the trained scene unchanged.
 *
 * Sparrow renders the step through StepHooks.beforeRender: a scratch GpuScene that shares
 * nothing with the trained one (means, scales, rotations and SH copied on the GPU, opacity
 * logits written by shaders/train/drop_gaussian_forward.wgsl); afterBackward maps the
 * rasterizer's opacity-logit gradient back (drop_gaussian_backward.wgsl). The other fields'
 * gradients need no mapping: they are the same parameters, and a dropped Gaussian (opacity
 * ~0, under ALPHA_MIN at every pixel) gets none. Densification statistics: a dropped
 * Gaussian still projects, so it counts as visible with a zero screen-space gradient that
 * step, as in the paper's code (its visibility filter is radius > 0, opacity not looked at).
 * Which Gaussians drop is a hash of (seed, step, index): a run repeats for its seed.
 * Reference and the capped compensation: reference/drop-gaussian-ref.ts.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createUniform, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';
import { GpuScene, fieldWidths } from '../../splat/gpu-scene.js';
import type { TrainState } from '../gpu-state.js';
import { DROP_OPACITY_CAP, DROPPED_LOGIT, type DropParams } from './reference/drop-gaussian-ref.js';

/** The highest drop rate accepted (compensation 1 / (1 - rate) <= 2). */
export const MAX_DROP_RATE = 0.5;

/**
 * Drop rate at a 1-based step: `rate` x the linear ramp from fraction `from` of the run over
 * fraction `ramp` of it (the paper: 0.2 x step / iterations, i.e. from 0, ramp 1).
 */
export function dropRateAt(step: number, iterations: number | undefined, rate: number, from: number, ramp: number): number {
  if (!(rate > 0)) return 0;
  if (!iterations || iterations <= 0) return rate;
  const f = step / iterations;
  if (f < from) return 0;
  return rate * (ramp > 0 ? Math.min(1, (f - from) / ramp) : 1);
}

/** The two kernels: the rendered scene's logits, and the gradient mapped back. */
export class DropGaussianKernels {
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.uniforms = createUniform(this.gpu, new Uint8Array(48), 'drop-gaussian/uniforms');
  }

  private writeUniforms(count: number, p: DropParams): void {
    if (!(p.rate >= 0 && p.rate <= MAX_DROP_RATE)) throw new Error(`DropGaussian: rate must be in [0, ${MAX_DROP_RATE}], got ${p.rate}`);
    const c = 1 / (1 - p.rate);
    const u = new ArrayBuffer(48);
    new Uint32Array(u, 0, 4).set([count, p.seed >>> 0, p.step >>> 0, 0]);
    new Float32Array(u, 16, 8).set([p.rate, Math.log(c), c - 1, Math.log(DROP_OPACITY_CAP / (1 - DROP_OPACITY_CAP)), DROPPED_LOGIT, DROP_OPACITY_CAP * (1 - DROP_OPACITY_CAP), 0, 0]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
  }

  /** Records droppedLogits [N] <- the rendered scene's logits from opacityLogits [N]. */
  encodeForward(encoder: GPUCommandEncoder, bufs: { opacityLogits: GPUBuffer; droppedLogits: GPUBuffer }, count: number, p: DropParams): void {
    if (count === 0) return;
    this.writeUniforms(count, p);
    const k = kernel(this.gpu, { shader: 'train/drop_gaussian_forward' });
    const pass = encoder.beginComputePass({ label: 'drop-gaussian/forward' });
    k.dispatch1d(pass, [k.bind([bufs.opacityLogits, bufs.droppedLogits, this.uniforms])], count, 256);
    pass.end();
  }

  /**
   * Records vOpacityLogits [N] <- dL/dl from dL/dl' (in place). The uniforms are rewritten, so
   * submit each encoder before encoding for another step.
   */
  encodeBackward(encoder: GPUCommandEncoder, bufs: { opacityLogits: GPUBuffer; droppedLogits: GPUBuffer; vOpacityLogits: GPUBuffer }, count: number, p: DropParams): void {
    if (count === 0) return;
    this.writeUniforms(count, p);
    const k = kernel(this.gpu, { shader: 'train/drop_gaussian_backward' });
    const pass = encoder.beginComputePass({ label: 'drop-gaussian/backward' });
    k.dispatch1d(pass, [k.bind([bufs.opacityLogits, bufs.droppedLogits, bufs.vOpacityLogits, this.uniforms])], count, 256);
    pass.end();
  }

  dispose(): void {
    this.uniforms.destroy();
  }
}

/** The trainer seam: beforeRender returns the dropped scene, afterBackward maps its gradient. */
export class DropGaussianHook {
  private readonly kernels: DropGaussianKernels;
  private scratch?: GpuScene;
  /** The step whose render used the scratch scene (cleared once its gradient is mapped). */
  private pending?: { step: number; params: DropParams; count: number };

  constructor(
    private readonly gpu: Gpu,
    private readonly schedule: { rate: number; from: number; ramp: number },
  ) {
    // Checked here, when the regularizers are set up, rather than at the first dropped step.
    const { rate, from, ramp } = schedule;
    if (!(rate >= 0 && rate <= MAX_DROP_RATE)) throw new Error(`DropGaussian: dropRate must be in [0, ${MAX_DROP_RATE}], got ${rate}`);
    if (!(from >= 0) || !(ramp >= 0)) throw new Error(`DropGaussian: dropFrom and dropRamp must be >= 0, got ${from} and ${ramp}`);
    this.kernels = new DropGaussianKernels(gpu);
  }

  /** The scene to render at `step`, or undefined (render the trained scene) while the rate is 0. */
  beforeRender(step: number, iterations: number | undefined, seed: number, scene: GpuScene): GpuScene | undefined {
    this.pending = undefined;
    const rate = dropRateAt(step, iterations, this.schedule.rate, this.schedule.from, this.schedule.ramp);
    if (rate <= 0 || scene.count === 0) return undefined;
    if (!this.scratch || this.scratch.count !== scene.count || this.scratch.shDegree !== scene.shDegree) {
      this.scratch?.dispose();
      this.scratch = new GpuScene(this.gpu, scene.count, scene.shDegree);
    }
    const params: DropParams = { rate, seed, step };
    const enc = this.gpu.device.createCommandEncoder({ label: 'drop-gaussian/scene' });
    const widths = fieldWidths(scene.shDegree);
    for (const f of ['means', 'logScales', 'quats', 'sh'] as const) enc.copyBufferToBuffer(scene.buffers[f], 0, this.scratch.buffers[f], 0, scene.count * widths[f] * 4);
    this.kernels.encodeForward(enc, { opacityLogits: scene.opacityLogits, droppedLogits: this.scratch.opacityLogits }, scene.count, params);
    this.gpu.device.queue.submit([enc.finish()]);
    this.pending = { step, params, count: scene.count };
    return this.scratch;
  }

  /**
   * Map the opacity-logit gradient of this step's render back to the trained logits. Must run
   * before anything else adds to state.grads (regularizers on the trained parameters).
   */
  afterBackward(step: number, state: TrainState): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.step !== step || !this.scratch || p.count !== state.count) return;
    const enc = this.gpu.device.createCommandEncoder({ label: 'drop-gaussian/backward' });
    this.kernels.encodeBackward(enc, { opacityLogits: state.scene.opacityLogits, droppedLogits: this.scratch.opacityLogits, vOpacityLogits: state.grads.vOpacityLogits }, state.count, p.params);
    this.gpu.device.queue.submit([enc.finish()]);
  }

  dispose(): void {
    this.kernels.dispose();
    this.scratch?.dispose();
  }
}
