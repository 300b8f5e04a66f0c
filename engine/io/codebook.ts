/**
 * Scalar codebooks for SOG: 1-D k-means (Lloyd) with up to 256 centroids, then
 * nearest-centroid labels. 1-D makes both steps cheap: with sorted centroids the
 * nearest one is found by binary search over the midpoints.
 */

/** Index of the nearest value in ascending `centroids`. */
export function nearestIndex(centroids: Float64Array, v: number): number {
  let lo = 0;
  let hi = centroids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v > (centroids[mid] + centroids[mid + 1]) / 2) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Up to `k` ascending centroids fitted to `values` (a sample of at most `maxSample`
 * values is used for fitting; every value is labelled later). Starts at quantiles,
 * runs `iterations` Lloyd steps; duplicate centroids are dropped.
 */
export function fitCodebook(values: ArrayLike<number>, k = 256, iterations = 12, maxSample = 262144): Float64Array {
  const n = values.length;
  if (n === 0) return new Float64Array([0]);
  const step = Math.max(1, Math.floor(n / maxSample));
  const sample = new Float64Array(Math.ceil(n / step));
  for (let i = 0, j = 0; i < n; i += step, j++) sample[j] = values[i];
  sample.sort();
  const distinct = new Float64Array([...new Set(sample)]);
  if (distinct.length <= k) return distinct;
  let c = new Float64Array(k);
  for (let j = 0; j < k; j++) c[j] = sample[Math.min(sample.length - 1, Math.floor(((j + 0.5) / k) * sample.length))];
  c = new Float64Array([...new Set(c)]);
  for (let it = 0; it < iterations; it++) {
    const sum = new Float64Array(c.length);
    const cnt = new Float64Array(c.length);
    // Sample is sorted: walk it with a moving centroid index instead of searching.
    let j = 0;
    for (let i = 0; i < sample.length; i++) {
      const v = sample[i];
      while (j + 1 < c.length && v > (c[j] + c[j + 1]) / 2) j++;
      sum[j] += v;
      cnt[j]++;
    }
    for (let q = 0; q < c.length; q++) if (cnt[q] > 0) c[q] = sum[q] / cnt[q];
    c.sort();
  }
  return new Float64Array([...new Set(c)]);
}

/** Labels (uint8) of all values against the codebook. */
export function labelValues(values: ArrayLike<number>, codebook: Float64Array, out = new Uint8Array(values.length)): Uint8Array {
  for (let i = 0; i < values.length; i++) out[i] = nearestIndex(codebook, values[i]);
  return out;
}
