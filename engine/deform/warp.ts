/**
 * GPU control-point warp: buffers for N Gaussians and M control points, the kNN pass that
 * (re)builds neighbour lists, and the forward / backward kernels
 * (shaders/deform/{knn,warp_forward,warp_backward}.wgsl). CPU reference: warp-ref.ts.
 *
 * Usage: setGaussians / setControlPoints, then `neighbours(pass)` whenever control points
 * move or are added, `forward(pass)`, and for gradients `setCotangents` + `backward(gpu)`.
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, createUniform, readF32, readU32, submit, writeBuffer } from '../gpu/buffers.js';
import { kernel, type Kernel } from '../gpu/kernel.js';
import type { ControlPoints } from './control-points.js';

/** Floats per control point in the packed GPU layout (see shaders/deform/warp_common.wgsl). */
export const CTRL_STRIDE = 12;
const WG = 128;

/** Pack control points into the GPU layout [M, 12]: p(3), log r, q(4), t(3), pad. */
export function packControlPoints(c: ControlPoints<Float32Array | Float64Array>): Float32Array {
  const out = new Float32Array(c.count * CTRL_STRIDE);
  for (let k = 0; k < c.count; k++) {
    // The kernels normalize q_k and divide by r_k: a zero quaternion or a non-finite value
    // would turn every Gaussian that uses this control point into NaN.
    const qn = Math.hypot(c.quats[k * 4], c.quats[k * 4 + 1], c.quats[k * 4 + 2], c.quats[k * 4 + 3]);
    if (!(qn > 1e-12) || !Number.isFinite(qn)) throw new Error(`control point ${k}: rotation quaternion must be finite and non-zero`);
    for (const v of [c.positions[k * 3], c.positions[k * 3 + 1], c.positions[k * 3 + 2], c.logRadius[k], c.trans[k * 3], c.trans[k * 3 + 1], c.trans[k * 3 + 2]]) {
      if (!Number.isFinite(v)) throw new Error(`control point ${k}: position, radius and translation must be finite`);
    }
    const b = k * CTRL_STRIDE;
    for (let a = 0; a < 3; a++) out[b + a] = c.positions[k * 3 + a];
    out[b + 3] = c.logRadius[k];
    for (let a = 0; a < 4; a++) out[b + 4 + a] = c.quats[k * 4 + a];
    for (let a = 0; a < 3; a++) out[b + 8 + a] = c.trans[k * 3 + a];
  }
  return out;
}

export interface ControlPointGrads {
  vPositions: Float32Array; // [M, 3]
  vLogRadius: Float32Array; // [M]
  vQuats: Float32Array; // [M, 4]
  vTrans: Float32Array; // [M, 3]
}

/** Split packed control-point gradients [M, 12] into per-parameter arrays. */
export function unpackControlGrads(v: Float32Array, m: number): ControlPointGrads {
  const g: ControlPointGrads = {
    vPositions: new Float32Array(m * 3),
    vLogRadius: new Float32Array(m),
    vQuats: new Float32Array(m * 4),
    vTrans: new Float32Array(m * 3),
  };
  for (let k = 0; k < m; k++) {
    const b = k * CTRL_STRIDE;
    for (let a = 0; a < 3; a++) g.vPositions[k * 3 + a] = v[b + a];
    g.vLogRadius[k] = v[b + 3];
    for (let a = 0; a < 4; a++) g.vQuats[k * 4 + a] = v[b + 4 + a];
    for (let a = 0; a < 3; a++) g.vTrans[k * 3 + a] = v[b + 8 + a];
  }
  return g;
}

export class WarpGpu {
  readonly means: GPUBuffer; // [N, 3]
  readonly quats: GPUBuffer; // [N, 4]
  readonly nbr: GPUBuffer; // [N, K] u32
  readonly ctrl: GPUBuffer; // [M, 12]
  readonly outMeans: GPUBuffer; // [N, 3]
  readonly outQuats: GPUBuffer; // [N, 4]
  readonly vOutMeans: GPUBuffer; // [N, 3]
  readonly vOutQuats: GPUBuffer; // [N, 4]
  readonly vGaussians: GPUBuffer; // [N, 7]: v_mean(3), v_quat(4)
  readonly vCtrl: GPUBuffer; // [M, 12]
  private readonly params: GPUBuffer;
  private readonly knnK: Kernel;
  private readonly fwdK: Kernel;
  private readonly bwdK: Kernel;
  private readonly knnBg: GPUBindGroup;
  private readonly fwdBg: GPUBindGroup;
  private readonly bwdBg: GPUBindGroup;

