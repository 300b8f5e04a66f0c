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

  it('unfilters every scanline filter (None, Sub, Up, Average, Paeth) for 1-4 channels exactly as fast-png', () => {
    const zlib = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
    /** An 8-bit PNG whose row y uses filter filters[y % 5]: the filtered bytes by the PNG spec. */
    const pngWithFilters = (w: number, h: number, channels: number, px: Uint8Array, filters: number[]) => {
      const stride = w * channels;
      const raw = new Uint8Array(h * (stride + 1));
      for (let y = 0; y < h; y++) {
        const f = filters[y % filters.length];
        raw[y * (stride + 1)] = f;
        for (let x = 0; x < stride; x++) {
          const a = x >= channels ? px[y * stride + x - channels] : 0;
          const b = y > 0 ? px[(y - 1) * stride + x] : 0;
          const c = y > 0 && x >= channels ? px[(y - 1) * stride + x - channels] : 0;
          const p = a + b - c;
          const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
          const pred = [0, a, b, (a + b) >> 1, paeth][f];
          raw[y * (stride + 1) + 1 + x] = (px[y * stride + x] - pred) & 0xff;
        }
      }
      const chunk = (type: string, body: Uint8Array) => {
        const out = Buffer.alloc(12 + body.length);
        out.writeUInt32BE(body.length, 0);
        out.write(type, 4, 'latin1');
        out.set(body, 8);
        out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
        return out;
      };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(w, 0);
      ihdr.writeUInt32BE(h, 4);
      ihdr.set([8, { 1: 0, 2: 4, 3: 2, 4: 6 }[channels]!, 0, 0, 0], 8);
      return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0))]));
    };
    const rand = rng(21);
    for (const channels of [1, 2, 3, 4]) {
      const [w, h] = [29, 17];
      // Smooth-ish values with noise, so that predictions and wrap-around both occur.
      const px = new Uint8Array(w * h * channels).map((_, i) => (i * 13 + Math.floor(rand() * 90)) & 0xff);
      // Every filter on the first row too (where Up, Average and Paeth see no row above).
      for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 1, 3, 0], [3, 0, 4, 2, 1], [1, 2, 3, 4, 0]]) {
        const bytes = pngWithFilters(w, h, channels, px, order);
        const got = decodePngNative(bytes)!;
        const want = decodePngPortable(bytes);
        expect(got, `${channels} channels, filters ${order}`).not.toBeNull();
        expect(Buffer.compare(Buffer.from(got.data), Buffer.from(want.data)), `${channels} channels, filters ${order}`).toBe(0);
        expect(filtersOf(got, bytes, channels)).toEqual(new Set(order));
      }
    }
  });
});

