import { describe, expect, it } from 'vitest';
import { readU32, uploadStorage } from '../../engine/gpu/buffers.js';
import { floatToSortableU32, RadixSorter, sortableU32ToFloat } from '../../engine/gpu/sort.js';
import { rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** CPU reference: stable sort of (key, value) by key's low `bits` bits (Array.prototype.sort is stable). */
function sortRef(keys: Uint32Array, values: Uint32Array, bits: number): [Uint32Array, Uint32Array] {
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const order = Array.from(keys, (_k, i) => i);
  order.sort((a, b) => ((keys[a] & mask) >>> 0) - ((keys[b] & mask) >>> 0));
  return [Uint32Array.from(order, (i) => keys[i]), Uint32Array.from(order, (i) => values[i])];
}

function randomKeys(n: number, seed: number, max = 2 ** 32): Uint32Array {
  const rand = rng(seed);
  return Uint32Array.from({ length: n }, () => Math.floor(rand() * max) >>> 0);
}

const iota = (n: number) => Uint32Array.from({ length: n }, (_v, i) => i);

function firstMismatch(got: Uint32Array, ref: Uint32Array): string {
  for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) return `[${i}]: got ${got[i]}, want ${ref[i]}`;
  return 'none';
}

async function gpuSort(keys: Uint32Array, values: Uint32Array, bits: number, sorter?: RadixSorter): Promise<[Uint32Array, Uint32Array]> {
  const gpu = await testGpu();
  const own = sorter ?? new RadixSorter(gpu);
  const k = uploadStorage(gpu, keys);
  const v = uploadStorage(gpu, values);
  const enc = gpu.device.createCommandEncoder();
  own.encode(enc, k, v, keys.length, bits);
  gpu.device.queue.submit([enc.finish()]);
  const out: [Uint32Array, Uint32Array] = [await readU32(gpu, k, keys.length), await readU32(gpu, v, keys.length)];
  k.destroy();
  v.destroy();
  if (!sorter) own.dispose();
  return out;
}

async function expectSorted(keys: Uint32Array, bits: number, sorter?: RadixSorter, values = iota(keys.length)): Promise<void> {
  const [gotK, gotV] = await gpuSort(keys, values, bits, sorter);
  const [refK, refV] = sortRef(keys, values, bits);
  expect(firstMismatch(gotK, refK), `keys, n=${keys.length} bits=${bits}`).toBe('none');
  // Values = input index, so an exact match also proves stability and that the output is a permutation.
  expect(firstMismatch(gotV, refV), `values, n=${keys.length} bits=${bits}`).toBe('none');
}

// Both scatter variants (direct, and staged in workgroup memory for coalesced writes) are checked
// whatever the adapter's default is.
for (const localSort of [false, true]) {
  describe(`RadixSorter (localSort: ${localSort})`, () => {
    const sizes = [1, 2, 3, 255, 256, 257, 1000, 1023, 1024, 1025, 4099, 65537];
    for (const n of localSort ? sizes : [...sizes, 1_000_003]) {
      it(`sorts ${n} random 32-bit keys exactly like a stable CPU sort`, async () => {
        const sorter = new RadixSorter(await testGpu(), { localSort });
        await expectSorted(randomKeys(n, 100 + n), 32, sorter);
        sorter.dispose();
      });
    }

    it('sorts by the low `bits` bits only, for bits = 1..32 (odd pass counts included)', async () => {
      const sorter = new RadixSorter(await testGpu(), { localSort });
      // Full 32-bit keys: the bits above `bits` must be ignored, yet carried along unchanged.
      const keys = randomKeys(2500, 7);
      for (let bits = 1; bits <= 32; bits++) await expectSorted(keys, bits, sorter);
      sorter.dispose();
    });

    it('folds the tile grid into 2-D when tiles exceed the per-dimension limit', async () => {
      // 10 tiles with at most 3 workgroups per dimension: a 3x4 grid with two idle workgroups.
      const sorter = new RadixSorter(await testGpu(), { localSort, maxWorkgroupsPerDimension: 3 });
      await expectSorted(randomKeys(10 * 1024 - 300, 13), 32, sorter);
      sorter.dispose();
    });

    it('is stable with few distinct keys and a partial last tile', async () => {
      const sorter = new RadixSorter(await testGpu(), { localSort });
      await expectSorted(randomKeys(3 * 1024 + 517, 9, 5), 32, sorter);
      sorter.dispose();
    });
  });
}

