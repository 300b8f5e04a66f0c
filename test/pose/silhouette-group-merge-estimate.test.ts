/**
 * A group placed by silhouettes is a full member of the pose output
 * (silhouette-group-merge.ts inside estimatePoses): the capture of
 * silhouette-group-fixture.ts, painted (views 0-3 the main model, 4-6 a separate group seeing the
 * other half of the object's points; scripted matches, keypoint i = object point i).
 * After placement, the output holds the group's own points in the world (near the truth
 * once the main views are aligned to the true cameras), with tracks on the right views and
 * keypoints, their colours and track lengths, per-view reprojection errors for the placed
 * views, and the COLMAP text model lists the placed views' observations. Without the
 * merge none of the group's points is in the output, so every check below fails.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPainted } from './silhouette-group-painted.js';
import { ASYMMETRIC, surfacePoints } from './silhouette-synthetic.js';
import { GROUP, cameras, run } from './silhouette-group-fixture.js';
import type { PoseEstimate } from '../../engine/pose/estimate-poses.js';
import { toColmapModel } from '../../engine/pose/export.js';
import { colmapImagesText, colmapPointsText } from '../../engine/io/dataset/colmap-write.js';
import { mul3, nearestRotation, tr3 } from '../../engine/pose/linalg.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';

const N = 400;
/** The fixture's object points ([N, 3], same seed and construction as silhouette-group-fixture.ts). */
const truthPoints = () => surfacePoints(ASYMMETRIC, N, 11);

function project(c: Camera, X: ArrayLike<number>): [number, number] {
  const p = [0, 1, 2].map((r) => c.R[3 * r] * X[0] + c.R[3 * r + 1] * X[1] + c.R[3 * r + 2] * X[2] + c.t[r]);
  return [(c.fx * p[0]) / p[2] + c.cx, (c.fy * p[1]) / p[2] + c.cy];
}

/** Similarity estimate-world -> truth (X_t = c + s Q X_e) from the main views' cameras. */
function alignToTruth(est: PoseEstimate, main: number[]) {
  const sum = new Array(9).fill(0);
  for (const v of main) mul3(tr3(cameras[v].R), est.views[v].camera!.R).forEach((x, i) => (sum[i] += x));
  const Q = nearestRotation(sum);
  const ce = main.map((v) => cameraCenter(est.views[v].camera!));
  const ct = main.map((v) => cameraCenter(cameras[v]));
  const mean = (cs: number[][]) => [0, 1, 2].map((a) => cs.reduce((m, c) => m + c[a], 0) / cs.length);
  const [me, mt] = [mean(ce), mean(ct)];
  const spread = (cs: number[][], m: number[]) => cs.reduce((q, c) => q + (c[0] - m[0]) ** 2 + (c[1] - m[1]) ** 2 + (c[2] - m[2]) ** 2, 0);
  const s = Math.sqrt(spread(ct, mt) / spread(ce, me));
  return (X: ArrayLike<number>) => [0, 1, 2].map((r) => mt[r] + s * (Q[3 * r] * (X[0] - me[0]) + Q[3 * r + 1] * (X[1] - me[1]) + Q[3 * r + 2] * (X[2] - me[2])));
}

