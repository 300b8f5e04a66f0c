/**
 * Adam on the GPU (shaders/train/adam_step.wgsl): one dispatch per parameter group, learning
 * rate per group and per step, gradients zeroed after the step. Float64 twin:
 * engine/train/reference/adam-ref.ts (torch.optim.Adam; 3DGS uses ε = 1e-15).
 *
 * A group is a range [offset, offset + count) of a flat f32 parameter buffer with its gradient
 * buffer (plain f32, or atomic<u32> accumulators holding f32 bit patterns: same bytes) and its
 * moment buffers m, v of the same layout. Moments start at zero (createMoments).
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage } from '../gpu/buffers.js';
import { kernel } from '../gpu/kernel.js';
import { UniformCache } from '../gpu/scan.js';
import { ADAM_DEFAULTS, type AdamHyper } from './reference/adam-ref.js';

export interface AdamGroup {
  /** [>= offset + count] f32, updated in place. */
  params: GPUBuffer;
  /** [>= offset + count] f32 bit patterns; zeroed by the step. */
  grads: GPUBuffer;
  /** First and second moments, same layout as params. */
  m: GPUBuffer;
  v: GPUBuffer;
  /** Number of f32 values in the group. */
  count: number;
  /** First value of the group in the buffers (default 0). */
  offset?: number;
}

export class Adam {
  readonly hyper: AdamHyper;
  private readonly uniforms: UniformCache;

  private readonly maxBindingBytes: number;

  /** options.maxBindingBytes: largest buffer range bound at once (default: the device limit; tests lower it). */
  constructor(
    private readonly gpu: Gpu,
    hyper: Partial<AdamHyper> = {},
    options: { maxBindingBytes?: number } = {},
  ) {
    this.hyper = { ...ADAM_DEFAULTS, ...hyper };
    this.maxBindingBytes = options.maxBindingBytes ?? gpu.device.limits.maxStorageBufferBindingSize;
    this.uniforms = new UniformCache(gpu, 'adam/params');
  }

  /** Zeroed m and v buffers for `count` parameters (fresh storage is zero-initialised by WebGPU). */
  createMoments(count: number, label = 'adam'): { m: GPUBuffer; v: GPUBuffer } {
    return { m: createStorage(this.gpu, count * 4, `${label}/m`), v: createStorage(this.gpu, count * 4, `${label}/v`) };
  }

  /**
   * Record one Adam step of `group` with learning rate `lr`; `step` is the 1-based step count used
   * for bias correction (pass the same step to every group of one iteration).
   */
  encodeStep(encoder: GPUCommandEncoder, group: AdamGroup, lr: number, step: number): void {
    const offset = group.offset ?? 0;
    const { count } = group;
    if (!Number.isInteger(step) || step < 1) throw new Error(`Adam: step must be a positive integer (1-based), got ${step}`);
    if (!Number.isFinite(lr)) throw new Error(`Adam: learning rate must be finite, got ${lr}`);
    if (count <= 0) return;
    const need = (offset + count) * 4;
    for (const [name, b] of [['params', group.params], ['grads', group.grads], ['m', group.m], ['v', group.v]] as const) {
      if (b.size < need) throw new Error(`Adam: ${name} holds ${b.size} bytes, the group needs ${need}`);
    }
    const { beta1, beta2, eps } = this.hyper;
    const k = kernel(this.gpu, { shader: 'train/adam_step' });
    const pass = encoder.beginComputePass({ label: 'adam/step' });
    // Buffers past the device's binding limit (1M Gaussians x 59 floats = 236 MB > 128 MiB on
    // llvmpipe) are stepped in aligned sub-range bindings.
    for (const c of bindingChunks(offset, count, this.maxBindingBytes, this.gpu.device.limits.minStorageBufferOffsetAlignment)) {
      // Layout of AdamParams in adam_step.wgsl; 1 - beta and the bias corrections in float64.
      const packed = new ArrayBuffer(48);
      new Uint32Array(packed, 0, 2).set([c.count, c.localOffset]);
      new Float32Array(packed, 8, 7).set([beta1, 1 - beta1, beta2, 1 - beta2, eps, lr / (1 - beta1 ** step), 1 / Math.sqrt(1 - beta2 ** step)]);
      const uniform = this.uniforms.get(Array.from(new Uint32Array(packed)));
      const range = (buffer: GPUBuffer): GPUBufferBinding => ({ buffer, offset: c.bindOffset, size: c.bindSize });
      k.dispatch1d(pass, [k.bind([range(group.params), range(group.grads), range(group.m), range(group.v), uniform])], c.count, 256);
    }
    pass.end();
  }

  /** Record one step of every group (each with its own learning rate) at the same step count. */
  encodeSteps(encoder: GPUCommandEncoder, groups: { group: AdamGroup; lr: number }[], step: number): void {
    for (const { group, lr } of groups) this.encodeStep(encoder, group, lr, step);
  }

  dispose(): void {
    this.uniforms.dispose();
  }
}

export interface BindingChunk {
  /** Byte offset and size of the binding (offset aligned to the device's storage offset alignment). */
  bindOffset: number;
  bindSize: number;
  /** First element of the chunk inside the binding, and the chunk's element count. */
  localOffset: number;
  count: number;
}

/**
 * Split elements [start, start + count) of 4-byte values into bindable ranges of at most
 * maxBindingBytes whose byte offsets are multiples of `alignment`.
 */
export function bindingChunks(start: number, count: number, maxBindingBytes: number, alignment: number): BindingChunk[] {
  const maxElems = Math.floor(maxBindingBytes / alignment) * (alignment / 4);
  if (maxElems <= alignment / 4) throw new Error(`bindingChunks: binding limit ${maxBindingBytes} is too small for alignment ${alignment}`);
  const chunks: BindingChunk[] = [];
  const end = start + count;
  for (let s = start; s < end; ) {
    const aligned = Math.floor((s * 4) / alignment) * (alignment / 4);
    const localOffset = s - aligned;
    const n = Math.min(end - s, maxElems - localOffset);
    chunks.push({ bindOffset: aligned * 4, bindSize: (localOffset + n) * 4, localOffset, count: n });
    s += n;
  }
  return chunks;
}
