/**
 * Matching building blocks against plain references: mutual nearest neighbours vs a
 * brute-force O(N M D) search, LighterGlue keypoint normalization and score filter,
 * fundamental-matrix RANSAC on synthetic views with outliers, the match-graph summary
 * and the match picture.
 */
import { describe, expect, it } from 'vitest';
import { filterGlueMatches, normalizeKeypointsForGlue } from '../../engine/pose/lighterglue.js';
import { drawLine, drawMatches } from '../../engine/pose/matching-draw.js';
import { summarizeMatchGraph } from '../../engine/pose/matching-graph.js';
import { mutualNearestNeighbours } from '../../engine/pose/mnn.js';
import { fundamentalFromPose, fundamentalRansac, sampsonDistanceSq } from '../../engine/pose/verify-fundamental.js';
import type { Keypoints } from '../../engine/pose/features.js';
import { gaussian, rng } from '../util/close.js';
import { syntheticScene } from './synthetic.js';

function randomUnitRows(n: number, d: number, rand: () => number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (out[i * d + c] = gaussian(rand)) ** 2;
    for (let c = 0; c < d; c++) out[i * d + c] /= Math.sqrt(s);
  }
  return out;
}

/** Reference: full similarity matrix in float64, argmax per row and column, then the filters. */
function bruteForceMnn(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, minCos: number, ratio: number): string[] {
  const S: number[][] = [];
  for (let i = 0; i < na; i++) {
    S.push([]);
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += a[i * d + c] * b[j * d + c];
      S[i].push(s);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < na; i++) {
    const order = [...S[i].keys()].sort((x, y) => S[i][y] - S[i][x] || x - y);
    const j = order[0];
    const col = S.map((row) => row[j]);
    const iBest = [...col.keys()].sort((x, y) => col[y] - col[x] || x - y)[0];
    if (iBest !== i || S[i][j] < minCos) continue;
    if (ratio < 1 && nb > 1) {
      const d1 = Math.sqrt(Math.max(0, 2 - 2 * S[i][j]));
      const d2 = Math.sqrt(Math.max(0, 2 - 2 * S[i][order[1]]));
      if (d1 >= ratio * d2) continue;
    }
    out.push(`${i}-${j}`);
  }
  return out;
}

describe('mutual nearest neighbours', () => {
  it('equals a brute-force reference (with and without the ratio test)', () => {
    const rand = rng(7);
    const d = 16;
    const na = 120;
    const nb = 90;
    const a = randomUnitRows(na, d, rand);
    // b: noisy copies of 70 rows of a (shuffled) plus 20 random rows, so real matches exist.
    const b = new Float32Array(nb * d);
    const perm = [...Array(na).keys()].sort(() => rand() - 0.5);
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const v = j < 70 ? a[perm[j] * d + c] + 0.15 * gaussian(rand) : gaussian(rand);
        b[j * d + c] = v;
        s += v * v;
      }
      for (let c = 0; c < d; c++) b[j * d + c] /= Math.sqrt(s);
    }
    for (const [minCos, ratio] of [[-1, 1], [0.82, 1], [0.5, 0.8]]) {
      const got = mutualNearestNeighbours(a, na, b, nb, d, { minCosine: minCos, ratio });
      const gotKeys = [];
      for (let k = 0; k < got.pairs.length / 2; k++) gotKeys.push(`${got.pairs[2 * k]}-${got.pairs[2 * k + 1]}`);
      expect(gotKeys).toEqual(bruteForceMnn(a, na, b, nb, d, minCos, ratio));
      expect(gotKeys.length).toBeGreaterThan(20);
    }
  });
});

describe('LighterGlue I/O helpers', () => {
  it('normalizes keypoints by the longer side about the image centre', () => {
    const k = { width: 200, height: 100, xy: Float32Array.from([100, 50, 0, 0, 200, 100]) } as Keypoints;
    expect(Array.from(normalizeKeypointsForGlue(k))).toEqual([0, 0, -1, -0.5, 1, 0.5]);
    // Keypoints found in a turned copy: normalized where they were described (the copy), not in the photo.
    const turned = { ...k, described: { width: 100, height: 200, xy: Float32Array.from([50, 100, 0, 0, 100, 200]) } } as Keypoints;
    expect(Array.from(normalizeKeypointsForGlue(turned))).toEqual([0, 0, -0.5, -1, 0.5, 1]);
  });

  it('keeps matches above the threshold with valid indices', () => {
    const pairs = BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 9n, 5n, 0n]);
    const scores = Float32Array.from([0.9, 0.05, 0.5, 0.3]);
    const m = filterGlueMatches(pairs, scores, 6, 4, 0.1);
    // (2,3) fails the threshold, (4,9) indexes past image b's 4 keypoints.
    expect(Array.from(m.pairs)).toEqual([0, 1, 5, 0]);
    expect(Array.from(m.scores)).toEqual([Math.fround(0.9), Math.fround(0.3)]);
  });
});

