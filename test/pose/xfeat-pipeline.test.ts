/**
 * XFeat plumbing through the real onnxruntime-web session with a tiny graph of the
 * same I/O (xfeat-tiny-model.ts): letterboxing, heatmap, NMS, top-k, descriptor
 * sampling/normalization, and keypoints mapped back to the original image for
 * landscape, portrait and downscaled photos.
 */
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../engine/io/image.js';
import type { ModelSource } from '../../engine/models/ort-session.js';
import { XFeatExtractor } from '../../engine/pose/xfeat.js';
import { letterboxFor, letterboxImage, modelToOriginal, originalToModel } from '../../engine/pose/xfeat-preprocess.js';
import { tinyXFeatModel } from './xfeat-tiny-model.js';

const SIZE = 64;
const tiny: ModelSource = { key: 'tiny-xfeat-64', load: async () => tinyXFeatModel(SIZE) };

/** Black image with white squares of side `dot` whose centres are at `centres` (continuous px). */
function dots(width: number, height: number, centres: [number, number][], dot: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data[4 * i + 3] = 255;
  for (const [cx, cy] of centres) {
    const x0 = Math.round(cx - dot / 2);
    const y0 = Math.round(cy - dot / 2);
    for (let y = y0; y < y0 + dot; y++) for (let x = x0; x < x0 + dot; x++) data.fill(255, 4 * (y * width + x), 4 * (y * width + x) + 3);
  }
  return { width, height, data };
}

describe('letterbox', () => {
  it('fits the long side, centres the short side, and round-trips coordinates', () => {
    for (const [w, h] of [[504, 378], [378, 504], [4032, 3024], [10, 640]]) {
      const box = letterboxFor(w, h, 640);
      expect(Math.max(box.innerWidth, box.innerHeight)).toBe(640);
      expect(box.offsetX * 2 + box.innerWidth).toBeGreaterThanOrEqual(639);
      expect(box.offsetY * 2 + box.innerHeight).toBeGreaterThanOrEqual(639);
      const [mx, my] = originalToModel(box, w * 0.3, h * 0.7);
      const [x, y] = modelToOriginal(box, mx, my);
      expect(Math.abs(x - w * 0.3)).toBeLessThan(1e-9 * w);
      expect(Math.abs(y - h * 0.7)).toBeLessThan(1e-9 * h);
    }
  });

  it('preserves a constant image and pads with its mean', () => {
    const img = dots(40, 20, [], 0);
    for (let i = 0; i < 40 * 20; i++) img.data.fill(128, 4 * i, 4 * i + 3);
    const { input, box } = letterboxImage(img, SIZE);
    // Constant input: every resampled pixel (normalized weights) and the padding equal 128/255.
    for (let i = 0; i < input.length; i++) expect(Math.abs(input[i] - 128 / 255)).toBeLessThan(1e-5);
    expect(box.innerHeight).toBe(32);
  });
});

/**
 * Dot centres (original pixels) that land in the middle of 8x8 model cells: a spot a few
 * model pixels wide then stays inside one cell. (Across a cell border the tiny graph's
 * per-cell softmax gives two exactly equal peaks, which real XFeat logits never do.)
 */
function cellCentres(w: number, h: number): [number, number][] {
  const box = letterboxFor(w, h, SIZE);
  const cells: [number, number][] = [];
  for (const [cx, cy] of [[0.2, 0.25], [0.5, 0.5], [0.8, 0.75]]) {
    const mx = Math.floor((box.offsetX + cx * box.innerWidth) / 8) * 8 + 4;
    const my = Math.floor((box.offsetY + cy * box.innerHeight) / 8) * 8 + 4;
    cells.push(modelToOriginal(box, mx, my));
  }
  return cells;
}

