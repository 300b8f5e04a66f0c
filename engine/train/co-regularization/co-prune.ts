/**
 * CoR-GS co-pruning, the selection (host): Gaussians of one field with no Gaussian of the other
 * field within a distance τ are "non-matching" (point disagreement: where the views do not pin
 * the geometry down, the two fields' densification puts Gaussians in different places) and are
 * pruned from both fields. Nearest-neighbour test with a hash grid of cell size τ: a point of B
 * within τ of a query lies in one of the 27 cells around the query's cell. Buckets are keyed by
 * a 32-bit hash of the cell; a collision only adds candidates, every candidate's distance is
 * checked exactly, so the answer is exact.
 */

/** A 32-bit hash of integer cell coordinates (Teschner et al. 2003 primes). */
function cellHash(x: number, y: number, z: number): number {
  return (Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791)) | 0;
}

/**
 * [N] 1 where no point of `other` [M, 3] lies within `distance` of `means` [N, 3] row i, else 0.
 * Non-finite points never match (and are never matched).
 */
export function nonMatchingMask(means: Float32Array, other: Float32Array, distance: number): Uint8Array {
  if (!(distance > 0) || !Number.isFinite(distance)) throw new Error(`co-pruning: distance must be a positive number, got ${distance}`);
  const n = means.length / 3;
  const m = other.length / 3;
  const cell = (v: number) => Math.floor(v / distance);
  const buckets = new Map<number, number[]>();
  for (let j = 0; j < m; j++) {
    const x = other[j * 3], y = other[j * 3 + 1], z = other[j * 3 + 2];
    if (!Number.isFinite(x + y + z)) continue;
    const h = cellHash(cell(x), cell(y), cell(z));
    let b = buckets.get(h);
    if (!b) buckets.set(h, (b = []));
    b.push(j);
  }
  const d2 = distance * distance;
  const mask = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    const x = means[i * 3], y = means[i * 3 + 1], z = means[i * 3 + 2];
    if (!Number.isFinite(x + y + z)) continue;
    const cx = cell(x), cy = cell(y), cz = cell(z);
    search: for (let dz = -1; dz <= 1; dz++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const b = buckets.get(cellHash(cx + dx, cy + dy, cz + dz));
          if (!b) continue;
          for (const j of b) {
            const ex = other[j * 3] - x, ey = other[j * 3 + 1] - y, ez = other[j * 3 + 2] - z;
            if (ex * ex + ey * ey + ez * ez <= d2) {
              mask[i] = 0;
              break search;
            }
          }
        }
      }
    }
  }
  return mask;
}

/** Rows to keep (ascending) of each field after co-pruning `a` [N, 3] and `b` [M, 3] at `distance`. */
export function coPruneSelection(a: Float32Array, b: Float32Array, distance: number): { keepA: Uint32Array; keepB: Uint32Array } {
  const keepOf = (mask: Uint8Array) => {
    const keep: number[] = [];
    for (let i = 0; i < mask.length; i++) if (!mask[i]) keep.push(i);
    return Uint32Array.from(keep);
  };
  return { keepA: keepOf(nonMatchingMask(a, b, distance)), keepB: keepOf(nonMatchingMask(b, a, distance)) };
}
