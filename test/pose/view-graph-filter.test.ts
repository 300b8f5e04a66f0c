import { describe, expect, it } from 'vitest';
import { expSO3, mul3, tr3, type Mat3 } from '../../engine/pose/linalg.js';
import type { VerifiedPair } from '../../engine/pose/two-view.js';
import { filterViewGraph, rotationConsensus, triangleErrorDeg } from '../../engine/pose/view-graph-filter.js';
import { gaussian, rng } from '../util/close.js';

/**
 * View graphs with known absolute rotations. A pair's relative rotation is the true
 * one (R_b R_a^T) times a random error rotation of `noiseDeg` (the two-view estimate's
 * error); matches are not needed by the filter, only counts.
 */
function randomRotations(n: number, rand: () => number): Mat3[] {
  return Array.from({ length: n }, () => expSO3([gaussian(rand), gaussian(rand), gaussian(rand)]));
}

function perturbed(R: Mat3, deg: number, rand: () => number): Mat3 {
  const axis = [gaussian(rand), gaussian(rand), gaussian(rand)];
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  const a = (deg * Math.PI) / 180;
  return mul3(expSO3([(axis[0] / n) * a, (axis[1] / n) * a, (axis[2] / n) * a]), R);
}

function pair(a: number, b: number, R: Mat3, inliers: number, putative = Math.round(inliers * 1.3)): VerifiedPair {
  return { a, b, pairs: new Uint32Array(0), inlierCount: inliers, putativeCount: putative, relPose: { R, t: [1, 0, 0] }, medianAngleDeg: 10 };
}

const truePair = (abs: Mat3[], a: number, b: number, inliers: number, noiseDeg: number, rand: () => number) =>
  pair(a, b, perturbed(mul3(abs[b], tr3(abs[a])), noiseDeg, rand), inliers);

const key = (p: VerifiedPair) => `${p.a}-${p.b}`;

