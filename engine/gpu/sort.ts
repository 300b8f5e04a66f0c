/**
 * GPU radix sort of u32 (key, value) pairs: stable, least-significant digit first, 4-bit
 * digits, only ceil(bits / 4) passes. Each pass (shaders/sort/sort_*.wgsl):
 *   sort_count    per-tile 16-bin digit histogram, stored digit-major [16, numTiles]
 *   (PrefixSum)   exclusive scan of that array = first output slot of each (digit, tile)
 *   sort_scatter  stable in-tile ranking (packed counters scanned across the workgroup) + write
 *                 (optionally staged in workgroup memory first for coalesced writes)
 * Tiles are 1024 pairs. Passes ping-pong between the caller's buffers and internal scratch;
 * an odd pass count ends with a copy back, so the result is always in `keys` / `values`.
 * Compat-mode limits: 256 invocations, 9.1 KiB workgroup memory, 5 storage buffers.
 *
 * Keys are compared by their low `bits` bits only; higher bits are carried along untouched.
 */
import type { Gpu } from './acquire.js';
import { createStorage } from './buffers.js';
import { grid1d, kernel } from './kernel.js';
import { grownSize, PrefixSum, UniformCache } from './scan.js';

/** Pairs per workgroup tile (SORT_TILE in sort_params.wgsl). */
export const SORT_TILE = 1024;
const DIGIT_BITS = 4;
const BINS = 1 << DIGIT_BITS;

export class RadixSorter {
  private readonly scan: PrefixSum;
  private readonly params: UniformCache;
  private scratchKeys: GPUBuffer | undefined;
  private scratchValues: GPUBuffer | undefined;
  private tileCounts: GPUBuffer | undefined;
  private tileOffsets: GPUBuffer | undefined;
  /** Replaced scratch: an unsubmitted encoder may still reference it, so it lives until dispose(). */
  private readonly retired: GPUBuffer[] = [];

  /** Whether the scatter stages each tile in workgroup memory to write coalesced (see sort_scatter.wgsl). */
  readonly localSort: boolean;
  private readonly maxGroupsPerDim: number;

  /**
   * options.localSort: stage tiles in workgroup memory before writing. Default: on for native
   * backends (coalesced writes), off for CPU adapters and the OpenGL ES fallback (llvmpipe, where
   * it is about 2x slower; Dawn's GL adapter info does not name llvmpipe, so isSoftware misses it).
   * options.maxWorkgroupsPerDimension: fold the grid into 2-D past this (tests force it small).
   */
  constructor(
    private readonly gpu: Gpu,
    options: { localSort?: boolean; maxWorkgroupsPerDimension?: number } = {},
  ) {
    this.localSort = options.localSort ?? !(gpu.report.isSoftware || gpu.report.backend === 'opengles');
    this.maxGroupsPerDim = options.maxWorkgroupsPerDimension ?? gpu.device.limits.maxComputeWorkgroupsPerDimension;
    this.scan = new PrefixSum(gpu, options);
    this.params = new UniformCache(gpu, 'sort/params');
  }

