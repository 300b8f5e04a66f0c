/**
 * A GaussianScene on the GPU, and the matching gradient buffers.
 *
 * Every buffer is a tightly packed `array<f32>` (no vec3 padding), same layout as the host
 * scene (engine/splat/scene.ts), indexed by the global splat id i:
 *   means          [N, 3]     means[i*3 + a]
 *   logScales      [N, 3]
 *   quats          [N, 4]     (w, x, y, z), any norm (kernels normalise)
 *   opacityLogits  [N]
 *   sh             [N, K, 3]  sh[(i*K + k)*3 + c], K = (shDegree + 1)^2
 * Gradients (GpuSceneGrads) use the same layouts, named v<Name>, plain f32; kernels that
 * accumulate with atomics view them as atomic<u32> bit patterns. The rasterizer backward ADDS
 * into them (so several views can be summed); call zero() before a step.
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, readF32, writeBuffer } from '../gpu/buffers.js';
import { createScene, shCoeffCount, type GaussianScene } from './scene.js';

export const SCENE_FIELDS = ['means', 'logScales', 'quats', 'opacityLogits', 'sh'] as const;
export type SceneField = (typeof SCENE_FIELDS)[number];

/** Floats per splat of each field for SH degree `shDegree`. */
export function fieldWidths(shDegree: number): Record<SceneField, number> {
  return { means: 3, logScales: 3, quats: 4, opacityLogits: 1, sh: shCoeffCount(shDegree) * 3 };
}

function createFieldBuffers(gpu: Gpu, count: number, shDegree: number, prefix: string): Record<SceneField, GPUBuffer> {
  const widths = fieldWidths(shDegree);
  const out = {} as Record<SceneField, GPUBuffer>;
  for (const f of SCENE_FIELDS) out[f] = createStorage(gpu, count * widths[f] * 4, `${prefix}${f}`);
  return out;
}

export class GpuScene {
  readonly buffers: Record<SceneField, GPUBuffer>;

  constructor(
    readonly gpu: Gpu,
    readonly count: number,
    readonly shDegree: number,
  ) {
    if (shDegree < 0 || shDegree > 3) throw new Error(`GpuScene: SH degree must be 0..3, got ${shDegree}`);
    this.buffers = createFieldBuffers(gpu, count, shDegree, 'scene/');
  }

  get means(): GPUBuffer { return this.buffers.means; }
  get logScales(): GPUBuffer { return this.buffers.logScales; }
  get quats(): GPUBuffer { return this.buffers.quats; }
  get opacityLogits(): GPUBuffer { return this.buffers.opacityLogits; }
  get sh(): GPUBuffer { return this.buffers.sh; }

  static upload(gpu: Gpu, scene: GaussianScene): GpuScene {
    const s = new GpuScene(gpu, scene.count, scene.shDegree);
    s.write(scene);
    return s;
  }

  /** Overwrite all parameters from a host scene of the same size and degree. */
  write(scene: GaussianScene): void {
    if (scene.count !== this.count || scene.shDegree !== this.shDegree) {
      throw new Error(`GpuScene.write: scene has ${scene.count} splats / degree ${scene.shDegree}, buffers ${this.count} / ${this.shDegree}`);
    }
    for (const f of SCENE_FIELDS) writeBuffer(this.gpu, this.buffers[f], scene[f]);
  }

  async download(): Promise<GaussianScene> {
    const out = createScene(this.count, this.shDegree);
    const widths = fieldWidths(this.shDegree);
    for (const f of SCENE_FIELDS) out[f].set(await readF32(this.gpu, this.buffers[f], this.count * widths[f]));
    return out;
  }

  /** GPU bytes held per splat by the parameters. */
  bytesPerSplat(): number {
    const w = fieldWidths(this.shDegree);
    return SCENE_FIELDS.reduce((s, f) => s + w[f] * 4, 0);
  }

  dispose(): void {
    for (const f of SCENE_FIELDS) this.buffers[f].destroy();
  }
}

export interface SceneGrads {
  vMeans: Float32Array; // [N, 3]
  vLogScales: Float32Array; // [N, 3]
  vQuats: Float32Array; // [N, 4]
  vOpacityLogits: Float32Array; // [N]
  vSh: Float32Array; // [N, K, 3]
}

const GRAD_NAMES: Record<SceneField, keyof SceneGrads> = {
  means: 'vMeans',
  logScales: 'vLogScales',
  quats: 'vQuats',
  opacityLogits: 'vOpacityLogits',
  sh: 'vSh',
};

export class GpuSceneGrads {
  readonly buffers: Record<SceneField, GPUBuffer>;

  constructor(
    readonly gpu: Gpu,
    readonly count: number,
    readonly shDegree: number,
  ) {
    this.buffers = createFieldBuffers(gpu, count, shDegree, 'grad/');
  }

  static like(scene: GpuScene): GpuSceneGrads {
    return new GpuSceneGrads(scene.gpu, scene.count, scene.shDegree);
  }

  get vMeans(): GPUBuffer { return this.buffers.means; }
  get vLogScales(): GPUBuffer { return this.buffers.logScales; }
  get vQuats(): GPUBuffer { return this.buffers.quats; }
  get vOpacityLogits(): GPUBuffer { return this.buffers.opacityLogits; }
  get vSh(): GPUBuffer { return this.buffers.sh; }

  /** Record zeroing of every gradient (or submit it now when no encoder is given). */
  zero(encoder?: GPUCommandEncoder): void {
    const enc = encoder ?? this.gpu.device.createCommandEncoder();
    for (const f of SCENE_FIELDS) enc.clearBuffer(this.buffers[f]);
    if (!encoder) this.gpu.device.queue.submit([enc.finish()]);
  }

  async download(): Promise<SceneGrads> {
    const widths = fieldWidths(this.shDegree);
    const out = {} as SceneGrads;
    for (const f of SCENE_FIELDS) out[GRAD_NAMES[f]] = await readF32(this.gpu, this.buffers[f], this.count * widths[f]);
    return out;
  }

  dispose(): void {
    for (const f of SCENE_FIELDS) this.buffers[f].destroy();
  }
}

/**
 * Per-splat statistics for densification, accumulated over backward passes (3DGS):
 *   gradAccum [N] f32: sum over views of |dL/d mean2D| in NDC units (pixels * (W/2, H/2))
 *   visCount  [N] u32: number of views in which the splat was visible
 * Average = gradAccum / visCount; compare with the usual 0.0002 threshold.
 */
export class DensifyStats {
  readonly gradAccum: GPUBuffer;
  readonly visCount: GPUBuffer;

  constructor(readonly gpu: Gpu, readonly count: number) {
    this.gradAccum = createStorage(gpu, count * 4, 'densify/grad-accum');
    this.visCount = createStorage(gpu, count * 4, 'densify/vis-count');
  }

  reset(encoder?: GPUCommandEncoder): void {
    const enc = encoder ?? this.gpu.device.createCommandEncoder();
    enc.clearBuffer(this.gradAccum);
    enc.clearBuffer(this.visCount);
    if (!encoder) this.gpu.device.queue.submit([enc.finish()]);
  }

  dispose(): void {
    this.gradAccum.destroy();
    this.visCount.destroy();
  }
}
