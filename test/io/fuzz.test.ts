/**
 * Fuzz: thousands of mutated and truncated files thrown at every reader. Each must
 * either decode to finite values or throw FormatError naming the file; anything else
 * (RangeError from a huge allocation, TypeError, a hang) fails. Allocation is watched
 * through the process's ArrayBuffer total.
 */
import { gunzipSync, gzipSync, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeCompressedPly, encodeCompressedPly } from '../../engine/io/compressed-ply.js';
import { decodeGlb, encodeGlb } from '../../engine/io/gltf.js';
import { decodePly, encodePly } from '../../engine/io/ply.js';
import { decodeScene } from '../../engine/io/scene-file.js';
import { decodeSog, encodeSog } from '../../engine/io/sog.js';
import { decodeSplat, encodeSplat } from '../../engine/io/splat.js';
import { decodeSpz, encodeSpz } from '../../engine/io/spz.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { rng } from '../util/close.js';
import { randomScene } from './scenes.js';

type Mutator = (src: Uint8Array, rand: () => number) => Uint8Array;

const pick = (rand: () => number, n: number) => Math.floor(rand() * n);

/** Byte-level mutations, biased towards the first `hot` bytes (headers, tables). */
function mutate(src: Uint8Array, rand: () => number, hot: number): Uint8Array {
  const kind = pick(rand, 6);
  const at = () => (rand() < 0.6 ? pick(rand, Math.min(hot, src.length)) : pick(rand, src.length));
  switch (kind) {
    case 0: return src.subarray(0, pick(rand, src.length)); // truncate
    case 1: { // flip bits
      const b = src.slice();
      for (let k = 1 + pick(rand, 4); k > 0; k--) b[at()] ^= 1 << pick(rand, 8);
      return b;
    }
    case 2: { // random bytes
      const b = src.slice();
      for (let k = 1 + pick(rand, 8); k > 0; k--) b[at()] = pick(rand, 256);
      return b;
    }
    case 3: { // extreme 32-bit values (counts, sizes, floats: 0xffffffff, 0x7f800000 = Inf, NaN)
      const b = src.slice();
      const o = at() & ~3;
      if (o + 4 <= b.length) new DataView(b.buffer).setUint32(o, [0xffffffff, 0x7fffffff, 0x7f800000, 0x7fc00000, 0x80000000, 0][pick(rand, 6)], true);
      return b;
    }
    case 4: { // digits in a text header
      const b = src.slice();
      for (let k = 0; k < 3; k++) {
        const o = at();
        if (b[o] >= 0x30 && b[o] <= 0x39) b[o] = 0x30 + pick(rand, 10);
      }
      return b;
    }
    default: { // insert or delete a run
      const o = at();
      const len = 1 + pick(rand, 16);
      if (rand() < 0.5) return Uint8Array.from([...src.subarray(0, o), ...src.subarray(o + len)]);
      return Uint8Array.from([...src.subarray(0, o), ...Array.from({ length: len }, () => pick(rand, 256)), ...src.subarray(o)]);
    }
  }
}

function allFinite(s: GaussianScene): boolean {
  for (const arr of [s.means, s.logScales, s.quats, s.opacityLogits, s.sh]) for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) return false;
  return true;
}

interface Target {
  name: string;
  seed: Uint8Array;
  decode: (b: Uint8Array, file: string) => GaussianScene | Promise<GaussianScene>;
  hot: number;
  /** Optional inner mutator: for compressed containers, mutate the payload and re-compress. */
  inner?: Mutator;
}

