/**
 * Mutual k-nearest-neighbour graph of points (a uniform hash grid, CPU), as the
 * neighbour table of the coherence regularizer when Gaussians were merged from
 * several depth maps and their pixel grids are gone. Mutual (j in kNN(i) and i in
 * kNN(j)) makes the table symmetric, which the GPU gather relies on.
 */
export function mutualKnnGraph(xyz: Float32Array, k = 4): { neighbours: Int32Array; edges: number } {
  const n = xyz.length / 3;
  const neighbours = new Int32Array(n * 4).fill(-1);
  if (n < 2) return { neighbours, edges: 0 };
  let lo = [Infinity, Infinity, Infinity];
  let hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++)
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], xyz[i * 3 + a]);
      hi[a] = Math.max(hi[a], xyz[i * 3 + a]);
    }
  // Cell size for ~2 points per cell if the points filled the box's surface-like extent.
  const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9);
  const cell = span / Math.max(1, Math.cbrt(n / 2));
  const key = (x: number, y: number, z: number) => `${x},${y},${z}`;
  const grid = new Map<string, number[]>();
  const cellOf = (i: number) => [0, 1, 2].map((a) => Math.floor((xyz[i * 3 + a] - lo[a]) / cell));
  for (let i = 0; i < n; i++) {
    const c = cellOf(i);
    const kk = key(c[0], c[1], c[2]);
    let list = grid.get(kk);
    if (!list) grid.set(kk, (list = []));
    list.push(i);
  }
  const knn: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = cellOf(i);
    let best: { j: number; d: number }[] = [];
    for (let r = 1; r <= 3 && best.length < k; r++) {
      best = [];
      for (let dx = -r; dx <= r; dx++)
        for (let dy = -r; dy <= r; dy++)
          for (let dz = -r; dz <= r; dz++) {
            const list = grid.get(key(c[0] + dx, c[1] + dy, c[2] + dz));
            if (!list) continue;
            for (const j of list) {
              if (j === i) continue;
              const d = (xyz[i * 3] - xyz[j * 3]) ** 2 + (xyz[i * 3 + 1] - xyz[j * 3 + 1]) ** 2 + (xyz[i * 3 + 2] - xyz[j * 3 + 2]) ** 2;
              best.push({ j, d });
            }
          }
    }
    best.sort((p, q) => p.d - q.d || p.j - q.j);
    knn.push(best.slice(0, k).map((b) => b.j));
  }
  let edges = 0;
  for (let i = 0; i < n; i++) {
    let slot = 0;
    for (const j of knn[i]) if (knn[j].includes(i) && slot < 4) {
      neighbours[i * 4 + slot++] = j;
      if (j > i) edges++;
    }
  }
  return { neighbours, edges };
}

/**
 * The neighbour table after a densification (densify.ts DensifyPlan: new row r < keep.length is
 * old row keep[r]; `appended` rows follow). Kept rows keep their kept neighbours (pruned ones
 * become -1); appended clones and split children start without neighbours, since their offsets
 * from the initialisation are not comparable with their parents'. The map is a bijection on the
 * kept rows, so a symmetric table stays symmetric (the GPU gather relies on it).
 * `neighbours`: [N_old, k] (-1 = none), `initialMeans`: [N_old, 3].
 */
export function remapNeighbourTable(
  neighbours: Int32Array,
  initialMeans: Float32Array,
  k: number,
  keep: Uint32Array,
  append: Uint32Array,
): { neighbours: Int32Array; initialMeans: Float32Array; edges: number } {
  const nOld = initialMeans.length / 3;
  const newOf = new Int32Array(nOld).fill(-1);
  keep.forEach((old, r) => (newOf[old] = r));
  const n = keep.length + append.length;
  const out = new Int32Array(n * k).fill(-1);
  const init = new Float32Array(n * 3);
  let slots = 0;
  for (let r = 0; r < n; r++) {
    const old = r < keep.length ? keep[r] : append[r - keep.length];
    init.set(initialMeans.subarray(3 * old, 3 * old + 3), 3 * r);
    if (r >= keep.length) continue;
    for (let j = 0; j < k; j++) {
      const nb = neighbours[old * k + j];
      const mapped = nb >= 0 ? newOf[nb] : -1;
      out[r * k + j] = mapped;
      if (mapped >= 0) slots++;
    }
  }
  return { neighbours: out, initialMeans: init, edges: slots / 2 };
}
