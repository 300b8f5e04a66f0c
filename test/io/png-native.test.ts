import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodePngPortable, encodePng16 } from '../../engine/io/image.js';
import { decodePngNative } from '../../engine/io/png-native.js';
import { rng } from '../util/close.js';
import { hasSharedData, SHARED } from '../util/shared-data.js';

/** Filter types used in a PNG's scanlines (to show which unfilter paths a file exercises). */
function filtersOf(img: { width: number; height: number }, bytes: Uint8Array, channels: number): Set<number> {
  const { inflateSync } = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const parts: Uint8Array[] = [];
  for (let o = 8; o < bytes.length; ) {
    const len = dv.getUint32(o);
    if (String.fromCharCode(...bytes.subarray(o + 4, o + 8)) === 'IDAT') parts.push(bytes.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(parts));
  const stride = img.width * channels + 1;
  return new Set(Array.from({ length: img.height }, (_, y) => raw[y * stride]));
}

describe('native-zlib PNG fast path', () => {
  it.runIf(hasSharedData)('decodes the dataset photos exactly as fast-png does (RGB fern, RGBA lego)', async () => {
    const used = new Set<number>();
    for (const [name, channels] of [['fern/images/001.png', 3], ['fern/images/019.png', 3], ['lego/images/train_000.png', 4]] as const) {
      const file = `${SHARED}/data/${name}`;
      const bytes = new Uint8Array(readFileSync(file));
      const got = decodePngNative(bytes)!;
      const want = decodePngPortable(bytes);
      expect(got, file).not.toBeNull();
      expect([got.width, got.height]).toEqual([want.width, want.height]);
      expect(Buffer.compare(Buffer.from(got.data), Buffer.from(want.data)), file).toBe(0);
      for (const f of filtersOf(got, bytes, channels)) used.add(f);
    }
    // The files exercise several scanline filters, Paeth (4) among them.
    expect(used.size).toBeGreaterThanOrEqual(3);
    expect(used.has(4)).toBe(true);
  });

  for (const channels of [1, 2, 3, 4] as const) {
    it(`matches fast-png on a random ${channels}-channel 8-bit PNG, and decodeImage takes the fast path`, async () => {
      const rand = rng(channels);
      const [w, h] = [37, 23];
      const data = new Uint8Array(w * h * channels).map((_, i) => ((i * 7) % 251) ^ Math.floor(rand() * 64));
      const bytes = encode({ width: w, height: h, data, channels, depth: 8 });
      const got = decodePngNative(bytes)!;
      const want = decodePngPortable(bytes);
      expect(got).not.toBeNull();
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
      expect(Array.from((await decodeImage(bytes)).data)).toEqual(Array.from(want.data));
    });
  }

  it('declines what it does not decode, so the caller falls back to decodeImage', () => {
    expect(decodePngNative(encodePng16(4, 3, new Uint16Array(12).fill(500)))).toBeNull(); // 16-bit
    const palette = encode({ width: 2, height: 2, data: new Uint8Array([0, 1, 1, 0]), channels: 1, depth: 8, palette: [[0, 0, 0], [255, 0, 0]] });
    expect(decodePngNative(palette)).toBeNull();
    expect(decodePngNative(new Uint8Array(readFileSync('assets/sample/photos/fern_001.jpg')))).toBeNull(); // JPEG
    const rand = rng(9);
    const good = encode({ width: 96, height: 64, data: new Uint8Array(96 * 64 * 3).map(() => Math.floor(rand() * 256)), channels: 3, depth: 8 });
    expect(decodePngNative(good)).not.toBeNull();
    const corrupt = good.slice();
    corrupt.fill(0x55, 200, 4000); // inside the compressed data
    expect(decodePngNative(corrupt)).toBeNull();
    expect(decodePngNative(good.subarray(0, good.length >> 1))).toBeNull(); // truncated
  });
});
