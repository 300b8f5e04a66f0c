/**
 * Opacity decay (Binocular3DGS): after each optimizer step every opacity is multiplied by a
 * factor slightly below 1, so Gaussians the photos do not keep supporting fade out (against
 * floaters); supported ones are pushed back up by the photometric gradient.
 * GPU kernel: shaders/train/opacity_decay.wgsl; reference: reference/binocular-ref.ts.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createUniform, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';

export class OpacityDecay {
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.uniforms = createUniform(gpu, new Uint8Array(16), 'opacity-decay/uniforms');
  }

  /** Records sigmoid(l) <- factor * sigmoid(l) for `count` opacity logits [N]. */
  encode(encoder: GPUCommandEncoder, opacityLogits: GPUBuffer, count: number, factor: number): void {
    if (count === 0) return;
    if (!(factor > 0 && factor <= 1)) throw new Error(`opacity decay: factor must be in (0, 1], got ${factor}`);
    const u = new ArrayBuffer(16);
    new Uint32Array(u, 0, 2).set([count, 0]);
    new Float32Array(u, 8, 2).set([Math.log(factor), 1 - factor]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/opacity_decay' });
    const pass = encoder.beginComputePass({ label: 'opacity-decay' });
    k.dispatch1d(pass, [k.bind([opacityLogits, this.uniforms])], count, 256);
    pass.end();
  }

  dispose(): void {
    this.uniforms.destroy();
  }
}