async function targets(): Promise<Target[]> {
  const s1 = randomScene(40, 1, 3);
  const s3 = randomScene(20, 3, 4);
  const spz3 = await encodeSpz(s1, { version: 3 });
  const spz2 = await encodeSpz(s3, { version: 2 });
  return [
    { name: 'ply', seed: encodePly(s1), decode: decodePly, hot: 700 },
    { name: 'ply-ascii', seed: new TextEncoder().encode(`ply\nformat ascii 1.0\nelement vertex 2\n${['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'].map((p) => `property float ${p}`).join('\n')}\nend_header\n1 2 3 0.1 0.2 0.3 0 -1 -1 -1 1 0 0 0\n4 5 6 0.1 0.2 0.3 0 -1 -1 -1 1 0 0 0\n`), decode: decodePly, hot: 400 },
    { name: 'compressed-ply', seed: encodeCompressedPly(randomScene(300, 1, 5)), decode: decodeCompressedPly, hot: 900 },
    { name: 'spz-v3', seed: spz3, decode: decodeSpz, hot: 64, inner: (src, rand) => gzipSync(mutate(gunzipSync(src), rand, 64)) },
    { name: 'spz-v2', seed: spz2, decode: decodeSpz, hot: 64, inner: (src, rand) => gzipSync(mutate(gunzipSync(src), rand, 64)) },
    { name: 'spz-v4', seed: await encodeSpz(s3, { version: 4 }), decode: decodeSpz, hot: 140 },
    { name: 'splat', seed: encodeSplat(s1), decode: decodeSplat, hot: 64 },
    { name: 'glb', seed: encodeGlb(s3), decode: decodeGlb, hot: 2000 },
    {
      name: 'sog',
      seed: await encodeSog(randomScene(30, 1, 6)),
      decode: decodeSog,
      hot: 200,
      // Mutate one entry (often meta.json) and re-zip, so the checks past the container are reached.
      inner: (src, rand) => {
        const files = unzipSync(src);
        const names = Object.keys(files);
        const name = rand() < 0.5 ? 'meta.json' : names[pick(rand, names.length)];
        files[name] = mutate(files[name], rand, 200) as Uint8Array<ArrayBuffer>;
        return zipSync(files, { level: 0 });
      },
    },
    { name: 'auto', seed: encodePly(s3), decode: (b, f) => decodeScene(b, f), hot: 400 },
  ];
}

describe('reader fuzz', () => {
  it('every reader survives thousands of mutated files: FormatError or finite scene, bounded memory', async () => {
    const rand = rng(12345);
    const ITER = 250;
    let peakArrayBuffers = 0;
    const counts: Record<string, { ok: number; rejected: number }> = {};
    for (const t of await targets()) {
      // The unmutated seed must decode.
      expect(allFinite(await t.decode(t.seed, `${t.name}.seed`))).toBe(true);
      counts[t.name] = { ok: 0, rejected: 0 };
      for (let it = 0; it < ITER; it++) {
        const bytes = t.inner && rand() < 0.5 ? t.inner(t.seed, rand) : mutate(t.seed, rand, t.hot);
        const file = `${t.name}-${it}.bin`;
        try {
          const s = await t.decode(bytes, file);
          if (!allFinite(s)) throw new Error(`${file}: decoded a non-finite value`);
          counts[t.name].ok++;
        } catch (e) {
          const err = e as Error;
          if (err.name !== 'FormatError' || !err.message.startsWith(`${file}: `)) {
            throw new Error(`${t.name} iteration ${it}: ${err.name}: ${err.message}\n${err.stack}`);
          }
          counts[t.name].rejected++;
        }
        if (it % 25 === 0) peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
      }
    }
    // Every target saw both outcomes (the mutations reach past the first check) ...
    if (process.env.FUZZ_DEBUG) console.log(counts);
    for (const [name, c] of Object.entries(counts)) expect(c.rejected, name).toBeGreaterThan(ITER / 10);
    // ... and nothing allocated more than a bounded amount (seeds are < 100 KB; 256 MB is far above
    // the worst accepted claim, which the readers cap by file size or codec expansion ratio).
    expect(peakArrayBuffers).toBeLessThan(256 * 2 ** 20);
  }, 60_000);
});
