/**
 * Control points (SC-GS): a sparse set of points that carry 6-DoF transforms and
 * drive the Gaussians. Host-side state, float32 like GaussianScene.
 *
 *   positions:  [M, 3]  rest (canonical) position p_k
 *   logRadius:  [M]     log of the RBF radius r_k (learned; w = exp(-d² / (2 r_k²)))
 *   quats:      [M, 4]  rotation (w, x, y, z), not necessarily normalized; normalized in the warp
 *   trans:      [M, 3]  translation t_k
 *
 * The warp of a point x: x' = Σ_k w_k (R_k (x - p_k) + p_k + t_k) over its K nearest
 * control points (see warp-ref.ts).
 */
export interface ControlPoints<T extends Float32Array | Float64Array = Float32Array> {
  count: number;
  positions: T;
  logRadius: T;
  quats: T;
  trans: T;
}

/** A float64 copy (the CPU references and finite-difference tests work in float64). */
export function controlPointsF64(c: ControlPoints<Float32Array | Float64Array>): ControlPoints<Float64Array> {
  return {
    count: c.count,
    positions: Float64Array.from(c.positions),
    logRadius: Float64Array.from(c.logRadius),
    quats: Float64Array.from(c.quats),
    trans: Float64Array.from(c.trans),
  };
}

/** Control points at `positions` [M, 3] with identity transforms and radius `radius` each. */
export function createControlPoints(positions: Float32Array, radius: number | Float32Array): ControlPoints {
  if (positions.length % 3 !== 0) throw new Error(`control-point positions must be [M, 3], got length ${positions.length}`);
  const count = positions.length / 3;
  const logRadius = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const r = typeof radius === 'number' ? radius : radius[k];
    if (!(r > 0)) throw new Error(`control-point radius must be positive, got ${r} at ${k}`);
    logRadius[k] = Math.log(r);
  }
  const quats = new Float32Array(count * 4);
  for (let k = 0; k < count; k++) quats[k * 4] = 1;
  return { count, positions: Float32Array.from(positions), logRadius, quats, trans: new Float32Array(count * 3) };
}

export function cloneControlPoints(c: ControlPoints): ControlPoints {
  return {
    count: c.count,
    positions: c.positions.slice(),
    logRadius: c.logRadius.slice(),
    quats: c.quats.slice(),
    trans: c.trans.slice(),
  };
}

/**
 * Farthest-point sampling of `count` points from `points` [N, 3]: starts at the point
 * nearest the centroid (deterministic), then repeatedly takes the point farthest from
 * the chosen set. O(N · count). Returns the chosen indices.
 */
export function farthestPointSample(points: Float32Array, count: number): Uint32Array {
  const n = points.length / 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`control-point count must be a positive integer, got ${count}`);
  const m = Math.min(count, n);
  const chosen = new Uint32Array(m);
  if (n === 0) return chosen;
  let cx = 0, cy = 0, cz = 0;
  for (let i = 0; i < n; i++) {
    cx += points[i * 3]; cy += points[i * 3 + 1]; cz += points[i * 3 + 2];
  }
  cx /= n; cy /= n; cz /= n;
  const dist = new Float64Array(n).fill(Infinity);
  let first = 0;
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const d = (points[i * 3] - cx) ** 2 + (points[i * 3 + 1] - cy) ** 2 + (points[i * 3 + 2] - cz) ** 2;
    if (d < best) { best = d; first = i; }
  }
  let next = first;
  for (let s = 0; s < m; s++) {
    chosen[s] = next;
    const px = points[next * 3], py = points[next * 3 + 1], pz = points[next * 3 + 2];
    let far = 0;
    let farD = -1;
    for (let i = 0; i < n; i++) {
      const d = (points[i * 3] - px) ** 2 + (points[i * 3 + 1] - py) ** 2 + (points[i * 3 + 2] - pz) ** 2;
      if (d < dist[i]) dist[i] = d;
      if (dist[i] > farD) { farD = dist[i]; far = i; }
    }
    next = far;
  }
  return chosen;
}

/**
 * Control points by farthest-point sampling of the Gaussian means [N, 3]. Each radius
 * starts at the distance to the nearest other control point (so neighbouring RBFs
 * overlap, as SC-GS initializes them), clamped away from zero.
 */
export function controlPointsFromMeans(means: Float32Array, count: number): ControlPoints {
  const idx = farthestPointSample(means, count);
  const m = idx.length;
  const positions = new Float32Array(m * 3);
  for (let k = 0; k < m; k++) positions.set(means.subarray(idx[k] * 3, idx[k] * 3 + 3), k * 3);
  const radius = new Float32Array(m);
  const nn = knn(positions, positions, Math.min(2, m));
  let fallback = 1;
  for (let k = 0; k < m; k++) {
    const j = m > 1 ? nn[k * 2 + 1] : k;
    radius[k] = Math.sqrt(sqDist(positions, k, positions, j));
    if (radius[k] > 0) fallback = radius[k];
  }
  for (let k = 0; k < m; k++) if (!(radius[k] > 1e-6)) radius[k] = fallback;
  return createControlPoints(positions, radius);
}

function sqDist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const dx = a[i * 3] - b[j * 3], dy = a[i * 3 + 1] - b[j * 3 + 1], dz = a[i * 3 + 2] - b[j * 3 + 2];
  return dx * dx + dy * dy + dz * dz;
}

/**
 * Brute-force K nearest `refs` [M, 3] of each `queries` [N, 3], nearest first, ties by
 * lower index. Returns [N, K] u32. K must be ≤ M. This is the CPU reference of
 * shaders/deform/knn.wgsl and the host path for small N.
 */
export function knn(queries: ArrayLike<number>, refs: ArrayLike<number>, K: number): Uint32Array {
  const n = queries.length / 3;
  const m = refs.length / 3;
  if (K > m) throw new Error(`knn: K = ${K} exceeds the ${m} reference points`);
  const out = new Uint32Array(n * K);
  const bestD = new Float64Array(K);
  const bestI = new Uint32Array(K);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity);
    for (let j = 0; j < m; j++) {
      const d = sqDist(queries, i, refs, j);
      if (d >= bestD[K - 1]) continue;
      let s = K - 1;
      while (s > 0 && bestD[s - 1] > d) {
        bestD[s] = bestD[s - 1];
        bestI[s] = bestI[s - 1];
        s--;
      }
      bestD[s] = d;
      bestI[s] = j;
    }
    out.set(bestI, i * K);
  }
  return out;
}
