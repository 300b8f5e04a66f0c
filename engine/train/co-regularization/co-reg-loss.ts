/**
 * CoR-GS pseudo-view co-regularization on the GPU: the two fields' renders A and B at one pseudo
 * camera, R = w·[(1 - λ)·L1(A, B) + λ·(1 - SSIM(A, B))], and the cotangents vA = dR/dA and
 * vB = dR/dB [H, W, 3] that each field's rasterizer backward consumes.
 * Both images are free (no stop-gradient): since L1 and SSIM are symmetric, dR/dA is the SSIM + L1
 * training-loss gradient of A against B held fixed, so SsimL1Loss runs twice with the roles
 * swapped, then shaders/train/scale_f32.wgsl multiplies by w.
 * Float64 twin: reference/co-reg-ref.ts.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createUniform, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';
import { SsimL1Loss } from '../ssim.js';

/** In place values[i] *= factor, i < count (shaders/train/scale_f32.wgsl). */
export class ScaleF32 {
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.uniforms = createUniform(gpu, new Uint8Array(16), 'scale-f32/uniforms');
  }

  /** Records the scale; the uniforms are written now, so one encoder holds one scale per instance. */
  encode(encoder: GPUCommandEncoder, values: GPUBuffer, count: number, factor: number): void {
    if (count === 0 || factor === 1) return;
    if (!Number.isFinite(factor)) throw new Error(`scale: factor must be finite, got ${factor}`);
    if (values.size < count * 4) throw new Error(`scale: buffer holds ${values.size} bytes, ${count} floats need ${count * 4}`);
    const u = new ArrayBuffer(16);
    new Uint32Array(u, 0, 1)[0] = count;
    new Float32Array(u, 4, 1)[0] = factor;
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/scale_f32' });
    const pass = encoder.beginComputePass({ label: 'scale-f32' });
    k.dispatch1d(pass, [k.bind([values, this.uniforms])], count, 256);
    pass.end();
  }

  dispose(): void {
    this.uniforms.destroy();
  }
}

export class CoRegLoss {
  private readonly loss: SsimL1Loss;
  private readonly scaleA: ScaleF32;
  private readonly scaleB: ScaleF32;

  constructor(gpu: Gpu, readonly width: number, readonly height: number, lambda?: number) {
    this.loss = new SsimL1Loss(gpu, width, height, lambda);
    this.scaleA = new ScaleF32(gpu);
    this.scaleB = new ScaleF32(gpu);
  }

  /**
   * Records vA = dR/dA and vB = dR/dB ([H, W, 3] f32, overwritten) and lossOut = [R / w, L1, SSIM]
   * (unweighted). The two SsimL1Loss passes share scratch; encoder order keeps them apart.
   */
  encode(encoder: GPUCommandEncoder, io: { colorA: GPUBuffer; colorB: GPUBuffer; vA: GPUBuffer; vB: GPUBuffer; lossOut: GPUBuffer }, weight: number): void {
    const n = this.width * this.height * 3;
    this.loss.encodeForwardBackward(encoder, io.colorA, io.colorB, io.vA, io.lossOut);
    this.scaleA.encode(encoder, io.vA, n, weight);
    this.loss.encodeForwardBackward(encoder, io.colorB, io.colorA, io.vB, io.lossOut);
    this.scaleB.encode(encoder, io.vB, n, weight);
  }

  dispose(): void {
    this.loss.dispose();
    this.scaleA.dispose();
    this.scaleB.dispose();
  }
}
