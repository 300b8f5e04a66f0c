import { describe, expect, it } from 'vitest';
import { bestMatches, bestMatchesJs, hammingKernelAvailable, packRows, popcount32 } from '../../engine/pose/hamming-wasm.js';
import { rng } from '../util/close.js';

/** Random descriptors with near-copies, exact duplicates (ties) and a few far rows. */
function descriptors(na: number, nb: number, dim: number, seed: number): { a: Uint8Array; b: Uint8Array } {
  const rand = rng(seed);
  const a = new Uint8Array(na * dim).map(() => Math.floor(rand() * 256));
  const b = new Uint8Array(nb * dim).map(() => Math.floor(rand() * 256));
  for (let k = 0; k < Math.min(na, nb) / 3; k++) {
    const i = Math.floor(rand() * na);
    const j = Math.floor(rand() * nb);
    b.set(a.subarray(i * dim, (i + 1) * dim), j * dim);
    const flips = Math.floor(rand() * 3 * dim);
    for (let f = 0; f < flips; f++) b[j * dim + Math.floor(rand() * dim)] ^= 1 << Math.floor(rand() * 8);
  }
  // Exact duplicate rows in b: equal distances, so the lowest index must win as in the loop.
  for (let k = 0; k + 1 < nb && k < 6; k += 2) b.copyWithin((k + 1) * dim, k * dim, (k + 1) * dim);
  return { a, b };
}

describe('WebAssembly Hamming kernel', () => {
  it('is available in Node (the fast path is what runs)', () => {
    expect(hammingKernelAvailable()).toBe(true);
  });

  it('popcount32 counts bits', () => {
    for (const [x, n] of [[0, 0], [1, 1], [0xffffffff, 32], [0x80000001, 2], [0x12345678, 13]]) expect(popcount32(x)).toBe(n);
  });

  // 61 = AKAZE, 32 = ORB; 1, 7, 9, 64 exercise row padding and the 16-byte early-exit cadence.
  for (const [na, nb, dim] of [[40, 55, 61], [120, 90, 32], [33, 17, 1], [25, 31, 7], [30, 30, 9], [64, 48, 64]]) {
    it(`equals the JavaScript loop on every output (${na}x${nb}, ${dim}-byte rows)`, () => {
      const { a, b } = descriptors(na, nb, dim, na * 1000 + dim);
      const perRow = Math.ceil(dim / 4);
      const want = bestMatchesJs(packRows(a, na, dim, perRow * 4, Uint32Array), packRows(b, nb, dim, perRow * 4, Uint32Array), na, nb, perRow);
      const got = bestMatches(a, b, na, nb, dim);
      for (const k of ['best', 'bestD', 'secondD', 'colBest', 'colBestD'] as const) expect(Array.from(got[k]), k).toEqual(Array.from(want[k]));
      // Not trivially equal: some rows found a near-copy well below random distance (4 bits a byte).
      expect(Math.min(...got.bestD)).toBeLessThan(dim * 2);
    });
  }

  it('brute-force distances: best and second best per row equal a sort of all distances', () => {
    const [na, nb, dim] = [20, 26, 61];
    const { a, b } = descriptors(na, nb, dim, 7);
    const got = bestMatches(a, b, na, nb, dim);
    const dist = (i: number, j: number) => {
      let d = 0;
      for (let k = 0; k < dim; k++) d += popcount32(a[i * dim + k] ^ b[j * dim + k]);
      return d;
    };
    for (let i = 0; i < na; i++) {
      const d = Array.from({ length: nb }, (_, j) => dist(i, j));
      const sorted = [...d].sort((x, y) => x - y);
      expect(got.bestD[i]).toBe(sorted[0]);
      expect(got.secondD[i]).toBe(sorted[1]);
      expect(got.best[i]).toBe(d.indexOf(sorted[0]));
    }
    for (let j = 0; j < nb; j++) {
      const col = Array.from({ length: na }, (_, i) => dist(i, j));
      expect(got.colBestD[j]).toBe(Math.min(...col));
      expect(got.colBest[j]).toBe(col.indexOf(Math.min(...col)));
    }
  });

  it('grows its memory for large inputs and handles empty ones', () => {
    const { a, b } = descriptors(1500, 1400, 61, 3); // ~180 KB of rows: several 64 KiB pages
    const got = bestMatches(a, b, 1500, 1400, 61);
    const want = bestMatchesJs(packRows(a, 1500, 61, 64, Uint32Array), packRows(b, 1400, 61, 64, Uint32Array), 1500, 1400, 16);
    expect(Array.from(got.best)).toEqual(Array.from(want.best));
    expect(Array.from(got.colBest)).toEqual(Array.from(want.colBest));
    const empty = bestMatches(a, new Uint8Array(0), 1500, 0, 61);
    expect(empty.best.every((j) => j === -1)).toBe(true);
    expect(bestMatches(new Uint8Array(0), b, 0, 1400, 61).colBest.every((i) => i === -1)).toBe(true);
  });
});