describe('RadixSorter', () => {
  it('keeps input order for all-equal keys', async () => {
    const n = 5000;
    const [, v] = await gpuSort(new Uint32Array(n).fill(12345), iota(n), 32);
    expect(firstMismatch(v, iota(n))).toBe('none');
  });

  it('sorts max keys (0xffffffff) mixed with 0 and 0x80000000', async () => {
    const rand = rng(3);
    const choices = [0xffffffff, 0, 0x80000000, 0x7fffffff];
    const keys = Uint32Array.from({ length: 3000 }, () => choices[Math.floor(rand() * 4)]);
    await expectSorted(keys, 32);
  });

  it('is stable among equal keys (few distinct keys, explicit check)', async () => {
    const keys = randomKeys(20_000, 5, 8);
    const [k, v] = await gpuSort(keys, iota(keys.length), 3);
    for (let i = 1; i < k.length; i++) {
      expect(k[i - 1] <= k[i], `keys ordered at ${i}`).toBe(true);
      if (k[i - 1] === k[i]) expect(v[i - 1] < v[i], `stable at ${i}`).toBe(true);
    }
    // Same multiset of keys: each value points back at its key.
    for (let i = 0; i < k.length; i++) expect(keys[v[i]]).toBe(k[i]);
  });

  it('reuses one sorter for several sizes, growing its scratch, in one encoder', async () => {
    const gpu = await testGpu();
    const sorter = new RadixSorter(gpu);
    const a = randomKeys(300, 1);
    const b = randomKeys(40_000, 2, 1 << 20);
    const [ka, va, kb, vb] = [a, iota(a.length), b, iota(b.length)].map((x) => uploadStorage(gpu, x));
    const enc = gpu.device.createCommandEncoder();
    sorter.encode(enc, ka, va, a.length, 32);
    sorter.encode(enc, kb, vb, b.length, 20);
    gpu.device.queue.submit([enc.finish()]);
    const [refKa, refVa] = sortRef(a, iota(a.length), 32);
    const [refKb, refVb] = sortRef(b, iota(b.length), 20);
    expect(firstMismatch(await readU32(gpu, ka, a.length), refKa)).toBe('none');
    expect(firstMismatch(await readU32(gpu, va, a.length), refVa)).toBe('none');
    expect(firstMismatch(await readU32(gpu, kb, b.length), refKb)).toBe('none');
    expect(firstMismatch(await readU32(gpu, vb, b.length), refVb)).toBe('none');
    sorter.dispose();
  });

  it('maps f32 depths to order-preserving keys on the GPU and sorts them', async () => {
    const gpu = await testGpu();
    const rand = rng(4);
    const depths = Float32Array.from({ length: 3000 }, () => (rand() - 0.3) * 10 ** (rand() * 8 - 4));
    depths.set([0, -0, Infinity, -Infinity, 1e-40, -1e-40], 0);
    const sorter = new RadixSorter(gpu);
    const f = uploadStorage(gpu, depths);
    const keys = uploadStorage(gpu, new Uint32Array(depths.length));
    const values = uploadStorage(gpu, iota(depths.length));
    const enc = gpu.device.createCommandEncoder();
    sorter.encodeFloatKeys(enc, f, keys, depths.length);
    sorter.encode(enc, keys, values, depths.length, 32);
    gpu.device.queue.submit([enc.finish()]);
    const order = await readU32(gpu, values, depths.length);
    const sortedKeys = await readU32(gpu, keys, depths.length);
    for (let i = 1; i < order.length; i++) expect(depths[order[i - 1]] <= depths[order[i]], `at ${i}`).toBe(true);
    for (let i = 0; i < order.length; i++) expect(sortedKeys[i]).toBe(floatToSortableU32(depths[order[i]]));
    sorter.dispose();
  });

  it('float key map: CPU round trip and order', () => {
    const xs = [-Infinity, -3.4e38, -1, -1e-40, -0, 0, 1e-40, 1, 3.4e38, Infinity];
    for (let i = 0; i < xs.length; i++) {
      expect(Object.is(sortableU32ToFloat(floatToSortableU32(xs[i])), Math.fround(xs[i]))).toBe(true);
      if (i > 0) expect(floatToSortableU32(xs[i - 1]) < floatToSortableU32(xs[i])).toBe(true);
    }
  });
});
