import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { CoherenceRegularizer } from '../../engine/train/regularizers/coherence.js';
import { coherenceRef, gridNeighbours } from '../../engine/train/regularizers/reference/coherence-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

function grid(cols: number, rows: number, seed: number) {
  const rand = rng(seed);
  const cell = new Int32Array(cols * rows).fill(-1);
  let n = 0;
  for (let i = 0; i < cell.length; i++) if (rand() > 0.15) cell[i] = n++; // holes where depth was not confident
  const neighbours = gridNeighbours(cell, cols, rows, n);
  const initial = Float64Array.from({ length: n * 3 }, () => gaussian(rand));
  const means = initial.map((v) => v + 0.1 * gaussian(rand));
  return { n, neighbours, initial, means };
}

describe('coherence regularizer', () => {
  it('has symmetric neighbours, a finite-difference-exact gradient, and zero loss under a rigid translation', () => {
    const { n, neighbours, initial, means } = grid(9, 7, 1);
    for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) {
      const j = neighbours[i * 4 + k];
      if (j >= 0) expect(Array.from(neighbours.subarray(j * 4, j * 4 + 4))).toContain(i);
    }
    const ref = coherenceRef(means, initial, neighbours, 0.7);
    const h = 1e-6;
    for (let j = 0; j < means.length; j++) {
      const p = Float64Array.from(means); p[j] += h;
      const m = Float64Array.from(means); m[j] -= h;
      const fd = (coherenceRef(p, initial, neighbours, 0.7).loss - coherenceRef(m, initial, neighbours, 0.7).loss) / (2 * h);
      expect(Math.abs(fd - ref.vMeans[j])).toBeLessThan(1e-8); // quadratic loss: central differences are exact up to rounding
    }
    const shifted = initial.map((v, i) => v + [0.3, -1, 2][i % 3]);
    expect(coherenceRef(shifted, initial, neighbours, 0.7).loss).toBeLessThan(1e-20);
  });

  it('GPU matches the reference', async () => {
    const gpu = await testGpu();
    const { n, neighbours, initial, means } = grid(40, 30, 2);
    const ref = coherenceRef(Float32Array.from(means), Float32Array.from(initial), neighbours, 0.5);
    const v = uploadStorage(gpu, new Float32Array(n * 3).fill(2));
    const reg = new CoherenceRegularizer(gpu);
    submit(gpu, (enc) =>
      reg.encode(enc, n, ref.edges, { means: uploadStorage(gpu, Float32Array.from(means)), initialMeans: uploadStorage(gpu, Float32Array.from(initial)), neighbours: uploadStorage(gpu, neighbours), vMeans: v }, 0.5),
    );
    // Differences of O(1) f32 values: absolute error ~1e-7 times 2w/E.
    expectAllClose('vMeans', await readF32(gpu, v, n * 3), Float64Array.from(ref.vMeans, (x) => x + 2), 1e-7, 1e-5);
    reg.dispose();
  });
});

describe('mutual kNN graph', () => {
  it('is symmetric, links true neighbours and counts each edge once', async () => {
    const { mutualKnnGraph } = await import('../../engine/train/regularizers/knn-graph.js');
    // Points on a jittered 10x10 grid with spacing 1: mutual 4-NN are the grid neighbours,
    // plus a few diagonals between border points that have only 2-3 grid neighbours.
    const rand = rng(5);
    const xyz = new Float32Array(100 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) xyz.set([x + 0.01 * rand(), y + 0.01 * rand(), 0.01 * rand()], (y * 10 + x) * 3);
    const { neighbours, edges } = mutualKnnGraph(xyz, 4);
    let directed = 0;
    let unit = 0;
    for (let i = 0; i < 100; i++) for (let k = 0; k < 4; k++) {
      const j = neighbours[i * 4 + k];
      if (j < 0) continue;
      directed++;
      expect(Array.from(neighbours.subarray(j * 4, j * 4 + 4))).toContain(i);
      const d = Math.hypot(xyz[i * 3] - xyz[j * 3], xyz[i * 3 + 1] - xyz[j * 3 + 1]);
      expect(d).toBeLessThan(1.5);
      if (d < 1.1) unit++;
    }
    expect(unit).toBeGreaterThanOrEqual(2 * 170);
    expect(edges * 2).toBe(directed);
    expect(edges).toBeGreaterThan(150); // a 10x10 grid has 180 edges; border ties may drop a few
  });
});
