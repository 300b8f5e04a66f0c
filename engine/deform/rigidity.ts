/**
 * Transform-consistency regularizer between neighbouring control points (the E_reg of
 * embedded deformation, Sumner et al. 2007): control point i's rigid transform, applied to
 * its neighbour j's rest position, should land where j's own transform puts it:
 *   E = Σ_i Σ_j w_ij ‖R_i (p_j - p_i) + p_i + t_i - (p_j + t_j)‖²
 * Unlike the ARAP loss (arap.ts), which fits the best rotation from positions, this ties the
 * control points' own rotation parameters to their neighbours' translations, removing the
 * flat valley of the data term in which a rotation about one control point trades off
 * against its neighbours' translations. Gradients w.r.t. the (unnormalized) quats and
 * translations; float64 reference, tested by finite differences.
 */
import type { ArapGraph } from './arap.js';
import { quatNormalize, quatNormalizeVjp, quatToMat, quatToMatVjp } from './quat.js';

export function rigidityEnergy(
  g: ArapGraph,
  positions: ArrayLike<number>, // [M, 3] rest
  quats: ArrayLike<number>, // [M, 4]
  trans: ArrayLike<number>, // [M, 3]
  vQuats: Float64Array, // [M, 4] accumulated
  vTrans: Float64Array, // [M, 3] accumulated
  weight = 1,
): number {
  let energy = 0;
  for (let i = 0; i < g.count; i++) {
    const qi = [quats[i * 4], quats[i * 4 + 1], quats[i * 4 + 2], quats[i * 4 + 3]];
    const qh = quatNormalize(qi);
    const R = quatToMat(qh[0], qh[1], qh[2], qh[3], new Array<number>(9));
    const G = new Array<number>(9).fill(0); // dE/dR_i
    for (let s = 0; s < g.k; s++) {
      const j = g.nbr[i * g.k + s];
      const w = weight * g.weights[i * g.k + s];
      const d = [0, 1, 2].map((a) => positions[j * 3 + a] - positions[i * 3 + a]);
      const r = [0, 1, 2].map((a) => R[a * 3] * d[0] + R[a * 3 + 1] * d[1] + R[a * 3 + 2] * d[2] - d[a] + trans[i * 3 + a] - trans[j * 3 + a]);
      energy += w * (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
      for (let a = 0; a < 3; a++) {
        vTrans[i * 3 + a] += 2 * w * r[a];
        vTrans[j * 3 + a] -= 2 * w * r[a];
        for (let b = 0; b < 3; b++) G[a * 3 + b] += 2 * w * r[a] * d[b];
      }
    }
    const vqh = quatToMatVjp(qh[0], qh[1], qh[2], qh[3], G);
    const vq = quatNormalizeVjp(qi, vqh);
    for (let a = 0; a < 4; a++) vQuats[i * 4 + a] += vq[a];
  }
  return energy;
}
