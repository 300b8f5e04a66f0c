/**
 * LighterGlue matcher (LightGlue, Lindenberger et al. ICCV 2023, in XFeat's light
 * configuration; the shipped export keeps layers 0-2) through onnxruntime-web.
 *
 * The graph does the mutual check itself (mutual argmax of the assignment matrix) but
 * NOT the confidence filter, and it does not normalize keypoints: both happen here.
 */
import { getSession, ort, type ModelSource } from '../models/ort-session.js';
import type { FeatureMatcher, Keypoints, Matches } from './features.js';
import { keypointCount } from './features.js';

export const LIGHTERGLUE_IO = { kpts0: 'kpts0', kpts1: 'kpts1', desc0: 'desc0', desc1: 'desc1', matches: 'matches', scores: 'scores' } as const;

export interface LighterGlueOptions {
  model: ModelSource;
  /** Keep matches with probability above this (LightGlue's filter_threshold, 0.1). */
  threshold?: number;
  providers?: string[];
}

/** LightGlue's keypoint normalization: (k - [W/2, H/2]) / (max(W, H) / 2). Output [N, 2]. */
export function normalizeKeypointsForGlue(k: Keypoints): Float32Array {
  const n = keypointCount(k);
  const out = new Float32Array(2 * n);
  // Positions in the image the descriptors were computed in (a turned copy, when there is one).
  const { xy, width, height } = k.described ?? k;
  const half = Math.max(width, height) / 2;
  for (let i = 0; i < n; i++) {
    out[2 * i] = (xy[2 * i] - width / 2) / half;
    out[2 * i + 1] = (xy[2 * i + 1] - height / 2) / half;
  }
  return out;
}

export class LighterGlueMatcher implements FeatureMatcher {
  readonly name = 'lighterglue';
  private readonly threshold: number;

  constructor(private readonly opts: LighterGlueOptions) {
    this.threshold = opts.threshold ?? 0.1;
  }

  async match(a: Keypoints, b: Keypoints): Promise<Matches> {
    const na = keypointCount(a);
    const nb = keypointCount(b);
    if (na === 0 || nb === 0) return { pairs: new Uint32Array(0), scores: new Float32Array(0) };
    for (const k of [a, b]) {
      if (k.descriptorKind !== 'float' || k.descriptorDim !== 64) {
        throw new Error(`LighterGlue needs 64-d float descriptors (XFeat), got ${k.descriptorDim}-d ${k.descriptorKind}`);
      }
    }
    const session = await getSession(this.opts.model.key, () => this.opts.model.load(), this.opts.providers);
    const out = await session.run({
      [LIGHTERGLUE_IO.kpts0]: new ort.Tensor('float32', normalizeKeypointsForGlue(a), [1, na, 2]),
      [LIGHTERGLUE_IO.kpts1]: new ort.Tensor('float32', normalizeKeypointsForGlue(b), [1, nb, 2]),
      [LIGHTERGLUE_IO.desc0]: new ort.Tensor('float32', a.descriptors as Float32Array, [1, na, 64]),
      [LIGHTERGLUE_IO.desc1]: new ort.Tensor('float32', b.descriptors as Float32Array, [1, nb, 64]),
    });
    const m = out[LIGHTERGLUE_IO.matches];
    const s = out[LIGHTERGLUE_IO.scores];
    if (!m || !s) throw new Error(`${this.opts.model.key}: LighterGlue graph must output 'matches' and 'scores'`);
    return filterGlueMatches(m.data as BigInt64Array | Int32Array, s.data as Float32Array, na, nb, this.threshold);
  }
}

/** [M, 2] int64 pairs + [M] scores -> Matches with score > threshold and valid indices. */
export function filterGlueMatches(
  pairs: BigInt64Array | Int32Array,
  scores: Float32Array,
  na: number,
  nb: number,
  threshold: number,
): Matches {
  const keepPairs: number[] = [];
  const keepScores: number[] = [];
  for (let k = 0; k < scores.length; k++) {
    const i = Number(pairs[2 * k]);
    const j = Number(pairs[2 * k + 1]);
    if (!(scores[k] > threshold) || i < 0 || j < 0 || i >= na || j >= nb) continue;
    keepPairs.push(i, j);
    keepScores.push(scores[k]);
  }
  return { pairs: Uint32Array.from(keepPairs), scores: Float32Array.from(keepScores) };
}