  constructor(
    readonly gpu: Gpu,
    readonly n: number,
    readonly m: number,
    readonly K = 3,
  ) {
    if (K < 1 || K > m) throw new Error(`warp: K = ${K} must be in 1..${m} (the control-point count)`);
    const defines = { K_NEIGHBOURS: K };
    this.knnK = kernel(gpu, { shader: 'deform/knn', defines });
    this.fwdK = kernel(gpu, { shader: 'deform/warp_forward', defines });
    this.bwdK = kernel(gpu, { shader: 'deform/warp_backward', defines });
    this.means = createStorage(gpu, n * 12, 'warp/means');
    this.quats = createStorage(gpu, n * 16, 'warp/quats');
    this.nbr = createStorage(gpu, n * K * 4, 'warp/nbr');
    this.ctrl = createStorage(gpu, m * CTRL_STRIDE * 4, 'warp/ctrl');
    this.outMeans = createStorage(gpu, n * 12, 'warp/outMeans');
    this.outQuats = createStorage(gpu, n * 16, 'warp/outQuats');
    this.vOutMeans = createStorage(gpu, n * 12, 'warp/vOutMeans');
    this.vOutQuats = createStorage(gpu, n * 16, 'warp/vOutQuats');
    this.vGaussians = createStorage(gpu, n * 28, 'warp/vGaussians');
    this.vCtrl = createStorage(gpu, m * CTRL_STRIDE * 4, 'warp/vCtrl');
    this.params = createUniform(gpu, new Uint32Array([n, m, 0, 0]), 'warp/params');
    this.knnBg = this.knnK.bind([this.means, this.ctrl, this.nbr, this.params]);
    this.fwdBg = this.fwdK.bind([this.means, this.quats, this.nbr, this.ctrl, this.outMeans, this.outQuats, this.params]);
    this.bwdBg = this.bwdK.bind([
      this.means, this.quats, this.nbr, this.ctrl, this.vOutMeans, this.vOutQuats, this.vGaussians, this.vCtrl, this.params,
    ]);
  }

  setGaussians(means: Float32Array, quats: Float32Array): void {
    if (means.length !== this.n * 3 || quats.length !== this.n * 4) throw new Error(`warp: expected ${this.n} Gaussians, got means ${means.length / 3}, quats ${quats.length / 4}`);
    writeBuffer(this.gpu, this.means, means);
    writeBuffer(this.gpu, this.quats, quats);
  }

  setControlPoints(c: ControlPoints<Float32Array | Float64Array>): void {
    if (c.count !== this.m) throw new Error(`warp: expected ${this.m} control points, got ${c.count}`);
    writeBuffer(this.gpu, this.ctrl, packControlPoints(c));
  }

  setNeighbours(nbr: Uint32Array): void {
    if (nbr.length !== this.n * this.K) throw new Error(`warp: neighbour list must be [${this.n}, ${this.K}], got length ${nbr.length}`);
    writeBuffer(this.gpu, this.nbr, nbr);
  }

  setCotangents(vOutMeans: Float32Array, vOutQuats: Float32Array): void {
    writeBuffer(this.gpu, this.vOutMeans, vOutMeans);
    writeBuffer(this.gpu, this.vOutQuats, vOutQuats);
  }

  /** Rebuild nbr from the current means and control-point rest positions. */
  neighbours(pass: GPUComputePassEncoder): void {
    this.knnK.dispatch1d(pass, [this.knnBg], this.n, WG);
  }

  forward(pass: GPUComputePassEncoder): void {
    this.fwdK.dispatch1d(pass, [this.fwdBg], this.n, WG);
  }

  /** Zero vCtrl and run the backward kernel (own command buffer: clearing needs the encoder). */
  backward(): void {
    submit(this.gpu, (enc) => {
      enc.clearBuffer(this.vCtrl);
      const pass = enc.beginComputePass();
      this.bwdK.dispatch1d(pass, [this.bwdBg], this.n, WG);
      pass.end();
    });
  }

  async readOutputs(): Promise<{ means: Float32Array; quats: Float32Array }> {
    return { means: await readF32(this.gpu, this.outMeans, this.n * 3), quats: await readF32(this.gpu, this.outQuats, this.n * 4) };
  }

  async readNeighbours(): Promise<Uint32Array> {
    return readU32(this.gpu, this.nbr, this.n * this.K);
  }

  async readGrads(): Promise<{ vMeans: Float32Array; vQuats: Float32Array; ctrl: ControlPointGrads }> {
    const vg = await readF32(this.gpu, this.vGaussians, this.n * 7);
    const vMeans = new Float32Array(this.n * 3);
    const vQuats = new Float32Array(this.n * 4);
    for (let i = 0; i < this.n; i++) {
      vMeans.set(vg.subarray(i * 7, i * 7 + 3), i * 3);
      vQuats.set(vg.subarray(i * 7 + 3, i * 7 + 7), i * 4);
    }
    return { vMeans, vQuats, ctrl: unpackControlGrads(await readF32(this.gpu, this.vCtrl, this.m * CTRL_STRIDE), this.m) };
  }

  dispose(): void {
    for (const b of [this.means, this.quats, this.nbr, this.ctrl, this.outMeans, this.outQuats, this.vOutMeans, this.vOutQuats, this.vGaussians, this.vCtrl, this.params]) b.destroy();
  }
}
