/**
 * Prune a trainer's state to a list of rows (co-pruning's removal step): parameters and Adam
 * moments are gathered on the GPU with one index map (train/gather.ts, as densification does),
 * the densification statistics accumulated since the last refinement on the host (a few floats
 * per Gaussian; visCount holds integers whose bit patterns a float copy could flush).
 */
import { createStorage, readF32, readU32, uploadStorage, writeBuffer } from '../../gpu/buffers.js';
import { DensifyStats, fieldWidths, GpuScene, GpuSceneGrads, SCENE_FIELDS } from '../../splat/gpu-scene.js';
import { RowGather } from '../gather.js';
import { TrainState, type Moments } from '../gpu-state.js';

/**
 * A new state holding rows `keep` [K] (ascending, < count) of `state`, in that order; `state` is
 * disposed. Gradients start at zero (pruning runs between steps, after Adam cleared them).
 * Returns `state` itself when every row is kept.
 */
export async function keepRows(state: TrainState, keep: Uint32Array): Promise<TrainState> {
  const n = state.count;
  if (keep.length === n) return state;
  if (keep.length === 0) throw new Error('keepRows: cannot remove every Gaussian');
  for (let r = 0; r < keep.length; r++) {
    if (keep[r] >= n || (r > 0 && keep[r] <= keep[r - 1])) throw new Error(`keepRows: rows must be ascending and < ${n}; row ${r} is ${keep[r]}`);
  }
  const gpu = state.gpu;
  const k = keep.length;
  const deg = state.scene.shDegree;
  const W = fieldWidths(deg);
  const scene = new GpuScene(gpu, k, deg);
  const moments = {} as Moments;
  for (const f of SCENE_FIELDS) moments[f] = { m: createStorage(gpu, k * W[f] * 4, `adam/m/${f}`), v: createStorage(gpu, k * W[f] * 4, `adam/v/${f}`) };
  const rows = uploadStorage(gpu, keep, 'keep-rows/rows');
  const gather = new RowGather(gpu);
  const enc = gpu.device.createCommandEncoder({ label: 'keep-rows' });
  for (const f of SCENE_FIELDS) {
    gather.encode(enc, state.scene.buffers[f], scene.buffers[f], W[f], rows, k, n);
    gather.encode(enc, state.moments[f].m, moments[f].m, W[f], rows, k, n);
    gather.encode(enc, state.moments[f].v, moments[f].v, W[f], rows, k, n);
  }
  gpu.device.queue.submit([enc.finish()]);
  const gradAccum = await readF32(gpu, state.stats.gradAccum, n);
  const visCount = await readU32(gpu, state.stats.visCount, n);
  const stats = new DensifyStats(gpu, k);
  writeBuffer(gpu, stats.gradAccum, Float32Array.from(keep, (i) => gradAccum[i]));
  writeBuffer(gpu, stats.visCount, Uint32Array.from(keep, (i) => visCount[i]));
  rows.destroy();
  gather.dispose();
  const next = new TrainState(gpu, scene, GpuSceneGrads.like(scene), moments, stats);
  state.dispose();
  return next;
}
