import { describe, expect, it } from 'vitest';
import type { Dataset, Frame } from '../../engine/io/dataset/types.js';
import { FrameImages } from '../../engine/io/dataset/images.js';
import { encodePng } from '../../engine/io/image.js';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { visualHullPoints } from '../../engine/train/init-visual-hull.js';
import { Rng } from '../../engine/math/random.js';

/** A unit sphere at the origin seen by 6 cameras on a ring: masks are exact discs. */
function sphereDataset(): { dataset: Dataset; masks: FrameImages } {
  const W = 48, H = 48;
  const cams = Array.from({ length: 6 }, (_, k) => {
    const a = (k / 6) * 2 * Math.PI;
    return lookAtCamera([4 * Math.cos(a), 0.8 * Math.sin(2 * a), 4 * Math.sin(a)], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 40, fy: 40 });
  });
  const pngs = cams.map((c) => {
    const data = new Uint8Array(W * H * 4);
    const d = Math.hypot(...c.t); // distance to the centre
    const r = (c.fx * 1) / Math.sqrt(d * d - 1); // radius of the sphere's silhouette in pixels
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const inside = Math.hypot(x + 0.5 - c.cx, y + 0.5 - c.cy) < r;
      data.set([200, 100, 50, inside ? 255 : 0], i);
    }
    return encodePng({ width: W, height: H, data });
  });
  const frames: Frame[] = cams.map((camera, k) => ({ name: `v${k}.png`, camera, imagePath: `v${k}.png`, imageSize: [W, H] }));
  const dataset = { root: '/', kind: 'transforms', frames, split: { train: [0, 1, 2, 3, 4, 5], test: [], source: 'file' }, hasAlpha: true, extent: 4.4, center: [0, 0, 0] } as unknown as Dataset;
  const masks = new FrameImages(frames, { alpha: 'mask', readBytes: async (f) => pngs[frames.indexOf(f)] });
  return { dataset, masks };
}

describe('visual hull initialisation', () => {
  it('keeps points inside the carved hull of a sphere, coloured by the object', async () => {
    const { dataset, masks } = sphereDataset();
    const { xyz, rgb, tried } = await visualHullPoints(dataset, 300, new Rng(1), { masks });
    const n = xyz.length / 3;
    expect(n).toBe(300);
    expect(tried).toBeGreaterThan(n); // most rays through the disc miss the hull: carving rejected them
    for (let i = 0; i < n; i++) {
      // Six views carve a polyhedral hull around the unit sphere; with pixel quantisation
      // every kept point must lie within ~1.35 of the centre (frustum points reach 8.8).
      expect(Math.hypot(xyz[i * 3], xyz[i * 3 + 1], xyz[i * 3 + 2])).toBeLessThan(1.35);
      expect(rgb[i * 3]).toBeCloseTo(200 / 255, 2); // unpremultiplied object colour, not the background
    }
  });
});
