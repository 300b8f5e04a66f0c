/**
 * Float64 reference of the coherence regularizer (CoherentGS-style): Gaussians placed
 * from one depth map keep their pixel-grid neighbours, and neighbours should move
 * together. With offsets d_i = mu_i - mu0_i from the initial positions,
 *   loss = w / E * sum over grid edges (i, j) of |d_i - d_j|^2
 * (E = number of edges). neighbours: [N, 4] int32 (right, down, left, up; -1 = none),
 * symmetric, so each Gaussian can gather its own gradient:
 *   d loss / d mu_i = 2 w / E * sum_{j in N(i)} (d_i - d_j)
 */
export function coherenceRef(
  means: ArrayLike<number>,
  initialMeans: ArrayLike<number>,
  neighbours: Int32Array,
  weight: number,
): { loss: number; vMeans: Float64Array; edges: number } {
  const N = means.length / 3;
  const vMeans = new Float64Array(N * 3);
  let edges = 0;
  for (let i = 0; i < N; i++) for (let k = 0; k < 4; k++) if (neighbours[i * 4 + k] > i) edges++;
  if (edges === 0) return { loss: 0, vMeans, edges };
  let loss = 0;
  for (let i = 0; i < N; i++)
    for (let k = 0; k < 4; k++) {
      const j = neighbours[i * 4 + k];
      if (j < 0) continue;
      for (let a = 0; a < 3; a++) {
        const diff = means[i * 3 + a] - initialMeans[i * 3 + a] - (means[j * 3 + a] - initialMeans[j * 3 + a]);
        if (j > i) loss += (weight / edges) * diff * diff;
        vMeans[i * 3 + a] += ((2 * weight) / edges) * diff;
      }
    }
  return { loss, vMeans, edges };
}

/** Grid neighbours of Gaussians made from a depth map at a stride: cellIndex[y][x] = Gaussian id or -1. */
export function gridNeighbours(cellIndex: Int32Array, cols: number, rows: number, count: number): Int32Array {
  const nb = new Int32Array(count * 4).fill(-1);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= cols || y >= rows ? -1 : cellIndex[y * cols + x]);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const i = at(x, y);
      if (i < 0) continue;
      nb[i * 4] = at(x + 1, y);
      nb[i * 4 + 1] = at(x, y + 1);
      nb[i * 4 + 2] = at(x - 1, y);
      nb[i * 4 + 3] = at(x, y - 1);
    }
  return nb;
}
