/**
 * Depth-correlation regularizer on the GPU (FSGS / SparseGS): Pearson correlation
 * between rendered depth and a prior depth map, over the whole image and over
 * 16x16 patches of a grid shifted each step. Three passes (see shaders/train/
 * depth_corr_*.wgsl); the reference is reference/depth-correlation-ref.ts.
 *
 * encode() adds dL/d(depth) into a depth cotangent buffer that the rasterizer's
 * backward consumes, and writes [.., loss at 7, global rho at 8] into `result`.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, createUniform, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';
import { DEPTH_PATCH } from './reference/depth-correlation-ref.js';

export interface DepthCorrelationWeights {
  /** Weight of 1 - rho over the whole image. */
  global: number;
  /** Weight of the mean of 1 - rho over patches. */
  patch: number;
  /** Patches with fewer valid pixels are skipped. */
  minPixels?: number;
  /** Variance floor (depth units squared) below which a patch counts as flat. */
  eps?: number;
}

export class DepthCorrelationLoss {
  readonly result: GPUBuffer;
  private readonly stats: GPUBuffer;
  private readonly uniforms: GPUBuffer;
  private readonly patchesX: number;
  private readonly patchesY: number;

  constructor(
    private readonly gpu: Gpu,
    readonly width: number,
    readonly height: number,
  ) {
    // Room for any offset in [0, PATCH): one extra patch row and column.
    this.patchesX = Math.ceil(width / DEPTH_PATCH) + 1;
    this.patchesY = Math.ceil(height / DEPTH_PATCH) + 1;
    this.stats = createStorage(gpu, this.patchesX * this.patchesY * 6 * 4, 'depth-corr/stats');
    this.result = createStorage(gpu, 16 * 4, 'depth-corr/result');
    this.uniforms = createUniform(gpu, new Uint8Array(48), 'depth-corr/uniforms');
  }

  /**
   * Record the three passes. `offset` shifts the patch grid (draw it per step in
   * [0, 16)). `confidence` [H, W] may be a buffer of ones.
   */
  encode(
    encoder: GPUCommandEncoder,
    buffers: { rendered: GPUBuffer; prior: GPUBuffer; confidence: GPUBuffer; vDepth: GPUBuffer },
    weights: DepthCorrelationWeights,
    offset: [number, number] = [0, 0],
  ): void {
    const ox = Math.floor(offset[0]) % DEPTH_PATCH;
    const oy = Math.floor(offset[1]) % DEPTH_PATCH;
    const px = Math.ceil((this.width + ox) / DEPTH_PATCH);
    const py = Math.ceil((this.height + oy) / DEPTH_PATCH);
    const u = new ArrayBuffer(48);
    new Uint32Array(u, 0, 6).set([this.width, this.height, ox, oy, px, py]);
    new Float32Array(u, 24, 6).set([weights.minPixels ?? 16, weights.eps ?? 1e-8, weights.global, weights.patch, 0, 0]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));

    const stats = kernel(this.gpu, { shader: 'train/depth_corr_stats' });
    const reduce = kernel(this.gpu, { shader: 'train/depth_corr_reduce' });
    const grad = kernel(this.gpu, { shader: 'train/depth_corr_grad' });
    const pass = encoder.beginComputePass({ label: 'depth-correlation' });
    stats.dispatch(pass, [stats.bind([buffers.rendered, buffers.prior, buffers.confidence, this.stats, this.uniforms])], px, py);
    reduce.dispatch(pass, [reduce.bind([this.stats, this.result, this.uniforms])], 1);
    grad.dispatch(
      pass,
      [grad.bind([buffers.rendered, buffers.prior, buffers.confidence, this.stats, this.result, buffers.vDepth, this.uniforms])],
      px,
      py,
    );
    pass.end();
  }

  dispose(): void {
    this.stats.destroy();
    this.result.destroy();
    this.uniforms.destroy();
  }
}
