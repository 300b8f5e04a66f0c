/** Helpers for the GPU rasterizer tests: GPU projected buffer -> reference struct, uploads. */
import type { Gpu } from '../../engine/gpu/acquire.js';
import { readF32, uploadStorage } from '../../engine/gpu/buffers.js';
import { tileGrid, TILE_SIZE } from '../../engine/splat/constants.js';
import type { Projected2D } from '../../engine/splat/reference/project-ref.js';

/** The GPU's projected splats ([N, 12], shaders/splat/projected.wgsl) as a reference Projected2D. */
export async function readProjected(gpu: Gpu, buf: GPUBuffer, count: number, width: number, height: number): Promise<Projected2D> {
  const raw = await readF32(gpu, buf, count * 12);
  const { tilesX, tilesY } = tileGrid(width, height);
  const out: Projected2D = {
    count,
    visible: new Uint8Array(count),
    xy: new Float64Array(count * 2),
    conic: new Float64Array(count * 3),
    opacity: new Float64Array(count),
    depth: new Float64Array(count),
    color: new Float64Array(count * 3),
    radii: new Int32Array(count * 2),
    tileRect: new Int32Array(count * 4),
  };
  for (let i = 0; i < count; i++) {
    const b = i * 12;
    if (!(raw[b + 7] > 0)) continue;
    out.visible[i] = 1;
    out.xy.set([raw[b], raw[b + 1]], i * 2);
    out.depth[i] = raw[b + 2];
    out.opacity[i] = raw[b + 3];
    out.conic.set([raw[b + 4], raw[b + 5], raw[b + 6]], i * 3);
    out.color.set([raw[b + 8], raw[b + 9], raw[b + 10]], i * 3);
    out.radii.set([raw[b + 7], raw[b + 11]], i * 2);
    // Same float32 arithmetic as tile_rect() in projected.wgsl.
    const f = Math.fround;
    const rect = [
      Math.floor(f(f(raw[b] - raw[b + 7]) / TILE_SIZE)),
      Math.floor(f(f(raw[b + 1] - raw[b + 11]) / TILE_SIZE)),
      Math.ceil(f(f(raw[b] + raw[b + 7]) / TILE_SIZE)),
      Math.ceil(f(f(raw[b + 1] + raw[b + 11]) / TILE_SIZE)),
    ];
    out.tileRect.set([clamp(rect[0], tilesX), clamp(rect[1], tilesY), clamp(rect[2], tilesX), clamp(rect[3], tilesY)], i * 4);
  }
  return out;
}

function clamp(v: number, hi: number): number {
  return Math.min(Math.max(v, 0), hi);
}

export function uploadF32(gpu: Gpu, data: ArrayLike<number>): GPUBuffer {
  return uploadStorage(gpu, Float32Array.from(data));
}

/** Select entries of `a` ([N, w]) for which mask[i] is set. */
export function masked(a: ArrayLike<number>, mask: Uint8Array, w: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) for (let k = 0; k < w; k++) out.push(a[i * w + k]);
  return out;
}
