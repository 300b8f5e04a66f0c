/**
 * GPU prefix sum of u32 values (wrapping mod 2^32), any length.
 *
 * Reduce-then-scan in three dispatches (shaders/sort/scan_*.wgsl), each over blocks
 * of 1024 elements (256 invocations x 4 items):
 *   scan_reduce     block_sums[b] = sum of block b
 *   scan_spine      exclusive scan of block_sums by one workgroup (walks them in chunks)
 *   scan_downsweep  scan inside each block + block offset -> output
 * Compat-mode limits: 256 invocations, 1 KiB workgroup memory, <= 3 storage buffers.
 *
 * `encode` only records commands; the caller submits. Several encodes may share one
 * command encoder (each gets its own uniform; the block-sum scratch is reused in order).
 */
import type { Gpu } from './acquire.js';
import { createStorage, Usage, writeBuffer } from './buffers.js';
import { grid1d, kernel } from './kernel.js';

/** Elements per workgroup block in the scan kernels (SCAN_BLOCK in scan_params.wgsl). */
export const SCAN_BLOCK = 1024;

export class PrefixSum {
  private blockSums: GPUBuffer | undefined;
  /** Buffers replaced by larger ones: an unsubmitted encoder may still use them, so they die with dispose(). */
  private readonly retired: GPUBuffer[] = [];
  private readonly params: UniformCache;
  private readonly maxGroupsPerDim: number;

  /** options.maxWorkgroupsPerDimension: fold the grid into 2-D past this (tests force it small). */
  constructor(
    private readonly gpu: Gpu,
    options: { maxWorkgroupsPerDimension?: number } = {},
  ) {
    this.params = new UniformCache(gpu, 'scan/params');
    this.maxGroupsPerDim = options.maxWorkgroupsPerDimension ?? gpu.device.limits.maxComputeWorkgroupsPerDimension;
  }

  /**
   * Record output[i] = sum(input[0..i)) (exclusive) or sum(input[0..=i]) (inclusive) for i < count.
   * input, output: [>= count] u32 storage buffers; they may be the same buffer (in-place scan).
   */
  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer, count: number, exclusive = true): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`PrefixSum: count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    if (input.size < count * 4 || output.size < count * 4) {
      throw new Error(`PrefixSum: buffers hold ${input.size / 4} / ${output.size / 4} u32 but count is ${count}`);
    }
    const numBlocks = Math.ceil(count / SCAN_BLOCK);
    const blockSums = this.ensureBlockSums(numBlocks);
    const params = this.params.get([count, numBlocks, exclusive ? 0 : 1, 0]);
    const inPlace = input === output;

    const reduce = kernel(this.gpu, { shader: 'sort/scan_reduce' });
    const spine = kernel(this.gpu, { shader: 'sort/scan_spine' });
    const down = kernel(this.gpu, { shader: 'sort/scan_downsweep', defines: inPlace ? { IN_PLACE: true } : {} });
    const [gx, gy] = grid1d(numBlocks, 1, this.maxGroupsPerDim);

    const pass = encoder.beginComputePass({ label: 'prefix-sum' });
    reduce.dispatch(pass, [reduce.bind([input, blockSums, params])], gx, gy);
    spine.dispatch(pass, [spine.bind([blockSums, params])], 1);
    const downBind = inPlace ? down.bind([output, blockSums, params]) : down.bind([input, blockSums, params, output]);
    down.dispatch(pass, [downBind], gx, gy);
    pass.end();
  }

  dispose(): void {
    this.blockSums?.destroy();
    this.blockSums = undefined;
    for (const b of this.retired) b.destroy();
    this.retired.length = 0;
    this.params.dispose();
  }

  private ensureBlockSums(numBlocks: number): GPUBuffer {
    if (!this.blockSums || this.blockSums.size < numBlocks * 4) {
      if (this.blockSums) this.retired.push(this.blockSums);
      this.blockSums = createStorage(this.gpu, grownSize(numBlocks) * 4, 'scan/block-sums');
    }
    return this.blockSums;
  }
}

/** Capacity with headroom so slowly growing counts do not reallocate every call. */
export function grownSize(n: number): number {
  return Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(n, 1))));
}

/**
 * Small uniform buffers keyed by their u32 contents, least-recently-used first out.
 *
 * queue.writeBuffer lands before the next submit, so one shared uniform rewritten by two
 * encodes in the same command encoder would give both the second value. Keying by content
 * gives every distinct parameter set its own buffer; eviction destroys a buffer, which is
 * safe once the encoder that used it was submitted (capacity >> uses per encoder).
 */
export class UniformCache {
  private readonly entries = new Map<string, GPUBuffer>();

  constructor(
    private readonly gpu: Gpu,
    private readonly label: string,
    private readonly capacity = 128,
  ) {}

  get(words: number[]): GPUBuffer {
    const key = words.join(',');
    let buffer = this.entries.get(key);
    if (buffer) {
      this.entries.delete(key); // re-insert: Map order is recency order
    } else {
      const bytes = Math.max(16, Math.ceil((words.length * 4) / 16) * 16);
      buffer = this.gpu.device.createBuffer({ label: this.label, size: bytes, usage: Usage.UNIFORM | Usage.COPY_DST });
      writeBuffer(this.gpu, buffer, new Uint32Array(words));
      if (this.entries.size >= this.capacity) {
        const [oldKey, old] = this.entries.entries().next().value as [string, GPUBuffer];
        this.entries.delete(oldKey);
        old.destroy();
      }
    }
    this.entries.set(key, buffer);
    return buffer;
  }

  dispose(): void {
    for (const b of this.entries.values()) b.destroy();
    this.entries.clear();
  }
}
