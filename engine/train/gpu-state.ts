/**
 * The trainer's GPU state: parameters (GpuScene), gradients, Adam moments and
 * densification statistics, all row-aligned, plus the operations that change the
 * Gaussian count (refine) or read/write everything (snapshot/restore).
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, readF32, readU32, uploadStorage, writeBuffer } from '../gpu/buffers.js';
import { DensifyStats, fieldWidths, GpuScene, GpuSceneGrads, SCENE_FIELDS, type SceneField } from '../splat/gpu-scene.js';
import type { GaussianScene } from '../splat/scene.js';
import { planDensify, resetOpacityLogits, type DensifyParams, type DensifyReport, type Geometry } from './densify.js';
import { RowGather, ZERO_ROW } from './gather.js';

export type Moments = Record<SceneField, { m: GPUBuffer; v: GPUBuffer }>;

export class TrainState {
  constructor(
    readonly gpu: Gpu,
    readonly scene: GpuScene,
    readonly grads: GpuSceneGrads,
    readonly moments: Moments,
    readonly stats: DensifyStats,
  ) {}

  get count(): number {
    return this.scene.count;
  }

  /** Fresh state for `scene` with zero moments and statistics. */
  static create(gpu: Gpu, scene: GaussianScene): TrainState {
    const g = GpuScene.upload(gpu, scene);
    return new TrainState(gpu, g, GpuSceneGrads.like(g), zeroMoments(gpu, scene.count, scene.shDegree), new DensifyStats(gpu, scene.count));
  }

  /** Host copies of the small fields densification decides on. */
  async geometry(): Promise<Geometry> {
    const n = this.count;
    const b = this.scene.buffers;
    return {
      count: n,
      means: await readF32(this.gpu, b.means, n * 3),
      logScales: await readF32(this.gpu, b.logScales, n * 3),
      quats: await readF32(this.gpu, b.quats, n * 4),
      opacityLogits: await readF32(this.gpu, b.opacityLogits, n),
    };
  }

  async readStats(): Promise<{ gradAccum: Float32Array; visCount: Float32Array }> {
    const n = this.count;
    return { gradAccum: await readF32(this.gpu, this.stats.gradAccum, n), visCount: Float32Array.from(await readU32(this.gpu, this.stats.visCount, n)) };
  }

  /**
   * Clone/split/prune (densify.ts decides on the host); SH and every Adam moment are gathered
   * on the GPU with the same index map, so rows stay aligned. Returns the new state (this one
   * is disposed) and what happened.
   */
  async refine(p: DensifyParams, rand: () => number): Promise<{ state: TrainState; report: DensifyReport; rows?: { keep: Uint32Array; append: Uint32Array } }> {
    const geom = await this.geometry();
    const stats = await this.readStats();
    const plan = planDensify(geom, stats, p, rand);
    if (plan.append.length === 0 && plan.keep.length === this.count) {
      this.stats.reset();
      return { state: this, report: plan.report };
    }
    const n = plan.geometry.count;
    const deg = this.scene.shDegree;
    const W = fieldWidths(deg);
    const scene = new GpuScene(this.gpu, n, deg);
    for (const f of ['means', 'logScales', 'quats', 'opacityLogits'] as const) writeBuffer(this.gpu, scene.buffers[f], plan.geometry[f]);
    const rows = Uint32Array.from([...plan.keep, ...plan.append]);
    // Appended Gaussians start with zero moments (3DGS, gsplat).
    const momentRows = Uint32Array.from([...plan.keep, ...new Array<number>(plan.append.length).fill(ZERO_ROW)]);
    const rowsBuf = uploadStorage(this.gpu, rows, 'refine/rows');
    const momentRowsBuf = uploadStorage(this.gpu, momentRows, 'refine/moment-rows');
    const moments = zeroMoments(this.gpu, n, deg);
    const gather = new RowGather(this.gpu);
    const enc = this.gpu.device.createCommandEncoder({ label: 'refine' });
    gather.encode(enc, this.scene.sh, scene.sh, W.sh, rowsBuf, n, this.count);
    for (const f of SCENE_FIELDS) {
      gather.encode(enc, this.moments[f].m, moments[f].m, W[f], momentRowsBuf, n, this.count);
      gather.encode(enc, this.moments[f].v, moments[f].v, W[f], momentRowsBuf, n, this.count);
    }
    this.gpu.device.queue.submit([enc.finish()]);
    rowsBuf.destroy();
    momentRowsBuf.destroy();
    gather.dispose();
    const next = new TrainState(this.gpu, scene, GpuSceneGrads.like(scene), moments, new DensifyStats(this.gpu, n));
    this.dispose();
    return { state: next, report: plan.report, rows: { keep: plan.keep, append: plan.append } };
  }

  /** 3DGS opacity reset: opacities clamped to `value`, their Adam moments zeroed. */
  async resetOpacity(value: number): Promise<void> {
    const op = await readF32(this.gpu, this.scene.opacityLogits, this.count);
    resetOpacityLogits(op, value);
    writeBuffer(this.gpu, this.scene.opacityLogits, op);
    const enc = this.gpu.device.createCommandEncoder();
    enc.clearBuffer(this.moments.opacityLogits.m);
    enc.clearBuffer(this.moments.opacityLogits.v);
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** Everything as named host arrays (checkpoint layout: p.<field>, m.<field>, v.<field>, s.gradAccum, s.visCount). */
  async snapshot(): Promise<Record<string, Float32Array>> {
    const n = this.count;
    const W = fieldWidths(this.scene.shDegree);
    const out: Record<string, Float32Array> = {};
    for (const f of SCENE_FIELDS) {
      out[`p.${f}`] = await readF32(this.gpu, this.scene.buffers[f], n * W[f]);
      out[`m.${f}`] = await readF32(this.gpu, this.moments[f].m, n * W[f]);
      out[`v.${f}`] = await readF32(this.gpu, this.moments[f].v, n * W[f]);
    }
    const s = await this.readStats();
    out['s.gradAccum'] = s.gradAccum;
    out['s.visCount'] = s.visCount;
    return out;
  }

  static restore(gpu: Gpu, count: number, shDegree: number, arrays: Record<string, Float32Array>, file: string): TrainState {
    const W = fieldWidths(shDegree);
    const need = (name: string, len: number) => {
      const a = arrays[name];
      if (!a || a.length !== len) throw new Error(`${file}: checkpoint array '${name}' has ${a?.length ?? 'no'} values, expected ${len}`);
      return a;
    };
    const scene = new GpuScene(gpu, count, shDegree);
    const moments = zeroMoments(gpu, count, shDegree);
    for (const f of SCENE_FIELDS) {
      writeBuffer(gpu, scene.buffers[f], need(`p.${f}`, count * W[f]));
      writeBuffer(gpu, moments[f].m, need(`m.${f}`, count * W[f]));
      writeBuffer(gpu, moments[f].v, need(`v.${f}`, count * W[f]));
    }
    const stats = new DensifyStats(gpu, count);
    writeBuffer(gpu, stats.gradAccum, need('s.gradAccum', count));
    writeBuffer(gpu, stats.visCount, Uint32Array.from(need('s.visCount', count)));
    return new TrainState(gpu, scene, GpuSceneGrads.like(scene), moments, stats);
  }

  /** GPU bytes per Gaussian held by parameters, gradients, moments and statistics. */
  bytesPerGaussian(): number {
    return this.scene.bytesPerSplat() * 4 + 8;
  }

  dispose(): void {
    this.scene.dispose();
    this.grads.dispose();
    for (const f of SCENE_FIELDS) {
      this.moments[f].m.destroy();
      this.moments[f].v.destroy();
    }
    this.stats.dispose();
  }
}

function zeroMoments(gpu: Gpu, count: number, shDegree: number): Moments {
  const W = fieldWidths(shDegree);
  const out = {} as Moments;
  for (const f of SCENE_FIELDS) out[f] = { m: createStorage(gpu, count * W[f] * 4, `adam/m/${f}`), v: createStorage(gpu, count * W[f] * 4, `adam/v/${f}`) };
  return out;
}
