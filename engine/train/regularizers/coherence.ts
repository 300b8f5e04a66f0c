/**
 * Coherence regularizer on the GPU: Gaussians initialised from one depth map move
 * with their pixel-grid neighbours (CoherentGS). The neighbour table is built once
 * from the initialisation (reference/coherence-ref.ts: gridNeighbours); when the
 * trainer densifies, sparse-view.ts remaps it (knn-graph.ts remapNeighbourTable: pruned
 * ids become -1, clones and split children start without neighbours).
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createUniform, writeBuffer } from '../../gpu/buffers.js';
import { grid1d, kernel } from '../../gpu/kernel.js';

export class CoherenceRegularizer {
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.uniforms = createUniform(gpu, new Uint8Array(16), 'coherence/uniforms');
  }

  /** `edges` = number of undirected grid edges (the loss normaliser). */
  encode(
    encoder: GPUCommandEncoder,
    count: number,
    edges: number,
    buffers: { means: GPUBuffer; initialMeans: GPUBuffer; neighbours: GPUBuffer; vMeans: GPUBuffer },
    weight: number,
  ): void {
    if (count === 0 || edges === 0) return;
    const u = new ArrayBuffer(16);
    new Uint32Array(u, 0, 2).set([count, 0]);
    new Float32Array(u, 8, 1).set([(2 * weight) / edges]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/coherence' });
    const [gx, gy] = grid1d(count, 128, this.gpu.device.limits.maxComputeWorkgroupsPerDimension);
    const pass = encoder.beginComputePass({ label: 'coherence' });
    k.dispatch(pass, [k.bind([buffers.means, buffers.initialMeans, buffers.neighbours, buffers.vMeans, this.uniforms])], gx, gy);
    pass.end();
  }

  dispose(): void {
    this.uniforms.destroy();
  }
}
