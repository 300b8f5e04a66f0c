/** Area-averaging downscale of RGBA photos (engine/io/image-resize.ts) against a float64 reference. */
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../engine/io/image.js';
import { downscaleToMaxSide, resizeRgbaArea } from '../../engine/io/image-resize.js';
import { rng } from '../util/close.js';

/** Each output pixel: the alpha-weighted mean colour and the mean alpha of the source area it covers (float64, 2D). */
function reference(img: RgbaImage, w: number, h: number): number[] {
  const out: number[] = [];
  const sx = img.width / w;
  const sy = img.height / h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const acc = [0, 0, 0, 0];
      let area = 0;
      for (let j = Math.floor(y * sy); j < Math.ceil((y + 1) * sy); j++) {
        for (let i = Math.floor(x * sx); i < Math.ceil((x + 1) * sx); i++) {
          const cover = (Math.min(i + 1, (x + 1) * sx) - Math.max(i, x * sx)) * (Math.min(j + 1, (y + 1) * sy) - Math.max(j, y * sy));
          if (cover <= 0) continue;
          const p = 4 * (j * img.width + i);
          const a = img.data[p + 3];
          for (let c = 0; c < 3; c++) acc[c] += cover * a * img.data[p + c];
          acc[3] += cover * a;
          area += cover;
        }
      }
      const alpha = acc[3] / area;
      out.push(...[0, 1, 2].map((c) => (acc[3] > 0 ? acc[c] / acc[3] : 0)), alpha);
    }
  }
  return out;
}

function randomImage(w: number, h: number, seed: number, alpha: 'opaque' | 'random'): RgbaImage {
  const rand = rng(seed);
  const data = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 && alpha === 'opaque' ? 255 : Math.floor(rand() * 256)));
  return { width: w, height: h, data };
}

describe('resizeRgbaArea', () => {
  it('matches the float64 area average for any factor, opaque and with alpha', () => {
    for (const [W, H, w, h, alpha] of [[40, 30, 13, 11, 'opaque'], [37, 23, 10, 7, 'random'], [64, 48, 32, 24, 'random'], [50, 50, 49, 3, 'opaque']] as const) {
      const img = randomImage(W, H, W + h, alpha);
      const got = resizeRgbaArea(img, w, h);
      expect([got.width, got.height]).toEqual([w, h]);
      const ref = reference(img, w, h);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) {
        // colour is undefined where the area is fully transparent
        if (i % 4 !== 3 && ref[i - (i % 4) + 3] === 0) continue;
        worst = Math.max(worst, Math.abs(got.data[i] - ref[i]));
      }
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-6); // 8-bit rounding of the exact mean
    }
  });

  it('keeps a masked edge its colour (premultiplied averaging): red next to transparent black stays red', () => {
    const img: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 0, 0, 0, 0]) };
    expect(Array.from(resizeRgbaArea(img, 1, 1).data)).toEqual([255, 0, 0, 128]);
  });
});

describe('downscaleToMaxSide', () => {
  it('brings the long side to the limit, keeps the aspect, and never upscales', () => {
    const img = randomImage(400, 300, 1, 'opaque');
    const small = downscaleToMaxSide(img, 160);
    expect([small.width, small.height]).toEqual([160, 120]);
    const tall = downscaleToMaxSide(randomImage(300, 400, 2, 'opaque'), 160);
    expect([tall.width, tall.height]).toEqual([120, 160]);
    expect(downscaleToMaxSide(img, 400)).toBe(img);
    expect(downscaleToMaxSide(img, 1000)).toBe(img);
  });
});
