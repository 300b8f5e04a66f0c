import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../engine/io/image.js';
import type { Keypoints } from '../../engine/pose/features.js';
import { createOrbBackend, matchBinary, toGray } from '../../engine/pose/orb.js';
import { rng } from '../util/close.js';

function randomKeypoints(n: number, bytes: number, rand: () => number): Keypoints {
  const descriptors = new Uint8Array(n * bytes).map(() => Math.floor(rand() * 256));
  return { width: 100, height: 100, xy: new Float32Array(2 * n), scores: new Float32Array(n), descriptors, descriptorDim: bytes, descriptorKind: 'binary' };
}

function hamming(a: Uint8Array, i: number, b: Uint8Array, j: number, bytes: number): number {
  let d = 0;
  for (let k = 0; k < bytes; k++) {
    let x = a[i * bytes + k] ^ b[j * bytes + k];
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}

describe('binary brute-force matching', () => {
  for (const bytes of [32, 61]) {
    it(`equals a plain-loop reference with ratio test and mutual check (${bytes}-byte descriptors)`, () => {
      const rand = rng(bytes);
      const a = randomKeypoints(150, bytes, rand);
      const b = randomKeypoints(170, bytes, rand);
      // Plant 60 true matches: copies with a few flipped bits.
      for (let k = 0; k < 60; k++) {
        const i = k * 2;
        const j = 169 - k;
        const bd = b.descriptors as Uint8Array;
        bd.set((a.descriptors as Uint8Array).subarray(i * bytes, (i + 1) * bytes), j * bytes);
        for (let f = 0; f < 6; f++) bd[j * bytes + Math.floor(rand() * bytes)] ^= 1 << Math.floor(rand() * 8);
      }
      const got = matchBinary(a, b, 0.8, 0.3);
      const A = a.descriptors as Uint8Array;
      const B = b.descriptors as Uint8Array;
      const want: number[] = [];
      for (let i = 0; i < 150; i++) {
        const d = Array.from({ length: 170 }, (_, j) => hamming(A, i, B, j, bytes));
        const j = d.indexOf(Math.min(...d));
        const sorted = [...d].sort((x, y) => x - y);
        const col = Array.from({ length: 150 }, (_, k) => hamming(A, k, B, j, bytes));
        if (sorted[0] <= 0.3 * bytes * 8 && sorted[0] < 0.8 * sorted[1] && col.indexOf(Math.min(...col)) === i) want.push(i, j);
      }
      expect(Array.from(got.pairs)).toEqual(want);
      // The planted matches are found (random pairs sit near bytes*4 bits apart).
      expect(got.pairs.length / 2).toBeGreaterThanOrEqual(58);
    });
  }
});

describe('classical extractors on a real photo', () => {
  for (const detector of ['orb', 'akaze'] as const) {
    it(`${detector}: keypoints inside the image, descriptors of the documented size`, async () => {
      const img = await decodeImage(new Uint8Array(readFileSync('assets/sample/photos/fern_001.jpg')));
      const be = createOrbBackend({ detector, maxKeypoints: 800 });
      expect(be.name).toBe(`${detector}+bf`);
      const k = await be.extractor.extract(img);
      const n = k.xy.length / 2;
      expect(n).toBeGreaterThan(300);
      expect(n).toBeLessThanOrEqual(800);
      expect(k.descriptorDim).toBe(detector === 'orb' ? 32 : 61);
      expect(k.descriptors.length).toBe(n * k.descriptorDim);
      for (let i = 0; i < n; i++) {
        expect(k.xy[2 * i]).toBeGreaterThanOrEqual(0);
        expect(k.xy[2 * i]).toBeLessThanOrEqual(img.width);
        expect(k.xy[2 * i + 1]).toBeLessThanOrEqual(img.height);
      }
    });
  }
});

describe('toGray', () => {
  it('equals the plain formula (luminance composited over white) on every pixel, opaque ones included', () => {
    const rand = rng(17);
    const n = 5000;
    const data = new Uint8Array(4 * n).map(() => Math.floor(rand() * 256));
    // A third of the pixels opaque (the fast path), a few fully transparent.
    for (let i = 0; i < n; i++) data[4 * i + 3] = i % 3 === 0 ? 255 : i % 17 === 0 ? 0 : data[4 * i + 3];
    const got = toGray({ width: n, height: 1, data });
    for (let i = 0; i < n; i++) {
      const a = data[4 * i + 3] / 255;
      const y = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2];
      expect(got[i], `pixel ${i}`).toBe(Math.round(y * a + 255 * (1 - a)));
    }
  });
});

