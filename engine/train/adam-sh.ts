/**
 * Adam for the SH buffer [N, K, 3], whose DC and higher bands have different learning rates
 * (shaders/train/adam_step_sh.wgsl). The general Adam (adam.ts) takes one rate per contiguous
 * range, and the DC terms are strided through the buffer. Reference: adamStepRef applied with
 * the DC rate to the first 3 values of each row and the higher-band rate to the rest.
 */
import type { Gpu } from '../gpu/acquire.js';
import { kernel } from '../gpu/kernel.js';
import { UniformCache } from '../gpu/scan.js';
import { ADAM_DEFAULTS, type AdamHyper } from './reference/adam-ref.js';

export class AdamSh {
  private readonly uniforms: UniformCache;
  readonly hyper: AdamHyper;

  constructor(private readonly gpu: Gpu, hyper: Partial<AdamHyper> = {}) {
    this.hyper = { ...ADAM_DEFAULTS, ...hyper };
    this.uniforms = new UniformCache(gpu, 'adam-sh/params');
  }

  /** Record one step over `count` Gaussians with `rowWidth` = K * 3 values each; `step` is 1-based. */
  encodeStep(encoder: GPUCommandEncoder, buffers: { params: GPUBuffer; grads: GPUBuffer; m: GPUBuffer; v: GPUBuffer }, count: number, rowWidth: number, lrDc: number, lrRest: number, step: number): void {
    if (!Number.isInteger(step) || step < 1) throw new Error(`AdamSh: step must be a positive integer (1-based), got ${step}`);
    const total = count * rowWidth;
    if (total <= 0) return;
    for (const [name, b] of Object.entries(buffers)) if (b.size < total * 4) throw new Error(`AdamSh: ${name} holds ${b.size} bytes, needs ${total * 4}`);
    const { beta1, beta2, eps } = this.hyper;
    const packed = new ArrayBuffer(48);
    new Uint32Array(packed, 0, 2).set([total, rowWidth]);
    new Float32Array(packed, 8, 8).set([beta1, 1 - beta1, beta2, 1 - beta2, eps, lrDc / (1 - beta1 ** step), 1 / Math.sqrt(1 - beta2 ** step), lrDc > 0 ? lrRest / lrDc : 0]);
    const uniform = this.uniforms.get(Array.from(new Uint32Array(packed)));
    const k = kernel(this.gpu, { shader: 'train/adam_step_sh' });
    const pass = encoder.beginComputePass({ label: 'adam-sh/step' });
    k.dispatch1d(pass, [k.bind([buffers.params, buffers.grads, buffers.m, buffers.v, uniform])], total, 256);
    pass.end();
  }

  dispose(): void {
    this.uniforms.dispose();
  }
}