describe('view-graph filter', () => {
  it('triangle error is zero for exact rotations and the error angle for a perturbed pair', () => {
    const rand = rng(3);
    const abs = randomRotations(3, rand);
    const p01 = truePair(abs, 0, 1, 100, 0, rand);
    const p12 = truePair(abs, 1, 2, 100, 0, rand);
    const p02 = truePair(abs, 0, 2, 100, 0, rand);
    expect(triangleErrorDeg(p01, p12, p02, 0, 1, 2)).toBeLessThan(1e-6);
    const bad = truePair(abs, 0, 2, 100, 40, rand);
    // A 40° error on one pair closes the loop 40° off (float64 round-off only).
    expect(Math.abs(triangleErrorDeg(p01, p12, bad, 0, 1, 2) - 40)).toBeLessThan(1e-6);
  });

  it('rejects a wrong pair with as many inliers as the right ones, keeps every right pair', () => {
    const rand = rng(11);
    const abs = randomRotations(6, rand);
    const pairs: VerifiedPair[] = [];
    // Right pairs carry up to 8° of two-view error (measured on lego: <= 16° per pair).
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) pairs.push(truePair(abs, a, b, 150 + Math.floor(rand() * 100), 8 * rand(), rand));
    // The symmetric-object failure: view 4 matched "front to back" against view 1.
    const wrongIndex = pairs.findIndex((p) => p.a === 1 && p.b === 4);
    pairs[wrongIndex] = pair(1, 4, perturbed(mul3(abs[4], tr3(abs[1])), 150, rand), 220);
    const res = filterViewGraph(6, pairs);
    expect(res.rejected.map((r) => [key(r.pair), r.why])).toEqual([['1-4', 'loop-inconsistent']]);
    expect(res.kept.length).toBe(14);
    for (const k of res.kept) {
      // 4 triangles per pair in 6 views, one fewer for pairs of view 1 or 4 (1-4 is gone).
      expect(k.consistentTriangles).toBe(k.pair.a === 1 || k.pair.b === 4 || k.pair.a === 4 || k.pair.b === 1 ? 3 : 4);
      expect(k.inconsistentTriangles).toBe(0);
    }
  });

  it('rejects several wrong pairs that outnumber, but not outweigh, the right ones around a view', () => {
    const rand = rng(12);
    const abs = randomRotations(5, rand);
    const pairs: VerifiedPair[] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) pairs.push(truePair(abs, a, b, 300, 3 * rand(), rand));
    // View 0's pairs with 2, 3 and 4 all wrong, each in a different way (not a consistent alternative).
    for (const b of [2, 3, 4]) pairs[pairs.findIndex((p) => p.a === 0 && p.b === b)] = pair(0, b, perturbed(mul3(abs[b], tr3(abs[0])), 90 + 30 * b, rand), 60);
    const res = filterViewGraph(5, pairs);
    expect(res.rejected.map((r) => key(r.pair)).sort()).toEqual(['0-2', '0-3', '0-4']);
    expect(res.rejected.every((r) => r.why === 'loop-inconsistent' || r.why === 'weak-unconfirmed')).toBe(true);
    expect(res.kept.map((k) => key(k.pair))).toContain('0-1');
  });

  it('drops a weak wrong bridge between two groups but keeps a weak right pair confirmed by a triplet', () => {
    const rand = rng(13);
    const abs = randomRotations(5, rand);
    const pairs = [
      truePair(abs, 0, 1, 300, 2, rand),
      truePair(abs, 1, 2, 280, 2, rand),
      truePair(abs, 0, 2, 45, 5, rand), // weak (45 < 0.35 x 280) but closes a consistent loop with 0-1, 1-2
      truePair(abs, 3, 4, 250, 2, rand),
      // The lego case: views 2 and 3 see the symmetric object from opposite sides; their
      // pair is wrong but no loop contains it. Both views have far better partners.
      pair(2, 3, perturbed(mul3(abs[3], tr3(abs[2])), 170, rand), 40),
    ];
    const res = filterViewGraph(5, pairs);
    expect(res.rejected.map((r) => [key(r.pair), r.why])).toEqual([['2-3', 'weak-unconfirmed']]);
    const weakKept = res.kept.find((k) => key(k.pair) === '0-2')!;
    expect(weakKept.weak).toBe(true);
    expect(weakKept.consistentTriangles).toBe(1);
  });

  it('applies the inlier minimums with their reasons', () => {
    const rand = rng(14);
    const abs = randomRotations(3, rand);
    const pairs = [truePair(abs, 0, 1, 200, 1, rand), truePair(abs, 1, 2, 15, 1, rand), pair(0, 2, mul3(abs[2], tr3(abs[0])), 30, 200)];
    const res = filterViewGraph(3, pairs);
    const why = Object.fromEntries(res.rejected.map((r) => [key(r.pair), r.why]));
    expect(why).toEqual({ '1-2': 'few-inliers', '0-2': 'low-inlier-ratio' });
    expect(res.kept.map((k) => key(k.pair))).toEqual(['0-1']);
  });

  it('keeps a dense graph of noisy right pairs intact (fern-like, 12 views, up to 12° per pair)', () => {
    const rand = rng(15);
    const abs = randomRotations(12, rand);
    const pairs: VerifiedPair[] = [];
    for (let a = 0; a < 12; a++) for (let b = a + 1; b < 12; b++) pairs.push(truePair(abs, a, b, 30 + Math.floor(rand() * 300), 12 * rand() ** 3, rand));
    const res = filterViewGraph(12, pairs);
    expect(res.rejected).toEqual([]);
    expect(res.kept.length).toBe(66);
  });

  it('consensus rotations equal the true ones up to a global rotation', () => {
    const rand = rng(16);
    const abs = randomRotations(5, rand);
    const pairs: VerifiedPair[] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) pairs.push(truePair(abs, a, b, 100, 0, rand));
    const { rotations, disagreeing } = rotationConsensus(5, pairs, 30, 20);
    expect(disagreeing).toEqual([]);
    // R_i = R_true_i G for one G: R_i R_true_i^T is the same for every i.
    const G = mul3(tr3(abs[0]), rotations[0]!);
    for (let i = 1; i < 5; i++) {
      const Gi = mul3(tr3(abs[i]), rotations[i]!);
      for (let k = 0; k < 9; k++) expect(Math.abs(Gi[k] - G[k])).toBeLessThan(1e-9);
    }
  });
});
