/**
 * Row gathers for densification (shaders/train/gather_rows.wgsl): build new parameter and Adam
 * moment buffers from one index list so they stay row-aligned.
 *   clone / duplicate  an index repeated
 *   prune              an index left out
 *   fresh state        ZERO_ROW (zeros: e.g. moments of new Gaussians, as 3DGS and gsplat do)
 * Rows are `rowSize` 32-bit words (means 3, quats 4, opacity 1, SH 3K, ...).
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, uploadStorage } from '../gpu/buffers.js';
import { kernel } from '../gpu/kernel.js';
import { UniformCache } from '../gpu/scan.js';

/** Index meaning "a row of zeros". */
export const ZERO_ROW = 0xffffffff;

export class RowGather {
  private readonly uniforms: UniformCache;
  private readonly maxBindingBytes: number;

  /** options.maxBindingBytes: largest buffer range bound at once (default: the device limit; tests lower it). */
  constructor(
    private readonly gpu: Gpu,
    options: { maxBindingBytes?: number } = {},
  ) {
    this.uniforms = new UniformCache(gpu, 'gather/params');
    this.maxBindingBytes = options.maxBindingBytes ?? gpu.device.limits.maxStorageBufferBindingSize;
  }

  /**
   * Record dst[r, :] = src[indices[r], :] for r < numRows (zeros for ZERO_ROW or indices >= srcRows).
   * src: [srcRows, rowSize], indices: [numRows] u32, dst: [numRows, rowSize]; dst !== src.
   * Buffers past the binding limit (1M Gaussians x 48 SH floats = 192 MB > 128 MiB on llvmpipe)
   * are processed in row ranges: one dispatch per (destination range, source range).
   */
  encode(encoder: GPUCommandEncoder, src: GPUBuffer, dst: GPUBuffer, rowSize: number, indices: GPUBuffer, numRows: number, srcRows: number): void {
    if (!Number.isInteger(rowSize) || rowSize < 1) throw new Error(`gatherRows: rowSize must be a positive integer, got ${rowSize}`);
    if (src === dst) throw new Error('gatherRows: src and dst must be different buffers');
    if (numRows <= 0) return;
    if (dst.size < numRows * rowSize * 4) throw new Error(`gatherRows: dst holds ${dst.size} bytes, ${numRows} rows of ${rowSize} need ${numRows * rowSize * 4}`);
    if (indices.size < numRows * 4) throw new Error(`gatherRows: indices hold ${indices.size / 4} entries, ${numRows} needed`);
    const validRows = Math.min(srcRows, Math.floor(src.size / 4 / rowSize));
    // Range starts are multiples of `step` rows, so every byte offset (rows * rowSize * 4 and
    // rows * 4 for the indices) is a multiple of the storage offset alignment.
    const step = this.gpu.device.limits.minStorageBufferOffsetAlignment / 4;
    const rowsPerRange = Math.floor(this.maxBindingBytes / (rowSize * 4) / step) * step;
    if (rowsPerRange < step) throw new Error(`gatherRows: rows of ${rowSize} words are too wide for the ${this.maxBindingBytes}-byte binding limit`);
    const k = kernel(this.gpu, { shader: 'train/gather_rows' });
    const pass = encoder.beginComputePass({ label: 'gather-rows' });
    for (let d0 = 0; d0 < numRows; d0 += rowsPerRange) {
      const dn = Math.min(rowsPerRange, numRows - d0);
      const dstRange = { buffer: dst, offset: d0 * rowSize * 4, size: dn * rowSize * 4 };
      const indexRange = { buffer: indices, offset: d0 * 4, size: dn * 4 };
      // At least one (empty) source range so that zero rows are written even with no source rows.
      for (let s0 = 0; s0 === 0 || s0 < validRows; s0 += rowsPerRange) {
        const sn = Math.max(0, Math.min(rowsPerRange, validRows - s0));
        const srcRange = { buffer: src, offset: s0 * rowSize * 4, size: sn > 0 ? sn * rowSize * 4 : 4 };
        const params = this.uniforms.get([dn, rowSize, validRows, s0, sn, s0 === 0 ? 1 : 0, 0, 0]);
        k.dispatch1d(pass, [k.bind([srcRange, indexRange, dstRange, params])], dn * rowSize, 256);
      }
    }
    pass.end();
  }

  dispose(): void {
    this.uniforms.dispose();
  }
}

/**
 * New buffer [indices.length, rowSize] gathered from `src` ([srcRows, rowSize]); submits the work.
 * The caller owns (and destroys) both the old and the new buffer.
 */
export function gatherRows(gpu: Gpu, src: GPUBuffer, rowSize: number, indices: Uint32Array, srcRows: number, label?: string): GPUBuffer {
  for (let r = 0; r < indices.length; r++) {
    if (indices[r] !== ZERO_ROW && indices[r] >= srcRows) throw new Error(`gatherRows: index ${indices[r]} at ${r} is out of range (${srcRows} rows)`);
  }
  const dst = createStorage(gpu, indices.length * rowSize * 4, label);
  if (indices.length === 0) return dst;
  const indexBuffer = uploadStorage(gpu, indices, 'gather/indices');
  const gather = new RowGather(gpu);
  const enc = gpu.device.createCommandEncoder();
  gather.encode(enc, src, dst, rowSize, indexBuffer, indices.length, srcRows);
  gpu.device.queue.submit([enc.finish()]);
  // Destroying after submit is safe: the queued work keeps them alive until it has run.
  indexBuffer.destroy();
  gather.dispose();
  return dst;
}

export interface DensifyRows {
  /** Source row of every new row: kept rows first (input order), then appended ones. */
  indices: Uint32Array;
  /** Rows [0, keptCount) are survivors; [keptCount, indices.length) were appended. */
  keptCount: number;
}

/**
 * Index list for one densification step over `count` rows: rows with prune[i] != 0 are dropped,
 * then `append` (source rows of clones / split children, in order) is added at the end.
 */
export function densifyRowIndices(count: number, prune: ArrayLike<number> | null, append: ArrayLike<number> = []): DensifyRows {
  if (prune && prune.length !== count) throw new Error(`densifyRowIndices: prune mask has ${prune.length} entries for ${count} rows`);
  const kept: number[] = [];
  for (let i = 0; i < count; i++) if (!prune || !prune[i]) kept.push(i);
  const indices = new Uint32Array(kept.length + append.length);
  indices.set(kept);
  for (let j = 0; j < append.length; j++) {
    const s = append[j];
    if (!Number.isInteger(s) || s < 0 || s >= count) throw new Error(`densifyRowIndices: appended source ${s} is out of range (${count} rows)`);
    indices[kept.length + j] = s;
  }
  return { indices, keptCount: kept.length };
}

/** The same rows with the appended ones zeroed: the index list for fresh Adam moments. */
export function zeroAppended(rows: DensifyRows): Uint32Array {
  const out = Uint32Array.from(rows.indices);
  out.fill(ZERO_ROW, rows.keptCount);
  return out;
}
