/**
 * Shape and opacity regularizers on the GPU (against needles, huge splats and
 * floaters in sparse-view training). Adds its gradients into the trainer's
 * vLogScales / vOpacityLogits buffers; see reference/shape-ref.ts for the math.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, createUniform, readF32, writeBuffer } from '../../gpu/buffers.js';
import { grid1d, kernel } from '../../gpu/kernel.js';
import type { ShapeRegParams } from './reference/shape-ref.js';

const WG = 128;

export class ShapeRegularizer {
  private partial: GPUBuffer;
  private partialCount = 0;
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.partial = createStorage(gpu, 4, 'shape-reg/partial');
    this.uniforms = createUniform(gpu, new Uint8Array(32), 'shape-reg/uniforms');
  }

  encode(
    encoder: GPUCommandEncoder,
    count: number,
    buffers: { logScales: GPUBuffer; opacityLogits: GPUBuffer; vLogScales: GPUBuffer; vOpacityLogits: GPUBuffer },
    prm: ShapeRegParams,
  ): void {
    if (count === 0) return;
    const [gx, gy] = grid1d(count, WG, this.gpu.device.limits.maxComputeWorkgroupsPerDimension);
    if (gx * gy > this.partialCount) {
      this.partial.destroy();
      this.partialCount = gx * gy;
      this.partial = createStorage(this.gpu, this.partialCount * 4, 'shape-reg/partial');
    }
    const u = new ArrayBuffer(32);
    new Uint32Array(u, 0, 2).set([count, 0]);
    new Float32Array(u, 8, 6).set([1 / count, prm.wRatio, prm.maxRatio, prm.wHuge, prm.maxScale, prm.wOpacity]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/shape_reg' });
    const pass = encoder.beginComputePass({ label: 'shape-reg' });
    k.dispatch(pass, [k.bind([buffers.logScales, buffers.opacityLogits, buffers.vLogScales, buffers.vOpacityLogits, this.partial, this.uniforms])], gx, gy);
    pass.end();
    this.lastWorkgroups = gx * gy;
  }

  private lastWorkgroups = 0;

  /** The loss of the last encode (reads back; for logging, not every step). */
  async readLoss(): Promise<number> {
    const parts = await readF32(this.gpu, this.partial, this.lastWorkgroups);
    let s = 0;
    for (const p of parts) s += p;
    return s;
  }

  dispose(): void {
    this.partial.destroy();
    this.uniforms.destroy();
  }
}
