/**
 * Mutual-nearest-neighbour matching of L2-normalized float descriptors: the XFeat
 * reference's `match` (cosine similarity, mutual check, min similarity 0.82), with an
 * optional Lowe ratio test. Used as `xfeat+mnn` when LighterGlue's weights are missing.
 */
import type { FeatureMatcher, Keypoints, Matches } from './features.js';
import { keypointCount } from './features.js';

export interface MnnOptions {
  /** Minimum cosine similarity of a match (reference: 0.82). */
  minCosine?: number;
  /** Lowe ratio on Euclidean distances, best/second-best < ratio (1 disables it). */
  ratio?: number;
}

/**
 * a [Na, D], b [Nb, D] row-normalized -> mutual nearest pairs. Score = (cos + 1) / 2
 * so it lies in [0, 1]. Ties go to the lower index on both sides.
 */
export function mutualNearestNeighbours(a: Float32Array, na: number, b: Float32Array, nb: number, D: number, opts: MnnOptions = {}): Matches {
  const minCos = opts.minCosine ?? 0.82;
  const ratio = opts.ratio ?? 1;
  const bestB = new Int32Array(na).fill(-1); // a -> best b
  const bestSim = new Float64Array(na).fill(-Infinity);
  const secondSim = new Float64Array(na).fill(-Infinity);
  const bestA = new Int32Array(nb).fill(-1); // b -> best a
  const bestSimB = new Float64Array(nb).fill(-Infinity);
  for (let i = 0; i < na; i++) {
    const ai = i * D;
    // Row best/second kept in locals: this loop is the whole cost (Na * Nb * D).
    let b1 = -Infinity;
    let b2 = -Infinity;
    let j1 = -1;
    for (let j = 0; j < nb; j++) {
      const bj = j * D;
      let s = 0;
      for (let c = 0; c < D; c++) s += a[ai + c] * b[bj + c];
      if (s > b1) {
        b2 = b1;
        b1 = s;
        j1 = j;
      } else if (s > b2) b2 = s;
      if (s > bestSimB[j]) {
        bestSimB[j] = s;
        bestA[j] = i;
      }
    }
    bestB[i] = j1;
    bestSim[i] = b1;
    secondSim[i] = b2;
  }
  const pairs: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < na; i++) {
    const j = bestB[i];
    if (j < 0 || bestA[j] !== i || bestSim[i] < minCos) continue;
    if (ratio < 1 && Number.isFinite(secondSim[i])) {
      // Unit vectors: |a - b|^2 = 2 - 2 cos.
      const d1 = Math.sqrt(Math.max(0, 2 - 2 * bestSim[i]));
      const d2 = Math.sqrt(Math.max(0, 2 - 2 * secondSim[i]));
      if (d1 >= ratio * d2) continue;
    }
    pairs.push(i, j);
    scores.push(Math.min(1, Math.max(0, (bestSim[i] + 1) / 2)));
  }
  return { pairs: Uint32Array.from(pairs), scores: Float32Array.from(scores) };
}

export class MnnMatcher implements FeatureMatcher {
  readonly name = 'mnn';
  constructor(private readonly opts: MnnOptions = {}) {}

  async match(a: Keypoints, b: Keypoints): Promise<Matches> {
    if (a.descriptorKind !== 'float' || b.descriptorKind !== 'float' || a.descriptorDim !== b.descriptorDim) {
      throw new Error(`mutual-NN matcher needs float descriptors of one size, got ${a.descriptorDim}-d ${a.descriptorKind} and ${b.descriptorDim}-d ${b.descriptorKind}`);
    }
    return mutualNearestNeighbours(
      a.descriptors as Float32Array,
      keypointCount(a),
      b.descriptors as Float32Array,
      keypointCount(b),
      a.descriptorDim,
      this.opts,
    );
  }
}
