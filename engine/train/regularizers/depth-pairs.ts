/**
 * Pairwise depth regularizers on the GPU: relative (ordinal) depth guidance from a
 * prior whose order is trusted but not its scale, and edge-aware smoothness. Both add
 * into the depth cotangent; references in reference/depth-pairs-ref.ts.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createUniform, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';

export const MAX_ORDINAL_OFFSETS = 8;

/** Number of in-image pairs for these offsets (the normaliser n of the ordinal loss). */
export function ordinalPairCount(W: number, H: number, offsets: [number, number][]): number {
  return offsets.reduce((n, [dx, dy]) => n + Math.max(0, W - Math.abs(dx)) * Math.max(0, H - Math.abs(dy)), 0);
}

/** Random offsets for one step: lengths in [1, radius], any direction; never (0, 0). */
export function drawOrdinalOffsets(rand: () => number, count: number, radius: number): [number, number][] {
  const out: [number, number][] = [];
  while (out.length < Math.min(count, MAX_ORDINAL_OFFSETS)) {
    const dx = Math.round((rand() * 2 - 1) * radius);
    const dy = Math.round((rand() * 2 - 1) * radius);
    if (dx !== 0 || dy !== 0) out.push([dx, dy]);
  }
  return out;
}

export class DepthPairRegularizers {
  private readonly ordinalU: GPUBuffer;
  private readonly smoothU: GPUBuffer;

  constructor(private readonly gpu: Gpu, readonly width: number, readonly height: number) {
    this.ordinalU = createUniform(gpu, new Uint8Array(96), 'ordinal/uniforms');
    this.smoothU = createUniform(gpu, new Uint8Array(16), 'edge-smooth/uniforms');
  }

  encodeOrdinal(
    encoder: GPUCommandEncoder,
    buffers: { rendered: GPUBuffer; prior: GPUBuffer; vDepth: GPUBuffer },
    offsets: [number, number][],
    prm: { weight: number; tau: number; margin: number },
  ): void {
    if (offsets.length === 0 || offsets.length > MAX_ORDINAL_OFFSETS) throw new Error(`ordinal depth: 1..${MAX_ORDINAL_OFFSETS} offsets, got ${offsets.length}`);
    const n = ordinalPairCount(this.width, this.height, offsets);
    const u = new ArrayBuffer(96);
    new Uint32Array(u, 0, 4).set([this.width, this.height, offsets.length, 0]);
    new Float32Array(u, 16, 4).set([n > 0 ? prm.weight / n : 0, prm.tau, prm.margin, 0]);
    new Int32Array(u, 32, 16).set(offsets.flat());
    writeBuffer(this.gpu, this.ordinalU, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/ordinal_depth' });
    const pass = encoder.beginComputePass({ label: 'ordinal-depth' });
    k.dispatch(pass, [k.bind([buffers.rendered, buffers.prior, buffers.vDepth, this.ordinalU])], Math.ceil(this.width / 16), Math.ceil(this.height / 16));
    pass.end();
  }

  encodeEdgeSmoothness(
    encoder: GPUCommandEncoder,
    buffers: { rendered: GPUBuffer; image: GPUBuffer; vDepth: GPUBuffer },
    prm: { weight: number; gamma: number },
  ): void {
    const n = (this.width - 1) * this.height + this.width * (this.height - 1);
    const u = new ArrayBuffer(16);
    new Uint32Array(u, 0, 2).set([this.width, this.height]);
    new Float32Array(u, 8, 2).set([n > 0 ? prm.weight / n : 0, prm.gamma]);
    writeBuffer(this.gpu, this.smoothU, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/edge_smooth' });
    const pass = encoder.beginComputePass({ label: 'edge-smooth' });
    k.dispatch(pass, [k.bind([buffers.rendered, buffers.image, buffers.vDepth, this.smoothU])], Math.ceil(this.width / 16), Math.ceil(this.height / 16));
    pass.end();
  }

  dispose(): void {
    this.ordinalU.destroy();
    this.smoothU.destroy();
  }
}