describe('XFeat extractor on a tiny graph (real ONNX session)', () => {
  const extractor = new XFeatExtractor({ model: tiny });

  it('reads the fixed input size from the graph', async () => {
    expect(await extractor.inputSize()).toBe(SIZE);
  });

  // Dots lie in distinct 8x8 model cells, far apart (> NMS window) and away from the border.
  const cases: { name: string; w: number; h: number; dot: number; centres: [number, number][] }[] = [
    { name: 'landscape', w: 50, h: 30, dot: 1, centres: [[10.5, 8.5], [25.5, 15.5], [40.5, 22.5]] },
    { name: 'portrait', w: 30, h: 50, dot: 1, centres: [[8.5, 10.5], [15.5, 25.5], [22.5, 40.5]] },
    { name: 'downscaled landscape', w: 200, h: 120, dot: 6, centres: cellCentres(200, 120) },
    { name: 'downscaled portrait', w: 120, h: 200, dot: 6, centres: cellCentres(120, 200) },
  ];
  for (const c of cases) {
    it(`maps keypoints back to the original image (${c.name})`, async () => {
      const img = dots(c.w, c.h, c.centres, c.dot);
      const k = await extractor.extract(img, 100);
      expect(k.width).toBe(c.w);
      expect(k.height).toBe(c.h);
      expect(k.xy.length / 2).toBe(c.centres.length);
      const scale = SIZE / Math.max(c.w, c.h);
      // The detected peak is a whole model pixel: up to half a model pixel from the dot
      // centre, plus up to half again where the resampled spot straddles two pixels.
      const tol = 1 / scale;
      for (const [cx, cy] of c.centres) {
        let best = Infinity;
        for (let i = 0; i < k.xy.length / 2; i++) best = Math.min(best, Math.hypot(k.xy[2 * i] - cx, k.xy[2 * i + 1] - cy));
        expect(best).toBeLessThanOrEqual(tol);
      }
      // Scores sorted best first, descriptors unit length.
      for (let i = 1; i < k.scores.length; i++) expect(k.scores[i]).toBeLessThanOrEqual(k.scores[i - 1]);
      for (let i = 0; i < k.xy.length / 2; i++) {
        let n = 0;
        for (let d = 0; d < k.descriptorDim; d++) n += (k.descriptors[i * k.descriptorDim + d] as number) ** 2;
        expect(Math.abs(Math.sqrt(n) - 1)).toBeLessThan(1e-5);
      }
    });
  }

  it('keeps the top-k by score and detects nothing on a blank image', async () => {
    const centres: [number, number][] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) centres.push([6.5 + 12 * i, 6.5 + 12 * j]);
    const img = dots(50, 50, centres, 1);
    // Vary brightness so scores differ: dimmer dots rank lower.
    centres.forEach(([x, y], n) => {
      const p = 4 * (Math.floor(y) * 50 + Math.floor(x));
      img.data.fill(255 - 8 * n, p, p + 3);
    });
    const all = await extractor.extract(img, 100);
    expect(all.xy.length / 2).toBe(16);
    const top = await extractor.extract(img, 5);
    expect(top.xy.length / 2).toBe(5);
    expect(Array.from(top.xy)).toEqual(Array.from(all.xy.slice(0, 10)));
    const blank = await extractor.extract(dots(50, 50, [], 0), 100);
    expect(blank.xy.length).toBe(0);
    // Transparent pixels count as white (NeRF-synthetic convention): the white dot on a
    // fully transparent black image disappears into a white background (the opaque
    // version is detected above).
    const transparentDots = dots(50, 50, [[20.5, 20.5]], 1);
    for (let i = 0; i < 50 * 50; i++) transparentDots.data[4 * i + 3] = 0;
    expect((await extractor.extract(transparentDots, 100)).xy.length).toBe(0);
  });
});

describe('XFeat extractMany', () => {
  it('reports a step per image and stops when cancelled', async () => {
    const extractor = new XFeatExtractor({ model: tiny });
    const img = dots(40, 30, [[10.5, 10.5]], 1);
    const steps: number[] = [];
    const ks = await extractor.extractMany([img, img, img], { onEvent: (e) => e.type === 'step' && steps.push(e.step) });
    expect(ks).toHaveLength(3);
    expect(steps).toEqual([1, 2, 3]);
    const ctl = new AbortController();
    ctl.abort();
    await expect(extractor.extractMany([img], { signal: ctl.signal })).rejects.toThrow('cancelled');
  });
});
