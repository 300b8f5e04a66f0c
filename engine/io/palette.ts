/**
 * SH palette for SOG scenes with more splats than a 16-bit label can address: a
 * product quantizer. The SH rest vector [C, 3] is split into subspaces (SH bands for
 * degrees 2-3, colour channels for degree 1); each gets its own small k-means codebook
 * and the palette is their Cartesian product (at most 65536 entries), so a splat's
 * label is the mixed-radix combination of its subspace labels. k-means is trained on
 * a sample and then assigns every splat: cost O(N * sum(k_s * d_s)), seconds for 1M.
 */

/** Deterministic LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Nearest centroid of row i of `data` [n, d] among `centroids` [k, d]. */
function nearest(data: Float32Array, i: number, d: number, centroids: Float32Array, k: number): number {
  let best = 0, bestDist = Infinity;
  const o = i * d;
  for (let c = 0; c < k; c++) {
    let dist = 0;
    const co = c * d;
    for (let j = 0; j < d && dist < bestDist; j++) {
      const t = data[o + j] - centroids[co + j];
      dist += t * t;
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

/**
 * k-means++ seeding (D^2 sampling) on the first min(n, 8192) rows: spreads the initial
 * centroids over the clusters, where a random pick leaves some clusters without one.
 */
function kmeansPlusPlus(data: Float32Array, n: number, d: number, k: number, rand: () => number): Float32Array {
  const m = Math.min(n, 8192);
  const centroids = new Float32Array(k * d);
  const dist = new Float64Array(m).fill(Infinity);
  let pick = Math.floor(rand() * m);
  for (let c = 0; c < k; c++) {
    centroids.set(data.subarray(pick * d, pick * d + d), c * d);
    let total = 0;
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += (data[i * d + j] - centroids[c * d + j]) ** 2;
      if (t < dist[i]) dist[i] = t;
      total += dist[i];
    }
    let r = rand() * total;
    pick = m - 1;
    for (let i = 0; i < m; i++) {
      r -= dist[i];
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }
  return centroids;
}

/** k-means (Lloyd, k-means++ seeding) of the rows of `data` [n, d]; returns centroids [k, d] and labels [n]. */
export function kmeans(data: Float32Array, n: number, d: number, k: number, iterations = 8, maxSample = 32768, seed = 7): { centroids: Float32Array; labels: Uint32Array } {
  const rand = lcg(seed);
  const kk = Math.min(k, n);
  const sampleSize = Math.min(n, Math.max(maxSample, kk));
  const sample = new Uint32Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) sample[i] = sampleSize === n ? i : Math.floor(rand() * n);
  const sampleData = new Float32Array(sampleSize * d);
  for (let i = 0; i < sampleSize; i++) sampleData.set(data.subarray(sample[i] * d, sample[i] * d + d), i * d);
  const centroids = kmeansPlusPlus(sampleData, sampleSize, d, kk, rand);
  for (let it = 0; it < iterations; it++) {
    const sum = new Float64Array(kk * d);
    const count = new Uint32Array(kk);
    for (let i = 0; i < sampleSize; i++) {
      const c = nearest(sampleData, i, d, centroids, kk);
      count[c]++;
      for (let j = 0; j < d; j++) sum[c * d + j] += sampleData[i * d + j];
    }
    for (let c = 0; c < kk; c++) {
      // An empty cluster takes a random sample row (keeps all k in use).
      if (count[c] === 0) {
        const r = Math.floor(rand() * sampleSize) * d;
        centroids.set(sampleData.subarray(r, r + d), c * d);
      } else for (let j = 0; j < d; j++) centroids[c * d + j] = sum[c * d + j] / count[c];
    }
  }
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) labels[i] = nearest(data, i, d, centroids, kk);
  return { centroids, labels };
}

interface Subspace {
  /** Coefficient indices (0..C-1) and channels it covers. */
  coeffs: number[];
  channels: number[];
  k: number;
}

function subspaces(C: number): Subspace[] {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  if (C === 3) return [0, 1, 2].map((ch, s) => ({ coeffs: range(0, 3), channels: [ch], k: s === 0 ? 64 : 32 }));
  if (C === 8) return [{ coeffs: range(0, 3), channels: [0, 1, 2], k: 256 }, { coeffs: range(3, 8), channels: [0, 1, 2], k: 256 }];
  return [
    { coeffs: range(0, 3), channels: [0, 1, 2], k: 64 },
    { coeffs: range(3, 8), channels: [0, 1, 2], k: 32 },
    { coeffs: range(8, 15), channels: [0, 1, 2], k: 32 },
  ];
}

/**
 * Palette for `rest` [n, C, 3] (SH coefficients 1..C per splat): labels [n] and
 * palette entries [count, C, 3].
 */
export function productPalette(rest: Float32Array, n: number, C: number): { labels: Uint32Array; palette: Float32Array; count: number } {
  const spaces = subspaces(C);
  const parts = spaces.map((sp) => {
    const d = sp.coeffs.length * sp.channels.length;
    const sub = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      let j = 0;
      for (const k of sp.coeffs) for (const ch of sp.channels) sub[i * d + j++] = rest[(i * C + k) * 3 + ch];
    }
    const { centroids, labels } = kmeans(sub, n, d, sp.k);
    return { sp, d, centroids, labels, k: centroids.length / d };
  });
  const count = parts.reduce((a, p) => a * p.k, 1);
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let label = 0;
    for (let s = parts.length - 1; s >= 0; s--) label = label * parts[s].k + parts[s].labels[i];
    labels[i] = label;
  }
  const palette = new Float32Array(count * C * 3);
  for (let p = 0; p < count; p++) {
    let rem = p;
    for (const part of parts) {
      const l = rem % part.k;
      rem = Math.floor(rem / part.k);
      let j = 0;
      for (const k of part.sp.coeffs) for (const ch of part.sp.channels) palette[(p * C + k) * 3 + ch] = part.centroids[l * part.d + j++];
    }
  }
  return { labels, palette, count };
}
