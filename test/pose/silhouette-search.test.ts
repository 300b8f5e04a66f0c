/**
 * The silhouette search (coherence scoring, coarse rotation search, Nelder-Mead
 * refinement) and the placement loop on a synthetic ellipsoid object with known cameras
 * (silhouette-synthetic.ts): a held-out view is recovered from silhouettes alone, and
 * photos without alpha are reported with the reason. Pairs and symmetric objects:
 * silhouette-pair.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
import { buildCoherenceModel, coherenceScore } from '../../engine/pose/silhouette-coherence.js';
import { carveHull, hullBounds, type HullView } from '../../engine/pose/silhouette-hull.js';
import { cameraAtMask, maskFromAlpha, type SilhouetteMask } from '../../engine/pose/silhouette-mask.js';
import { placeBySilhouettes } from '../../engine/pose/silhouette-placement.js';
import { searchGroupPose } from '../../engine/pose/silhouette-search.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';
import { ASYMMETRIC, orbitCamera, renderObject, type Ellipsoid } from './silhouette-synthetic.js';

const RING5: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];
const RING8: [number, number][] = [[0, 30], [45, 60], [90, 15], [135, 45], [180, 25], [225, 55], [270, 20], [315, 40]];

function masked(obj: Ellipsoid[], cam: Camera): HullView {
  const mask = maskFromAlpha(renderObject(obj, cam)) as SilhouetteMask;
  return { camera: cameraAtMask(cam, mask), mask };
}

/** Orientation error (degrees) of the centre direction too: a camera can be rotated right but misplaced. */
function centreAngleDeg(a: Camera, b: Camera): number {
  const ca = cameraCenter(a);
  const cb = cameraCenter(b);
  const dot = (ca[0] * cb[0] + ca[1] * cb[1] + ca[2] * cb[2]) / (Math.hypot(...ca) * Math.hypot(...cb));
  return (Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

describe('silhouette coherence', () => {
  it('is ~1 for the true pose of a new view and drops for a wrong one', () => {
    const placed = RING5.map(([a, e]) => masked(ASYMMETRIC, orbitCamera(a, e)));
    const model = buildCoherenceModel(carveHull(placed, hullBounds(placed)!, 48), placed);
    const truth = masked(ASYMMETRIC, orbitCamera(110, 35));
    const right = coherenceScore(model, [truth])!;
    // The hull and the masks are rasterised at ~1 px: a few boundary rays are lost.
    expect(right.score).toBeGreaterThan(0.97);
    const wrong = coherenceScore(model, [{ camera: cameraAtMask(orbitCamera(290, 35), truth.mask), mask: truth.mask }])!;
    expect(wrong.score).toBeLessThan(right.score - 0.05);
  });
});

describe('silhouette search', () => {
  it('recovers a held-out camera from the silhouettes alone', () => {
    const placed = RING8.map(([a, e]) => masked(ASYMMETRIC, orbitCamera(a, e)));
    const bounds = hullBounds(placed)!;
    const fine = carveHull(placed, bounds, 64);
    const models = { coarse: buildCoherenceModel(carveHull(placed, bounds, 32), placed, { raysPerView: 96 }), fine: buildCoherenceModel(fine, placed) };
    const truth = orbitCamera(110, 35);
    const view = masked(ASYMMETRIC, truth);
    // The search starts from an unknown pose: the view's own frame is the identity.
    const res = searchGroupPose(models, [{ camera: { ...view.camera, R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] }, mask: view.mask }], 4);
    if ('reason' in res) throw new Error(res.reason);
    const got = { ...truth, ...res.best.poses[0] };
    // Silhouettes at 96 px against an 8-view hull pin the pose to a few degrees.
    expect(rotationAngleDeg(got.R, truth.R)).toBeLessThan(4);
    expect(centreAngleDeg(got, truth)).toBeLessThan(4);
    expect(res.best.score).toBeGreaterThan(0.97);
    expect(res.runnerUp).not.toBeNull();
    expect(res.runnerUp!.score).toBeLessThan(res.best.score);
  });

  it('reports photos without alpha, and too few masked placed views, by reason', () => {
    const cams = [...RING5, [110, 35]].map(([a, e]) => orbitCamera(a, e, 48));
    const names = cams.map((_, i) => `view${i}`);
    const opaque = (c: Camera) => {
      const img = renderObject(ASYMMETRIC, c);
      for (let p = 3; p < img.data.length; p += 4) img.data[p] = 255;
      return img;
    };
    const placed = cams.map((_, i) => i < 5);
    const noAlpha = placeBySilhouettes({ names, images: cams.map((c, i) => (i === 5 ? opaque(c) : renderObject(ASYMMETRIC, c))), cameras: cams, placed, pairs: [] });
    expect(noAlpha.placed.size).toBe(0);
    expect(noAlpha.refused.get(5)).toMatch(/^the photo has no alpha mask/);
    const placedOpaque = placeBySilhouettes({ names, images: cams.map((c, i) => (i === 0 || i === 5 ? renderObject(ASYMMETRIC, c) : opaque(c))), cameras: cams, placed, pairs: [] });
    expect(placedOpaque.refused.get(5)).toMatch(/needs at least 2 placed views with alpha masks to carve a visual hull \(have 1\)/);
  });
});
