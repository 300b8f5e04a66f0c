/**
 * Photometric training loss on the GPU: loss = (1 - λ)·L1 + λ·(1 - SSIM), λ = 0.2, with its
 * gradient with respect to the rendered image.
 *
 * SSIM: 11x11 Gaussian window (σ = 1.5), C1 = 0.01², C2 = 0.03², 'same'-size map with ZERO-PADDED
 * borders, averaged over pixels and channels: the 3DGS reference's `ssim()` (F.conv2d, padding 5).
 * Optional per-pixel weights w [H, W] (masks, alpha): L1 and SSIM become weighted means
 * Σ w·(...) / (3 Σ w); with w ≡ 1 this is exactly the unweighted loss.
 * Float64 twin: engine/train/reference/ssim-ref.ts.
 *
 * Kernels (shaders/train/ssim_*.wgsl), separable blur in each direction, one invocation per pixel:
 *   ssim_fwd_h   blur_h of x, y, x², y², xy                      -> planes   [5, H, W, 3]
 *   ssim_fwd_v   blur_v -> SSIM map, w·∂S/∂(mu1, E[x²], E[xy])   -> dplanes  [3, H, W, 3], per-tile sums
 *   ssim_reduce  tile sums -> lossOut [loss, L1, SSIM], norm = 1 / (3 Σ w)
 *   ssim_bwd_h   blur_h of dplanes                                -> planes[0..3)
 *   ssim_bwd_v   blur_v + L1 sign term, times norm                -> vRendered [H, W, 3]
 * Scratch: 8 planes of H·W·3 f32 (96 bytes per pixel: 61 MB at 800x800) plus 16 bytes per 16x16 tile.
 * (A fused variant staging 16x16 tiles + halo in workgroup memory, 3 planes of scratch, measured
 * ~1.5x slower on llvmpipe, so it was dropped.)
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, createUniform } from '../gpu/buffers.js';
import { kernel, type Defines } from '../gpu/kernel.js';
import { SSIM_LAMBDA } from './reference/ssim-ref.js';

const TILE = 16;

export class SsimL1Loss {
  /** [5, H, W, 3] f32: forward row-blurred moments; the first 3 planes are reused by the backward. */
  private readonly planes: GPUBuffer;
  /** [3, H, W, 3] f32: per-pixel (weighted) partial derivatives of the SSIM map. */
  private readonly dplanes: GPUBuffer;
  /** [tilesX * tilesY] vec4 f32: per-workgroup sums of w·S, w·|x - y|, w. */
  private readonly partials: GPUBuffer;
  /** [1] f32: 1 / (3 Σ w), written by the forward, read by the backward. */
  private readonly norm: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly tilesX: number;
  private readonly tilesY: number;
  readonly pixels: number;

  /** Scratch bytes per pixel (the planes); plus 16 bytes per 16x16 tile. */
  static readonly bytesPerPixel = 8 * 3 * 4;

  constructor(
    private readonly gpu: Gpu,
    readonly width: number,
    readonly height: number,
    readonly lambda = SSIM_LAMBDA,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`SsimL1Loss: image size must be positive integers, got ${width}x${height}`);
    }
    this.pixels = width * height;
    const planeBytes = this.pixels * 3 * 4;
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    if (5 * planeBytes > limit) {
      throw new Error(`SsimL1Loss: ${width}x${height} needs a ${5 * planeBytes}-byte scratch binding; this device allows ${limit}`);
    }
    this.tilesX = Math.ceil(width / TILE);
    this.tilesY = Math.ceil(height / TILE);
    const numPartials = this.tilesX * this.tilesY;
    this.planes = createStorage(gpu, 5 * planeBytes, 'ssim/planes');
    this.dplanes = createStorage(gpu, 3 * planeBytes, 'ssim/dplanes');
    this.partials = createStorage(gpu, numPartials * 16, 'ssim/partials');
    this.norm = createStorage(gpu, 4, 'ssim/norm');
    // SsimParams in ssim_common.wgsl.
    const p = new ArrayBuffer(16);
    new Uint32Array(p, 0, 3).set([width, height, numPartials]);
    new Float32Array(p, 12, 1).set([lambda]);
    this.params = createUniform(gpu, new Uint8Array(p), 'ssim/params');
  }

  /**
   * Record the loss only. rendered, target: [H, W, 3] f32; lossOut: [>= 3] f32 <- (loss, L1, SSIM);
   * weights: optional [H, W] f32 per-pixel weights (>= 0). All-zero weights give (0, 0, 1).
   */
  encodeForward(encoder: GPUCommandEncoder, rendered: GPUBuffer, target: GPUBuffer, lossOut: GPUBuffer, weights?: GPUBuffer): void {
    this.checkSize(rendered, 3, 'rendered');
    this.checkSize(target, 3, 'target');
    if (lossOut.size < 12) throw new Error(`SsimL1Loss: lossOut holds ${lossOut.size} bytes, needs 12`);
    if (weights) this.checkSize(weights, 1, 'weights');
    const defines: Defines = weights ? { WEIGHTED: true } : {};
    const fwdH = kernel(this.gpu, { shader: 'train/ssim_fwd_h' });
    const fwdV = kernel(this.gpu, { shader: 'train/ssim_fwd_v', defines });
    const reduce = kernel(this.gpu, { shader: 'train/ssim_reduce' });
    const fwdVBuffers = [this.planes, rendered, target, this.dplanes, this.partials, this.params];
    const pass = encoder.beginComputePass({ label: 'ssim-l1/forward' });
    fwdH.dispatch(pass, [fwdH.bind([rendered, target, this.planes, this.params])], this.tilesX, this.tilesY);
    fwdV.dispatch(pass, [fwdV.bind(weights ? [...fwdVBuffers, weights] : fwdVBuffers)], this.tilesX, this.tilesY);
    reduce.dispatch(pass, [reduce.bind([this.partials, lossOut, this.norm, this.params])], 1);
    pass.end();
  }

  /**
   * Record the loss and its gradient. vRendered: [H, W, 3] f32 <- dLoss/dRendered (overwritten,
   * not accumulated); lossOut: [>= 3] f32 <- (loss, L1, SSIM); weights as in encodeForward (the
   * gradient does not flow into the weights).
   */
  encodeForwardBackward(encoder: GPUCommandEncoder, rendered: GPUBuffer, target: GPUBuffer, vRendered: GPUBuffer, lossOut: GPUBuffer, weights?: GPUBuffer): void {
    this.checkSize(vRendered, 3, 'vRendered');
    this.encodeForward(encoder, rendered, target, lossOut, weights);
    const bwdH = kernel(this.gpu, { shader: 'train/ssim_bwd_h' });
    const bwdV = kernel(this.gpu, { shader: 'train/ssim_bwd_v', defines: (weights ? { WEIGHTED: true } : {}) as Defines });
    const bwdVBuffers = [this.planes, rendered, target, vRendered, this.norm, this.params];
    const pass = encoder.beginComputePass({ label: 'ssim-l1/backward' });
    bwdH.dispatch(pass, [bwdH.bind([this.dplanes, this.planes, this.params])], this.tilesX, this.tilesY);
    bwdV.dispatch(pass, [bwdV.bind(weights ? [...bwdVBuffers, weights] : bwdVBuffers)], this.tilesX, this.tilesY);
    pass.end();
  }

  dispose(): void {
    for (const b of [this.planes, this.dplanes, this.partials, this.norm, this.params]) b.destroy();
  }

  private checkSize(buffer: GPUBuffer, channels: number, name: string): void {
    const need = this.pixels * channels * 4;
    if (buffer.size < need) {
      throw new Error(`SsimL1Loss: ${name} holds ${buffer.size} bytes, a ${this.width}x${this.height}x${channels} f32 image needs ${need}`);
    }
  }
}
