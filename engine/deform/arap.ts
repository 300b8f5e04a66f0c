/**
 * As-rigid-as-possible energy between control-point configurations (SC-GS's ARAP loss and
 * the energy the editing solver minimizes). Float64 CPU reference; M ≤ a few thousand.
 *
 * For a graph of directed edges (i, j) with weights w_ij built at rest (10-NN by default):
 *   E(P', P) = Σ_i min_{R_i ∈ SO(3)} Σ_j w_ij ‖(p'_i - p'_j) - R_i (p_i - p_j)‖²
 * R_i is the best-fit rotation: the rotation part of the polar decomposition of
 * S_i = Σ_j w_ij e'_ij e_ijᵀ (Kabsch). Because R_i minimizes E, the gradients follow by the
 * envelope theorem with R_i held fixed:
 *   ∂E/∂p'_i += 2 w r_ij, ∂E/∂p'_j -= 2 w r_ij,  r_ij = e'_ij - R_i e_ij
 *   ∂E/∂p_i  -= 2 w R_iᵀ r_ij, ∂E/∂p_j += 2 w R_iᵀ r_ij
 * In training P is the configuration at one time and P' at another (or the canonical one),
 * so ARAP ties neighbouring control points into locally rigid groups across time.
 */
import { knn } from './control-points.js';
import { closestRotation } from './quat.js';

export interface ArapGraph {
  count: number; // M
  k: number; // neighbours per point
  nbr: Uint32Array; // [M, k] neighbour indices (self excluded)
  weights: Float64Array; // [M, k] w_ij
}

/**
 * k-NN graph of `positions` [M, 3] (self excluded) with weights
 * w_ij = exp(-d_ij² / (2 σ_i²)), σ_i = mean distance to the neighbours: nearer neighbours
 * count more, and the scale adapts to the local control-point density.
 */
export function buildArapGraph(positions: ArrayLike<number>, k = 10): ArapGraph {
  const m = positions.length / 3;
  if (m < 2) throw new Error(`ARAP graph needs at least 2 control points, got ${m}`);
  const kk = Math.min(k, m - 1);
  const all = knn(positions, positions, kk + 1);
  const nbr = new Uint32Array(m * kk);
  const weights = new Float64Array(m * kk);
  for (let i = 0; i < m; i++) {
    // Drop self (normally slot 0; duplicates of a point may sort either way).
    let s = 0;
    let selfDropped = false;
    for (let t = 0; t < kk + 1 && s < kk; t++) {
      const j = all[i * (kk + 1) + t];
      if (j === i && !selfDropped) { selfDropped = true; continue; }
      nbr[i * kk + s++] = j;
    }
    let meanD = 0;
    const d2 = new Float64Array(kk);
    for (let s2 = 0; s2 < kk; s2++) {
      const j = nbr[i * kk + s2];
      for (let a = 0; a < 3; a++) d2[s2] += (positions[i * 3 + a] - positions[j * 3 + a]) ** 2;
      meanD += Math.sqrt(d2[s2]) / kk;
    }
    const sigma2 = Math.max(meanD * meanD, 1e-20);
    for (let s2 = 0; s2 < kk; s2++) weights[i * kk + s2] = Math.exp(-d2[s2] / (2 * sigma2));
  }
  return { count: m, k: kk, nbr, weights };
}

/** Best-fit rotations R_i (row-major 9 each, [M, 9]) of deformed vs rest edges. */
export function arapRotations(g: ArapGraph, rest: ArrayLike<number>, deformed: ArrayLike<number>): Float64Array {
  const R = new Float64Array(g.count * 9);
  const S = new Array<number>(9);
  for (let i = 0; i < g.count; i++) {
    S.fill(0);
    for (let s = 0; s < g.k; s++) {
      const j = g.nbr[i * g.k + s];
      const w = g.weights[i * g.k + s];
      for (let a = 0; a < 3; a++) {
        const ed = deformed[i * 3 + a] - deformed[j * 3 + a];
        for (let b = 0; b < 3; b++) S[a * 3 + b] += w * ed * (rest[i * 3 + b] - rest[j * 3 + b]);
      }
    }
    closestRotation(S, R.subarray(i * 9, i * 9 + 9));
  }
  return R;
}

export interface ArapResult {
  energy: number;
  rotations: Float64Array; // [M, 9]
  vDeformed: Float64Array; // [M, 3] ∂E/∂P'
  vRest: Float64Array; // [M, 3] ∂E/∂P
}

/** ARAP energy of `deformed` [M, 3] relative to `rest` [M, 3], with gradients for both. */
export function arapEnergy(g: ArapGraph, rest: ArrayLike<number>, deformed: ArrayLike<number>): ArapResult {
  const rotations = arapRotations(g, rest, deformed);
  const vDeformed = new Float64Array(g.count * 3);
  const vRest = new Float64Array(g.count * 3);
  let energy = 0;
  for (let i = 0; i < g.count; i++) {
    const o = i * 9;
    const R = rotations;
    for (let s = 0; s < g.k; s++) {
      const j = g.nbr[i * g.k + s];
      const w = g.weights[i * g.k + s];
      const ex = rest[i * 3] - rest[j * 3];
      const ey = rest[i * 3 + 1] - rest[j * 3 + 1];
      const ez = rest[i * 3 + 2] - rest[j * 3 + 2];
      // r = e'_ij - R_i e_ij
      const rx = deformed[i * 3] - deformed[j * 3] - (R[o] * ex + R[o + 1] * ey + R[o + 2] * ez);
      const ry = deformed[i * 3 + 1] - deformed[j * 3 + 1] - (R[o + 3] * ex + R[o + 4] * ey + R[o + 5] * ez);
      const rz = deformed[i * 3 + 2] - deformed[j * 3 + 2] - (R[o + 6] * ex + R[o + 7] * ey + R[o + 8] * ez);
      energy += w * (rx * rx + ry * ry + rz * rz);
      const w2 = 2 * w;
      vDeformed[i * 3] += w2 * rx;
      vDeformed[i * 3 + 1] += w2 * ry;
      vDeformed[i * 3 + 2] += w2 * rz;
      vDeformed[j * 3] -= w2 * rx;
      vDeformed[j * 3 + 1] -= w2 * ry;
      vDeformed[j * 3 + 2] -= w2 * rz;
      // R_iᵀ r
      const tx = R[o] * rx + R[o + 3] * ry + R[o + 6] * rz;
      const ty = R[o + 1] * rx + R[o + 4] * ry + R[o + 7] * rz;
      const tz = R[o + 2] * rx + R[o + 5] * ry + R[o + 8] * rz;
      vRest[i * 3] -= w2 * tx;
      vRest[i * 3 + 1] -= w2 * ty;
      vRest[i * 3 + 2] -= w2 * tz;
      vRest[j * 3] += w2 * tx;
      vRest[j * 3 + 1] += w2 * ty;
      vRest[j * 3 + 2] += w2 * tz;
    }
  }
  return { energy, rotations, vDeformed, vRest };
}
