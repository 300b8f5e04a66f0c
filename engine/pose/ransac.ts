/**
 * Shared RANSAC plumbing: a seeded sampler (runs are reproducible) and the
 * adaptive iteration bound  k = log(1 - confidence) / log(1 - w^s).
 */
export { mulberry32 as seededRandom } from '../math/random.js';

/** `k` distinct indices from [0, n). */
export function sampleDistinct(n: number, k: number, rand: () => number, out: number[] = []): number[] {
  out.length = 0;
  while (out.length < k) {
    const i = Math.floor(rand() * n);
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

/** Iterations needed to draw one all-inlier sample of size s with the given confidence. */
export function adaptiveIterations(inlierRatio: number, sampleSize: number, confidence: number, maxIterations: number): number {
  const w = Math.pow(Math.min(Math.max(inlierRatio, 1e-6), 1), sampleSize);
  if (w >= 1 - 1e-12) return 1;
  // log1p keeps tiny w from rounding to log(1) = 0 (which would end the search at once).
  const denom = Math.log1p(-w);
  if (!(denom < 0)) return maxIterations;
  const k = Math.log(1 - confidence) / denom;
  return Math.min(maxIterations, Math.max(1, Math.ceil(k)));
}
