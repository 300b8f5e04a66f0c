/**
 * Masks, visual hull and the hull's silhouette renderer of the silhouette fallback, on a
 * synthetic object of ellipsoids rendered exactly (silhouette-synthetic.ts).
 */
import { describe, expect, it } from 'vitest';
import { carveHull, hullBounds, type HullView } from '../../engine/pose/silhouette-hull.js';
import { cameraAtMask, maskFromAlpha, softIoU, type SilhouetteMask } from '../../engine/pose/silhouette-mask.js';
import { recarveCoverageLoss } from '../../engine/pose/silhouette-placement.js';
import { renderHullSilhouette, renderHullSilhouetteRef } from '../../engine/pose/silhouette-render.js';
import { rng } from '../util/close.js';
import { ASYMMETRIC, insideObject, orbitCamera, renderObject } from './silhouette-synthetic.js';

const RING: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];

function hullViews(size: number): HullView[] {
  return RING.map(([a, e]) => {
    const cam = orbitCamera(a, e, size);
    const mask = maskFromAlpha(renderObject(ASYMMETRIC, cam), { maxSide: size }) as SilhouetteMask;
    return { camera: cameraAtMask(cam, mask), mask };
  });
}

describe('silhouette masks', () => {
  it('box-filters the alpha channel to the working resolution', () => {
    const cam = orbitCamera(30, 35, 192);
    const mask = maskFromAlpha(renderObject(ASYMMETRIC, cam), { maxSide: 96 });
    if ('reason' in mask) throw new Error(mask.reason);
    expect([mask.width, mask.height, mask.scaleX, mask.scaleY]).toEqual([96, 96, 0.5, 0.5]);
    // The same object rendered directly at 96 px: masks differ only along the outline
    // (3x3 supersampling vs a 2x2 box of 3x3-supersampled pixels).
    const direct = maskFromAlpha(renderObject(ASYMMETRIC, cameraAtMask(cam, mask)), { maxSide: 96 }) as SilhouetteMask;
    expect(softIoU(mask.alpha, direct.alpha)).toBeGreaterThan(0.95);
    expect(mask.coverage).toBeGreaterThan(0.05);
    expect(mask.coverage).toBeLessThan(0.5);
  });

  it('gives no mask, with the reason, for opaque or empty photos', () => {
    const opaque = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(255) };
    expect(maskFromAlpha(opaque)).toEqual({ reason: expect.stringMatching(/no alpha mask \(0\.0% of pixels transparent/) });
    const empty = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4) };
    expect(maskFromAlpha(empty)).toEqual({ reason: expect.stringMatching(/empty silhouette/) });
  });
});

describe('visual hull', () => {
  it('holds the object when carved from 1-px dilated masks', () => {
    const views = hullViews(64);
    const bounds = hullBounds(views)!;
    const hull = carveHull(views, bounds, 40, { dilatePx: 1 });
    const rand = rng(5);
    let tested = 0;
    let missing = 0;
    while (tested < 3000) {
      const p = [2 * rand() - 1, 2 * rand() - 1, 2 * rand() - 1];
      if (!insideObject(ASYMMETRIC, p)) continue;
      tested++;
      const ijk = [0, 1, 2].map((a) => Math.floor((p[a] - hull.origin[a]) / hull.voxel));
      if (ijk.some((x) => x < 0 || x >= hull.n) || !hull.occupied[(ijk[2] * hull.n + ijk[1]) * hull.n + ijk[0]]) missing++;
    }
    expect(missing).toBe(0);
    // Without the dilation it reproduces the silhouettes it was carved from (not a blob
    // filling the cube); the bound leaves room for the ~1 px anti-aliased edge at 64 px.
    const tight = carveHull(views, bounds, 40);
    for (const v of views) expect(softIoU(renderHullSilhouette(tight.surface, tight.voxel, v.camera).image, v.mask.alpha)).toBeGreaterThan(0.8);
    expect(tight.occupiedCount).toBeLessThan(hull.occupiedCount);
    expect(hull.occupiedCount).toBeLessThan(0.2 * hull.n ** 3);
  });

  it('renders the hull silhouette like float64 ray casting against its voxels', () => {
    const views = hullViews(48);
    const hull = carveHull(views, hullBounds(views)!, 20);
    for (const [a, e] of [[110, 35], [250, 60], [20, 10]]) {
      const cam = orbitCamera(a, e, 48);
      const ref = renderHullSilhouetteRef(hull, cam);
      const fast = renderHullSilhouette(hull.surface, hull.voxel, cam);
      expect(fast.behind).toBe(false);
      const bin = Uint8Array.from(fast.image, (x) => (x >= 0.5 ? 1 : 0));
      // Discs of the voxels' mean outline area stand in for their exact outlines: the
      // two agree up to one pixel along the silhouette's edge and nowhere else.
      expect(softIoU(bin, ref)).toBeGreaterThan(0.88);
      const W = cam.width;
      const edge = (p: number) => {
        const x = p % W;
        const y = Math.floor(p / W);
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const q = (y + dy) * W + x + dx;
            if (x + dx >= 0 && x + dx < W && y + dy >= 0 && y + dy < cam.height && ref[q] !== ref[p]) return true;
          }
        }
        return false;
      };
      for (let p = 0; p < ref.length; p++) if (bin[p] !== ref[p]) expect(edge(p), `pixel ${p % W},${Math.floor(p / W)} differs away from the edge`).toBe(true);
    }
  });

  it('re-carving with a right new view keeps the placed silhouettes covered; a wrong one carves them away', () => {
    const views = hullViews(64);
    const bounds = hullBounds(views)!;
    const truth = orbitCamera(110, 35, 64);
    const mask = maskFromAlpha(renderObject(ASYMMETRIC, truth), { maxSide: 64 }) as SilhouetteMask;
    const right = recarveCoverageLoss(views, [{ camera: cameraAtMask(truth, mask), mask }], bounds, 48);
    // A right view only trims hull parts no placed view needed: ~1 px rounding at most.
    expect(Math.max(...right)).toBeLessThan(0.03);
    // The same silhouette from the opposite side (a front/back confusion).
    const flipped = recarveCoverageLoss(views, [{ camera: cameraAtMask(orbitCamera(290, 35, 64), mask), mask }], bounds, 48);
    expect(Math.max(...flipped)).toBeGreaterThan(0.08);
  });

  it('flags cameras inside the hull', () => {
    const views = hullViews(48);
    const hull = carveHull(views, hullBounds(views)!, 20);
    const inside = { ...orbitCamera(0, 0, 48), t: [0, 0, 0.1] };
    expect(renderHullSilhouette(hull.surface, hull.voxel, inside).behind).toBe(true);
  });
});
