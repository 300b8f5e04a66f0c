import { describe, expect, it } from 'vitest';
import { mutualKnnGraph, remapNeighbourTable } from '../../engine/train/regularizers/knn-graph.js';
import { rampFactor, trustedDepth } from '../../engine/train/regularizers/sparse-view.js';

describe('sparse-view schedule and prior helpers', () => {
  it('rampFactor: zero before the start, linear over the ramp, one after; one without a run length', () => {
    // Starts at 20% of 1000 steps, full weight 50 steps later.
    expect(rampFactor(100, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(199, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(200, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(225, 1000, 0.2, 0.05)).toBeCloseTo(0.5, 12);
    expect(rampFactor(250, 1000, 0.2, 0.05)).toBeCloseTo(1, 12);
    expect(rampFactor(900, 1000, 0.2, 0.05)).toBe(1);
    // No ramp: a step function at the start.
    expect(rampFactor(199, 1000, 0.2, 0)).toBe(0);
    expect(rampFactor(200, 1000, 0.2, 0)).toBe(1);
    // Unknown run length (a trainer view without cfg): the schedule cannot apply, full weight.
    expect(rampFactor(1, undefined, 0.2, 0.05)).toBe(1);
    expect(rampFactor(1, 0, 0.2, 0.05)).toBe(1);
  });

  it('trustedDepth keeps measured depth and drops hole-filled pixels (confidence 0)', () => {
    const depth = Float32Array.from([5, 6, 7, 8, 9, 10]);
    const confidence = Float32Array.from([1, 0, 0.3, 0, 0.01, 1]);
    const t = trustedDepth({ width: 3, height: 2, depth, confidence });
    expect(Array.from(t)).toEqual([5, 0, 7, 0, 9, 10]);
    // The input is not modified (the correlation term still reads the full prior with its mask).
    expect(Array.from(depth)).toEqual([5, 6, 7, 8, 9, 10]);
  });
});

describe('coherence graph after densification', () => {
  it('keeps kept-to-kept edges, drops pruned ones, gives new rows none, stays symmetric', () => {
    // 5 points in a line, mutual kNN (k = 2 of 4 slots) on their positions.
    const xyz = Float32Array.from([0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0]);
    const g = mutualKnnGraph(xyz, 2);
    // Prune old row 2; clone old row 0; split old row 4 (parent pruned, two children appended).
    const keep = Uint32Array.from([0, 1, 3]);
    const append = Uint32Array.from([0, 4, 4]);
    const r = remapNeighbourTable(g.neighbours, xyz, 4, keep, append);
    const n = keep.length + append.length;
    expect(r.neighbours.length).toBe(n * 4);
    const nb = (i: number) => Array.from(r.neighbours.subarray(4 * i, 4 * i + 4)).filter((j) => j >= 0).sort();
    // Old edges 0-1, 1-2, 2-3, 3-4 (and 0-2, 1-3, 2-4 where mutual); kept rows are 0, 1, 3 -> new 0, 1, 2.
    const oldNb = (i: number) => Array.from(g.neighbours.subarray(4 * i, 4 * i + 4)).filter((j) => j >= 0);
    const newOf = new Map([[0, 0], [1, 1], [3, 2]]);
    for (const [old, now] of newOf) {
      const expected = oldNb(old).filter((j) => newOf.has(j)).map((j) => newOf.get(j)!).sort();
      expect(nb(now)).toEqual(expected);
    }
    for (let i = keep.length; i < n; i++) expect(nb(i)).toEqual([]);
    for (let i = 0; i < n; i++) for (const j of nb(i)) expect(nb(j)).toContain(i);
    let slots = 0;
    for (let i = 0; i < n; i++) slots += nb(i).length;
    expect(r.edges).toBe(slots / 2);
    expect(r.edges).toBeLessThan(g.edges);
    // Initial positions follow their source rows (the clone and split children take their parent's).
    expect(Array.from(r.initialMeans.subarray(6, 9))).toEqual([3, 0, 0]);
    expect(Array.from(r.initialMeans.subarray(9, 12))).toEqual([0, 0, 0]);
    expect(Array.from(r.initialMeans.subarray(12, 15))).toEqual([4, 0, 0]);
  });
});
