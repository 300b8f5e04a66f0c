import { describe, expect, it } from 'vitest';
import { readF32, readU32, uploadStorage } from '../../engine/gpu/buffers.js';
import { Adam } from '../../engine/train/adam.js';
import { densifyRowIndices, gatherRows, RowGather, ZERO_ROW, zeroAppended } from '../../engine/train/gather.js';
import { adamStepRef } from '../../engine/train/reference/adam-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** CPU reference gather: plain loops. */
function gatherRef(src: Uint32Array, rowSize: number, indices: Uint32Array): Uint32Array {
  const rows = src.length / rowSize;
  const out = new Uint32Array(indices.length * rowSize);
  for (let r = 0; r < indices.length; r++)
    for (let c = 0; c < rowSize; c++) out[r * rowSize + c] = indices[r] === ZERO_ROW || indices[r] >= rows ? 0 : src[indices[r] * rowSize + c];
  return out;
}

describe('row gather for densification', () => {
  it('builds index lists: prune drops rows, appends go last, zeroAppended zeroes them', () => {
    const rows = densifyRowIndices(6, [0, 1, 0, 0, 1, 0], [5, 0, 5]);
    expect(Array.from(rows.indices)).toEqual([0, 2, 3, 5, 5, 0, 5]);
    expect(rows.keptCount).toBe(4);
    expect(Array.from(zeroAppended(rows))).toEqual([0, 2, 3, 5, ZERO_ROW, ZERO_ROW, ZERO_ROW]);
    expect(() => densifyRowIndices(3, [0, 1], [])).toThrow(/prune mask/);
    expect(() => densifyRowIndices(3, null, [3])).toThrow(/out of range/);
  });

  for (const rowSize of [1, 3, 4, 48]) {
    it(`gathers rows of ${rowSize} words exactly (clone, prune, zero rows)`, async () => {
      const gpu = await testGpu();
      const rand = rng(rowSize);
      const n = 1500;
      const src = Uint32Array.from({ length: n * rowSize }, () => Math.floor(rand() * 2 ** 32));
      const prune = Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      const append = Array.from({ length: 400 }, () => Math.floor(rand() * n));
      const rows = densifyRowIndices(n, prune, append);
      const indices = Uint32Array.from(rows.indices);
      indices[7] = ZERO_ROW;
      const buf = uploadStorage(gpu, src);
      const out = gatherRows(gpu, buf, rowSize, indices, n);
      const got = await readU32(gpu, out, indices.length * rowSize);
      const ref = gatherRef(src, rowSize, indices);
      let bad = -1;
      for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) { bad = i; break; }
      expect(bad).toBe(-1);
      buf.destroy();
      out.destroy();
    });
  }

  it('gathers in row ranges when buffers exceed the binding limit', async () => {
    const gpu = await testGpu();
    const rand = rng(77);
    const [n, rowSize] = [1000, 5];
    const src = Uint32Array.from({ length: n * rowSize }, () => Math.floor(rand() * 2 ** 32));
    const rows = densifyRowIndices(n, Uint8Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0)), Array.from({ length: 300 }, () => Math.floor(rand() * n)));
    const indices = zeroAppended({ indices: rows.indices, keptCount: rows.keptCount + 150 }); // half the appends zeroed
    // 4096-byte limit: 192 rows of 5 words per range -> 6 destination x 6 source ranges.
    const gather = new RowGather(gpu, { maxBindingBytes: 4096 });
    const srcBuf = uploadStorage(gpu, src);
    const idxBuf = uploadStorage(gpu, indices);
    const dst = uploadStorage(gpu, new Uint32Array(indices.length * rowSize).fill(0xdeadbeef)); // stale contents must go
    const enc = gpu.device.createCommandEncoder();
    gather.encode(enc, srcBuf, dst, rowSize, idxBuf, indices.length, n);
    gpu.device.queue.submit([enc.finish()]);
    const got = await readU32(gpu, dst, indices.length * rowSize);
    const ref = gatherRef(src, rowSize, indices);
    let bad = -1;
    for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) { bad = i; break; }
    expect(bad).toBe(-1);
    gather.dispose();
  });

  it('rejects an out-of-range index with a clear message', async () => {
    const gpu = await testGpu();
    const buf = uploadStorage(gpu, new Float32Array(6));
    expect(() => gatherRows(gpu, buf, 3, new Uint32Array([0, 2]), 2)).toThrow(/index 2 at 1 is out of range/);
    buf.destroy();
  });

  it('keeps Adam moments aligned with parameters through clone + prune (GPU vs CPU)', async () => {
    const gpu = await testGpu();
    const rand = rng(42);
    const rowSize = 3;
    let n = 400;
    let refP = Float64Array.from({ length: n * rowSize }, () => gaussian(rand));
    let refM = new Float64Array(n * rowSize);
    let refV = new Float64Array(n * rowSize);
    const adam = new Adam(gpu);
    let params = uploadStorage(gpu, Float32Array.from(refP));
    let { m, v } = adam.createMoments(n * rowSize);
    let grads = uploadStorage(gpu, new Float32Array(n * rowSize));
    // Per-row gradient that depends on the row's identity, so a misaligned row gets the wrong one.
    let rowId = Float64Array.from({ length: n }, (_v, i) => i);
    const step = (t: number) => {
      const g = new Float32Array(n * rowSize);
      for (let r = 0; r < n; r++) for (let c = 0; c < rowSize; c++) g[r * rowSize + c] = Math.sin(rowId[r] * 0.37 + c + t);
      gpu.device.queue.writeBuffer(grads, 0, g);
      const enc = gpu.device.createCommandEncoder();
      adam.encodeStep(enc, { params, grads, m, v, count: n * rowSize }, 0.01, t);
      gpu.device.queue.submit([enc.finish()]);
      adamStepRef(refP, g, refM, refV, 0.01, t);
    };
    for (let t = 1; t <= 3; t++) step(t);

    // Densify: prune every 5th row, clone 50 rows; clones copy params and moments (the rows are the same
    // Gaussian), like gsplat's duplicate.
    const prune = Uint8Array.from({ length: n }, (_v, i) => (i % 5 === 0 ? 1 : 0));
    const append = Array.from({ length: 50 }, (_v, j) => (j * 7 + 1) % n);
    const rows = densifyRowIndices(n, prune, append);
    const cpuGather = (a: Float64Array) => Float64Array.from(Array.from(rows.indices).flatMap((s) => [...a.subarray(s * rowSize, (s + 1) * rowSize)]));
    [refP, refM, refV] = [cpuGather(refP), cpuGather(refM), cpuGather(refV)];
    rowId = Float64Array.from(rows.indices, (s) => rowId[s]);
    const next = [params, m, v].map((b) => gatherRows(gpu, b, rowSize, rows.indices, n));
    for (const b of [params, m, v, grads]) b.destroy();
    [params, m, v] = next;
    n = rows.indices.length;
    grads = uploadStorage(gpu, new Float32Array(n * rowSize));

    for (let t = 4; t <= 6; t++) step(t);
    const maxM = refM.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    // Same f32-vs-float64 budget as the Adam test.
    expectAllClose('params', await readF32(gpu, params, n * rowSize), refP, 1e-6, 1e-5);
    expectAllClose('m', await readF32(gpu, m, n * rowSize), refM, 1e-6 * maxM, 1e-5);
    expectAllClose('v', await readF32(gpu, v, n * rowSize), refV, 0, 1e-5);
    adam.dispose();
  });
});
