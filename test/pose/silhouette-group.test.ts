/**
 * The group similarity search (silhouette-group-search.ts) on synthetic objects with known
 * cameras (silhouette-synthetic.ts): a group of views given in its own frame (an arbitrary
 * similarity away from the world, as its own SfM model gives it) with its sparse points.
 * An asymmetric object: the group lands within a few degrees, with a clear lead over every
 * placement rotated > 30° away. A symmetric one (a lone ellipsoid: 180° turns map it onto
 * itself, points and silhouettes alike): no lead, so the placement must be refused.
 */
import { describe, expect, it } from 'vitest';
import { expSO3, mul3, rotationAngleDeg, tr3 } from '../../engine/pose/linalg.js';
import { buildCoherenceModel } from '../../engine/pose/silhouette-coherence.js';
import { searchGroupSimilarity } from '../../engine/pose/silhouette-group-search.js';
import { carveHull, hullBounds, type HullView } from '../../engine/pose/silhouette-hull.js';
import { cameraAtMask, maskFromAlpha, type SilhouetteMask } from '../../engine/pose/silhouette-mask.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';
import { ASYMMETRIC, SYMMETRIC, orbitCamera, renderObject, surfacePoints, type Ellipsoid } from './silhouette-synthetic.js';

const RING5: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];
const GROUP: [number, number][] = [[110, 35], [150, 15], [190, 45]];
const SIZE = 64;

function masked(obj: Ellipsoid[], cam: Camera): HullView {
  const mask = maskFromAlpha(renderObject(obj, cam)) as SilhouetteMask;
  return { camera: cameraAtMask(cam, mask), mask };
}


// The group frame: X_g = a Q X_w + b (an arbitrary similarity, as a separate SfM model has).
const Q = expSO3([0.7, -1.9, 0.4]);
const A = 0.37;
const B = [1.5, -0.4, 2.2];
const toGroupPoint = (P: Float64Array) => {
  const out = new Float64Array(P.length);
  for (let p = 0; p < P.length; p += 3) for (let r = 0; r < 3; r++) out[p + r] = A * (Q[3 * r] * P[p] + Q[3 * r + 1] * P[p + 1] + Q[3 * r + 2] * P[p + 2]) + B[r];
  return out;
};
/** The camera in the group frame: x ~ R X_w + t = R Q^T (X_g - b) / a + t, scaled by a. */
const toGroupCamera = (c: Camera): Camera => {
  const R = mul3(c.R, tr3(Q));
  return { ...c, R, t: [0, 1, 2].map((r) => A * c.t[r] - (R[3 * r] * B[0] + R[3 * r + 1] * B[1] + R[3 * r + 2] * B[2])) };
};

function search(obj: Ellipsoid[]) {
  const main = RING5.map(([a, e]) => masked(obj, orbitCamera(a, e, SIZE)));
  const bounds = hullBounds(main)!;
  const fine = carveHull(main, bounds, 48);
  const hulls = { coarse: buildCoherenceModel(carveHull(main, bounds, 24), main, { raysPerView: 96 }), fine: buildCoherenceModel(fine, main) };
  const truth = GROUP.map(([a, e]) => orbitCamera(a, e, SIZE));
  const group = truth.map((c) => {
    const v = masked(obj, c);
    return { camera: toGroupCamera(v.camera), mask: v.mask };
  });
  const res = searchGroupSimilarity(
    { hulls, main, mainPoints: surfacePoints(obj, 300, 1), group, groupPoints: toGroupPoint(surfacePoints(obj, 200, 2)), distance: 4 },
    { directions: 160, rolls: 24 },
  );
  if ('reason' in res) throw new Error(res.reason);
  return { res, truth };
}

describe('group placement search', () => {
  it('places a group of an asymmetric object within a few degrees, with a clear lead', () => {
    const { res, truth } = search(ASYMMETRIC);
    res.best.poses.forEach((p, k) => {
      const got = { ...truth[k], ...p };
      // 64 px masks, a 5-view hull, exact points: the similarity is pinned to a few degrees.
      expect(rotationAngleDeg(p.R, truth[k].R)).toBeLessThan(3);
      const [c, ct] = [cameraCenter(got), cameraCenter(truth[k])];
      expect(Math.hypot(c[0] - ct[0], c[1] - ct[1], c[2] - ct[2])).toBeLessThan(0.15);
    });
    expect(res.best.scale).toBeCloseTo(1 / A, 1);
    expect(res.best.coherence).toBeGreaterThan(0.95);
    expect(Math.min(...res.best.mainPointsInside, ...res.best.groupPointsInside)).toBeGreaterThan(0.95);
    // Every alternative more than 30° away is clearly worse: above the default minLead
    // (0.05) with room (measured: 0.997 vs 0.908 for the placement 178° away).
    expect(res.runnerUp).not.toBeNull();
    expect(res.runnerUp!.rotationDeg).toBeGreaterThan(30);
    expect(res.best.score - res.runnerUp!.score).toBeGreaterThan(0.07);
  });

  it('finds no lead on a symmetric object', () => {
    const { res } = search(SYMMETRIC);
    expect(res.best.score).toBeGreaterThan(0.95);
    expect(res.runnerUp).not.toBeNull();
    // 180° turns of the ellipsoid: the same silhouettes and the same points inside
    // (measured lead 0.001), far below the minimum lead with colour evidence (0.015).
    expect(res.best.score - res.runnerUp!.score).toBeLessThan(0.01);
  });
});