  /**
   * Record a stable sort of keys[0..count) (with values[0..count) alongside) by key & ((1 << bits) - 1).
   * keys, values: [>= count] u32 storage buffers (COPY_SRC | COPY_DST usage as from createStorage).
   */
  encode(encoder: GPUCommandEncoder, keys: GPUBuffer, values: GPUBuffer, count: number, bits: number): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`RadixSorter: count must be a non-negative integer, got ${count}`);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`RadixSorter: bits must be an integer in 0..32, got ${bits}`);
    if (keys.size < count * 4 || values.size < count * 4) {
      throw new Error(`RadixSorter: buffers hold ${keys.size / 4} keys / ${values.size / 4} values but count is ${count}`);
    }
    if (keys === values) throw new Error('RadixSorter: keys and values must be different buffers');
    const passes = Math.ceil(bits / DIGIT_BITS);
    if (count <= 1 || passes === 0) return;

    const numTiles = Math.ceil(count / SORT_TILE);
    this.ensureScratch(count, numTiles);
    const countKernel = kernel(this.gpu, { shader: 'sort/sort_count' });
    const scatter = kernel(this.gpu, { shader: 'sort/sort_scatter', defines: this.localSort ? { LOCAL_SORT: true } : {} });
    const [gx, gy] = grid1d(numTiles, 1, this.maxGroupsPerDim);
    const tileCounts = this.tileCounts!;
    const tileOffsets = this.tileOffsets!;

    let srcKeys = keys;
    let srcValues = values;
    let dstKeys = this.scratchKeys!;
    let dstValues = this.scratchValues!;
    for (let p = 0; p < passes; p++) {
      const shift = p * DIGIT_BITS;
      const digitBits = Math.min(DIGIT_BITS, bits - shift);
      const params = this.params.get([count, numTiles, shift, (1 << digitBits) - 1]);

      let pass = encoder.beginComputePass({ label: `radix-sort/count ${p}` });
      countKernel.dispatch(pass, [countKernel.bind([srcKeys, tileCounts, params])], gx, gy);
      pass.end();
      this.scan.encode(encoder, tileCounts, tileOffsets, BINS * numTiles, true);
      pass = encoder.beginComputePass({ label: `radix-sort/scatter ${p}` });
      scatter.dispatch(pass, [scatter.bind([srcKeys, srcValues, tileOffsets, dstKeys, dstValues, params])], gx, gy);
      pass.end();

      [srcKeys, dstKeys] = [dstKeys, srcKeys];
      [srcValues, dstValues] = [dstValues, srcValues];
    }
    if (srcKeys !== keys) {
      encoder.copyBufferToBuffer(srcKeys, 0, keys, 0, count * 4);
      encoder.copyBufferToBuffer(srcValues, 0, values, 0, count * 4);
    }
  }

  /**
   * Record keys[i] = order-preserving u32 of floats[i] for i < count (shaders/sort/float_keys.wgsl),
   * so f32 depths can be sorted with bits = 32. floats: [count] f32, keys: [count] u32.
   */
  encodeFloatKeys(encoder: GPUCommandEncoder, floats: GPUBuffer, keys: GPUBuffer, count: number): void {
    if (count <= 0) return;
    const k = kernel(this.gpu, { shader: 'sort/float_keys' });
    const pass = encoder.beginComputePass({ label: 'radix-sort/float-keys' });
    k.dispatch1d(pass, [k.bind([floats, keys, this.params.get([count, 0, 0, 0])])], count, 256);
    pass.end();
  }

  dispose(): void {
    for (const b of [this.scratchKeys, this.scratchValues, this.tileCounts, this.tileOffsets, ...this.retired]) b?.destroy();
    this.scratchKeys = this.scratchValues = this.tileCounts = this.tileOffsets = undefined;
    this.retired.length = 0;
    this.scan.dispose();
    this.params.dispose();
  }

  private ensureScratch(count: number, numTiles: number): void {
    if (!this.scratchKeys || this.scratchKeys.size < count * 4) {
      if (this.scratchKeys) this.retired.push(this.scratchKeys, this.scratchValues!);
      const n = grownSize(count);
      this.scratchKeys = createStorage(this.gpu, n * 4, 'sort/scratch-keys');
      this.scratchValues = createStorage(this.gpu, n * 4, 'sort/scratch-values');
    }
    if (!this.tileCounts || this.tileCounts.size < BINS * numTiles * 4) {
      if (this.tileCounts) this.retired.push(this.tileCounts, this.tileOffsets!);
      const n = BINS * grownSize(numTiles);
      this.tileCounts = createStorage(this.gpu, n * 4, 'sort/tile-counts');
      this.tileOffsets = createStorage(this.gpu, n * 4, 'sort/tile-offsets');
    }
  }
}

/** Order-preserving f32 -> u32 key (CPU twin of shaders/sort/float_key.wgsl): a < b <=> key(a) < key(b). */
export function floatToSortableU32(f: number): number {
  const bits = floatBits(f);
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/** Inverse of floatToSortableU32. */
export function sortableU32ToFloat(u: number): number {
  const bits = (u & 0x80000000 ? u & 0x7fffffff : ~u) >>> 0;
  scratchU32[0] = bits;
  return scratchF32[0];
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);
function floatBits(f: number): number {
  scratchF32[0] = f;
  return scratchU32[0];
}