describe('fundamental-matrix RANSAC', () => {
  it('recovers the epipolar geometry of two synthetic views with 30% outliers', () => {
    const scene = syntheticScene({ nCams: 2, nPoints: 300, arcDeg: 30, seed: 3 });
    const rand = rng(11);
    const n = 300;
    const p1 = new Float64Array(2 * n);
    const p2 = new Float64Array(2 * n);
    const truth = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const outlier = i % 10 < 3;
      truth[i] = outlier ? 0 : 1;
      p1[2 * i] = scene.pixels[0][2 * i] + 0.3 * gaussian(rand);
      p1[2 * i + 1] = scene.pixels[0][2 * i + 1] + 0.3 * gaussian(rand);
      p2[2 * i] = outlier ? rand() * 640 : scene.pixels[1][2 * i] + 0.3 * gaussian(rand);
      p2[2 * i + 1] = outlier ? rand() * 480 : scene.pixels[1][2 * i + 1] + 0.3 * gaussian(rand);
    }
    const r = fundamentalRansac(p1, p2, { threshold: 1.5, seed: 5 });
    expect(r.F).not.toBeNull();
    // Every true inlier has ~0.4 px noise: nearly all are kept; an outlier survives only
    // if it falls within 1.5 px of its epipolar line by chance (a few percent).
    let keptTrue = 0;
    let keptFalse = 0;
    for (let i = 0; i < n; i++) if (r.inliers[i]) truth[i] ? keptTrue++ : keptFalse++;
    expect(keptTrue).toBeGreaterThanOrEqual(200);
    expect(keptFalse).toBeLessThanOrEqual(10);
    // The estimate agrees with the true F on noise-free projections.
    const [c1, c2] = scene.cameras;
    const R = mul(c2.R, transpose(c1.R));
    const Rt1 = mulv(R, c1.t);
    const t = [c2.t[0] - Rt1[0], c2.t[1] - Rt1[1], c2.t[2] - Rt1[2]];
    const Ftrue = fundamentalFromPose(R, t, c1, c2);
    let worstTrue = 0;
    let worstEst = 0;
    for (let i = 0; i < n; i++) {
      const [x1, y1, x2, y2] = [scene.pixels[0][2 * i], scene.pixels[0][2 * i + 1], scene.pixels[1][2 * i], scene.pixels[1][2 * i + 1]];
      worstTrue = Math.max(worstTrue, sampsonDistanceSq(Ftrue, x1, y1, x2, y2));
      worstEst = Math.max(worstEst, sampsonDistanceSq(r.F!, x1, y1, x2, y2));
    }
    expect(Math.sqrt(worstTrue)).toBeLessThan(1e-6); // the reference F itself is exact
    expect(Math.sqrt(worstEst)).toBeLessThan(1.5); // estimated from 0.3 px noise
  });

  it('returns no model for fewer than 8 matches', () => {
    const r = fundamentalRansac(new Float64Array(14), new Float64Array(14));
    expect(r.F).toBeNull();
    expect(r.inlierCount).toBe(0);
  });
});

function transpose(A: number[]): number[] {
  return [A[0], A[3], A[6], A[1], A[4], A[7], A[2], A[5], A[8]];
}
function mul(A: number[], B: number[]): number[] {
  const C = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) C[3 * i + j] += A[3 * i + k] * B[3 * k + j];
  return C;
}
function mulv(A: number[], v: number[]): number[] {
  return [0, 1, 2].map((i) => A[3 * i] * v[0] + A[3 * i + 1] * v[1] + A[3 * i + 2] * v[2]);
}

describe('match graph', () => {
  it('finds components over strong pairs and names the isolated views', () => {
    const s = summarizeMatchGraph(5, [
      { a: 0, b: 1, matches: 300, inliers: 200 },
      { a: 1, b: 2, matches: 100, inliers: 50 },
      { a: 2, b: 3, matches: 40, inliers: 10 },
      { a: 3, b: 4, matches: 90, inliers: 60 },
    ], 20);
    expect(s.components).toEqual([[0, 1, 2], [3, 4]]);
    expect(s.isolated).toEqual([3, 4]);
    expect(s.strongPairs).toBe(3);
    expect(s.degree).toEqual([1, 2, 1, 1, 1]);
    expect(s.inliersPerView).toEqual([200, 250, 60, 70, 60]);
    expect(s.medianInliers).toBe(50);
  });
});

describe('match picture', () => {
  it('draws a Bresenham line including both ends', () => {
    const img = { width: 10, height: 5, data: new Uint8Array(200) };
    drawLine(img, 1, 1, 8, 3, [255, 0, 0]);
    const lit: string[] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 10; x++) if (img.data[4 * (y * 10 + x)] === 255) lit.push(`${x},${y}`);
    expect(lit).toContain('1,1');
    expect(lit).toContain('8,3');
    expect(lit).toHaveLength(8); // one pixel per column along the major axis
  });

  it('places the right image after the left one and connects matched keypoints', () => {
    const a = { width: 20, height: 10, data: new Uint8Array(800) };
    const b = { width: 20, height: 16, data: new Uint8Array(1280) };
    const k = (x: number, y: number) => ({ width: 20, height: 16, xy: Float32Array.from([x, y]) }) as Keypoints;
    const img = drawMatches(a, b, k(2.5, 2.5), k(10.5, 12.5), { pairs: Uint32Array.from([0, 0]), scores: Float32Array.from([1]) });
    expect([img.width, img.height]).toEqual([40, 16]);
    const green = (x: number, y: number) => img.data[4 * (y * 40 + x) + 1] > 150;
    expect(green(2, 2)).toBe(true);
    expect(green(30, 12)).toBe(true); // 20 (left width) + 10
    expect(green(15, 7) || green(16, 7)).toBe(true); // the segment (2,2)-(30,12) passes x = 15..16 at y = 7
  });
});