describe('estimatePoses: a group placed by silhouettes joins the output model', () => {
  let est: PoseEstimate;
  /** indices of the output points observed by the group's views */
  let groupPoints: number[];
  beforeAll(async () => {
    // Painted (a 3D colour field), so the points' colours say which pixels they came from.
    est = await run(ASYMMETRIC, undefined, true);
    groupPoints = est.pointObservations.map((o, p) => (o.some((x) => GROUP.includes(x.view)) ? p : -1)).filter((p) => p >= 0);
  }, 120_000);

  it('holds the group points in world coordinates near the truth', () => {
    for (const v of GROUP) expect(est.views[v].method).toBe('silhouette-group');
    // The group sees 200 object points, each in its 3 views; its own model keeps most.
    expect(groupPoints.length).toBeGreaterThan(150);
    const truth = truthPoints();
    const toTruth = alignToTruth(est, [0, 1, 2, 3]);
    const errors = groupPoints.map((p) => {
      const obs = est.pointObservations[p];
      // Scripted matches: keypoint i is object point i in every view.
      const k = obs[0].keypoint;
      for (const o of obs) expect(o.keypoint).toBe(k);
      expect(k).toBeGreaterThanOrEqual(N / 2);
      const X = toTruth(est.points.subarray(3 * p, 3 * p + 3));
      return Math.hypot(X[0] - truth[3 * k], X[1] - truth[3 * k + 1], X[2] - truth[3 * k + 2]);
    });
    errors.sort((a, b) => a - b);
    // The placement is a few degrees off (< 4° in silhouette-group-estimate.test.ts) on an
    // object of radius ~0.8 seen from 4 units: a few hundredths, with its scale error.
    // Points left in the group's own frame (not mapped) would be off by ~1 or more.
    expect(errors[errors.length >> 1]).toBeLessThan(0.1);
    expect(errors[Math.floor(0.9 * errors.length)]).toBeLessThan(0.2);
  });

  it('indexes the right views and keypoints, with colours, track lengths and per-view errors', () => {
    const photos = cameras.map((c) => renderPainted(ASYMMETRIC, c));
    for (const p of groupPoints) {
      const obs = est.pointObservations[p];
      expect(est.trackLengths[p]).toBe(obs.length);
      expect(obs.length).toBeGreaterThanOrEqual(2);
      const rgb = [0, 0, 0];
      for (const o of obs) {
        // No track crosses to the main views (no trusted pair links them).
        expect(GROUP).toContain(o.view);
        const xy = est.keypoints[o.view];
        const [u, v] = project(est.views[o.view].camera!, est.points.subarray(3 * p, 3 * p + 3));
        // 0.3 px keypoint noise; outliers over 4 px were dropped by the group's own model.
        expect(Math.hypot(u - xy[2 * o.keypoint], v - xy[2 * o.keypoint + 1])).toBeLessThan(4);
        const img = photos[o.view];
        const px = 4 * (Math.min(img.height - 1, Math.floor(xy[2 * o.keypoint + 1])) * img.width + Math.min(img.width - 1, Math.floor(xy[2 * o.keypoint])));
        for (let a = 0; a < 3; a++) rgb[a] += img.data[px + a];
      }
      // Colour = mean of the photos at its keypoints, rounded (the fixture marks only pixel 0, off the object).
      for (let a = 0; a < 3; a++) expect(Math.abs(est.colors[3 * p + a] - rgb[a] / obs.length)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    for (const v of GROUP) {
      const view = est.views[v];
      const mine = groupPoints.filter((p) => est.pointObservations[p].some((o) => o.view === v)).length;
      expect(view.observations).toBe(mine);
      // 0.3 px noise: the group's own adjusted model reprojects well under a pixel.
      expect(view.rmsErrorPx).toBeGreaterThan(0);
      expect(view.rmsErrorPx).toBeLessThan(1);
      expect(view.placement).toMatch(/final bundle adjustment over 7 views and \d+ points \(focal fixed\): RMS \d+\.\d\d -> \d+\.\d\d px, cameras moved <= \d+\.\d\d° and <= \d+\.\d% of their spread, scale drift \d+\.\d\d%; the adjusted model passes the silhouette check/);
    }
    // The colours differ from point to point (a real check, not a constant).
    expect(new Set(groupPoints.map((p) => est.colors[3 * p] * 65536 + est.colors[3 * p + 1] * 256 + est.colors[3 * p + 2])).size).toBeGreaterThan(20);
    // The main views' points are still there, on the main views only.
    const mainPoints = est.pointObservations.filter((o) => o.every((x) => !GROUP.includes(x.view)));
    expect(mainPoints.length).toBeGreaterThan(150);
    expect(est.points.length / 3).toBe(mainPoints.length + groupPoints.length);
  });

  it('lists the placed views and their observations in the COLMAP text model', () => {
    const model = toColmapModel(est);
    const text = colmapImagesText(model);
    const pointsText = colmapPointsText(model);
    for (const v of GROUP) {
      const image = model.images.find((im) => im.id === v + 1)!;
      expect(image.name).toBe(`view${v}.png`);
      const ids = [...image.points2D.point3DIds].filter((id) => id !== -1n);
      expect(ids.length).toBe(est.views[v].observations);
      expect(text).toContain(`view${v}.png`);
      // Each of those 3D points' tracks names this image at the same keypoint.
      for (const [kp, id] of image.points2D.point3DIds.entries()) {
        if (id === -1n) continue;
        const track = model.points.find((pt) => BigInt(pt.id) === id)!.track;
        const pairs = Array.from({ length: track.length / 2 }, (_, k) => [track[2 * k], track[2 * k + 1]]);
        expect(pairs).toContainEqual([v + 1, kp]);
      }
    }
    // points3D.txt: one line per point (after the 3 header lines), group tracks included.
    const lines = pointsText.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBe(est.points.length / 3);
    expect(lines.some((l) => / 5 \d+ 6 \d+/.test(l) || / 5 \d+ 7 \d+/.test(l) || / 6 \d+ 7 \d+/.test(l))).toBe(true);
  });
});
