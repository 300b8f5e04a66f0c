/**
 * Trainable parameters and their Adam moments on the host, as named row-major
 * groups (the GaussianScene layout). Used for initialization, densification
 * when it runs host-side, and checkpoints.
 */
import { shCoeffCount, type GaussianScene } from '../splat/scene.js';

export const PARAM_NAMES = ['means', 'logScales', 'quats', 'opacityLogits', 'sh'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];
export type ParamArrays = Record<ParamName, Float32Array>;

/** Floats per Gaussian in each group. */
export function rowWidths(shDegree: number): Record<ParamName, number> {
  return { means: 3, logScales: 3, quats: 4, opacityLogits: 1, sh: shCoeffCount(shDegree) * 3 };
}

export interface AdamMoments {
  /** First moments, same layout as the parameters. */
  m: ParamArrays;
  /** Second moments. */
  v: ParamArrays;
}

export function sceneArrays(scene: GaussianScene): ParamArrays {
  return { means: scene.means, logScales: scene.logScales, quats: scene.quats, opacityLogits: scene.opacityLogits, sh: scene.sh };
}

export function zeroArrays(count: number, shDegree: number): ParamArrays {
  const w = rowWidths(shDegree);
  return Object.fromEntries(PARAM_NAMES.map((k) => [k, new Float32Array(count * w[k])])) as ParamArrays;
}

export function zeroMoments(count: number, shDegree: number): AdamMoments {
  return { m: zeroArrays(count, shDegree), v: zeroArrays(count, shDegree) };
}

/**
 * New arrays holding rows `keep` of `src` (in that order) followed by `extra` rows
 * written by `fill(dst, dstRow)` (or left zero).
 */
export function gatherRows(src: Float32Array, width: number, keep: ArrayLike<number>, extra = 0, fill?: (dst: Float32Array, row: number) => void): Float32Array {
  const out = new Float32Array((keep.length + extra) * width);
  for (let r = 0; r < keep.length; r++) out.set(src.subarray(keep[r] * width, (keep[r] + 1) * width), r * width);
  if (fill) for (let r = 0; r < extra; r++) fill(out, keep.length + r);
  return out;
}
