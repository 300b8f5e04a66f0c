/**
 * turnImage / extractTurned: a photo turned in its image plane and keypoints mapped back
 * to the photo's pixels (turned-features.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../engine/io/image.js';
import type { FeatureExtractor, Keypoints } from '../../engine/pose/features.js';
import { extractTurned, turnImage } from '../../engine/pose/turned-features.js';
import { rng } from '../util/close.js';

function randomImage(w: number, h: number, seed: number): RgbaImage {
  const rand = rng(seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { width: w, height: h, data };
}

const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));

describe('turnImage', () => {
  it('turns by right angles as exact permutations of the pixels (clockwise on screen)', () => {
    const img = randomImage(7, 5, 1);
    const t = turnImage(img, 90);
    expect([t.image.width, t.image.height]).toEqual([5, 7]);
    // Clockwise: the photo's top-left pixel lands top-right, its bottom-left top-left.
    expect(px(t.image, 4, 0)).toEqual(px(img, 0, 0));
    expect(px(t.image, 0, 0)).toEqual(px(img, 0, 4));
    for (let y = 0; y < 7; y++) for (let x = 0; x < 5; x++) expect(px(t.image, x, y)).toEqual(px(img, y, 4 - x));
    // Four quarter turns give the photo back; 180° reverses both axes.
    let back = img;
    for (let k = 0; k < 4; k++) back = turnImage(back, 90).image;
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    const half = turnImage(img, 180).image;
    expect(px(half, 0, 0)).toEqual(px(img, 6, 4));
    expect(Array.from(turnImage(img, -90).image.data)).toEqual(Array.from(turnImage(img, 270).image.data));
  });

  it('maps turned pixel positions back to the photo (toSource), for any angle', () => {
    const img = randomImage(40, 30, 2);
    for (const deg of [45, 90, 135, 200, 315]) {
      const t = turnImage(img, deg);
      const r = (deg * Math.PI) / 180;
      // Forward map: p' = R (p - c) + c' with R clockwise (y down).
      const fwd = (x: number, y: number) => {
        const dx = x - 20;
        const dy = y - 15;
        return [Math.cos(r) * dx - Math.sin(r) * dy + t.image.width / 2, Math.sin(r) * dx + Math.cos(r) * dy + t.image.height / 2];
      };
      for (const [x, y] of [[3.5, 4.5], [20, 15], [39.5, 0.5], [11.25, 27.75]]) {
        const [u, v] = fwd(x, y);
        const [sx, sy] = t.toSource(u, v);
        expect(Math.abs(sx - x) + Math.abs(sy - y)).toBeLessThan(1e-9);
      }
      // A turned copy holds the whole photo: its corners land inside the canvas.
      for (const [x, y] of [[0, 0], [40, 0], [0, 30], [40, 30]]) {
        const [u, v] = fwd(x, y);
        expect(u).toBeGreaterThanOrEqual(-0.5);
        expect(v).toBeGreaterThanOrEqual(-0.5);
        expect(u).toBeLessThanOrEqual(t.image.width + 0.5);
        expect(v).toBeLessThanOrEqual(t.image.height + 0.5);
      }
      // Interior pixels are bilinear samples of the photo: the turned pixel at the photo's centre is close to its neighbourhood.
      const [cu, cv] = fwd(20.5, 15.5);
      const p = px(t.image, Math.floor(cu), Math.floor(cv));
      expect(p[3]).toBeGreaterThan(0);
    }
  });

  it('leaves the canvas outside the photo transparent at 45°', () => {
    const img: RgbaImage = { width: 20, height: 20, data: new Uint8Array(20 * 20 * 4).fill(200) };
    const t = turnImage(img, 45);
    expect(t.image.width).toBe(28);
    expect(px(t.image, 0, 0)[3]).toBe(0); // a corner of the canvas: no photo there
    expect(px(t.image, 14, 14)).toEqual([200, 200, 200, 200]);
  });
});

describe('extractTurned', () => {
  // An extractor that "detects" a keypoint at every 5th pixel centre of what it is given,
  // with the pixel's red value as its descriptor: what it sees is the turned copy.
  const gridExtractor: FeatureExtractor = {
    name: 'grid',
    async extract(img: RgbaImage): Promise<Keypoints> {
      const xy: number[] = [];
      const desc: number[] = [];
      for (let y = 2; y < img.height; y += 5) for (let x = 2; x < img.width; x += 5) {
        xy.push(x + 0.5, y + 0.5);
        desc.push(img.data[4 * (y * img.width + x)]);
      }
      return { width: img.width, height: img.height, xy: Float32Array.from(xy), scores: new Float32Array(xy.length / 2).fill(1), descriptors: Float32Array.from(desc), descriptorDim: 1, descriptorKind: 'float' };
    },
  };

  it('returns keypoints in the photo pixels whose descriptors are what the photo shows there', async () => {
    const img = randomImage(33, 21, 3);
    for (const deg of [90, 180, 270]) {
      const k = await extractTurned(gridExtractor, img, deg);
      expect([k.width, k.height]).toEqual([33, 21]);
      expect(k.xy.length / 2).toBeGreaterThan(20);
      for (let i = 0; i < k.xy.length / 2; i++) {
        const x = k.xy[2 * i] - 0.5;
        const y = k.xy[2 * i + 1] - 0.5;
        // right angles: pixel centres land on pixel centres, and the descriptor is that pixel's red
        expect(Number.isInteger(Math.round(x * 1e6) / 1e6)).toBe(true);
        expect(k.descriptors[i]).toBe(img.data[4 * (Math.round(y) * 33 + Math.round(x))]);
      }
      // Where they were described: the turned copy's pixels, for matchers that read positions.
      const t = turnImage(img, deg);
      expect([k.described!.width, k.described!.height]).toEqual([t.image.width, t.image.height]);
      for (let i = 0; i < k.xy.length / 2; i++) {
        const [sx, sy] = t.toSource(k.described!.xy[2 * i], k.described!.xy[2 * i + 1]);
        expect([sx, sy]).toEqual([k.xy[2 * i], k.xy[2 * i + 1]]);
      }
    }
  });

  it('drops keypoints on the blank corners and the photo edge of a 45° turn', async () => {
    const img = randomImage(60, 60, 4);
    const all = (await gridExtractor.extract(turnImage(img, 45).image)).xy.length / 2;
    const k = await extractTurned(gridExtractor, img, 45, undefined, 8);
    expect(k.xy.length / 2).toBeLessThan(all / 2 + 10);
    for (let i = 0; i < k.xy.length / 2; i++) {
      const [x, y] = [k.xy[2 * i], k.xy[2 * i + 1]];
      // at least ~8 px (along the turned axes: >= 8/sqrt(2) along the photo's) inside the photo
      expect(Math.min(x, y, 60 - x, 60 - y)).toBeGreaterThan(5);
    }
  });
});
