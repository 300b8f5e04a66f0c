/** Triangulation with known poses (the sparse-point start) on synthetic matches with noise and outliers. */
import { describe, expect, it } from 'vitest';
import { reprojectionError, triangulateWithKnownPoses } from '../../engine/depth/sparse-points.js';
import { crossViewConsistency, depthAccuracyAt } from '../../engine/depth/metrics.js';
import type { Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { renderScene, sceneCameras } from './synthetic-scene.js';

function project(c: Camera, X: number[]): [number, number] {
  const x = c.R[0] * X[0] + c.R[1] * X[1] + c.R[2] * X[2] + c.t[0];
  const y = c.R[3] * X[0] + c.R[4] * X[1] + c.R[5] * X[2] + c.t[1];
  const z = c.R[6] * X[0] + c.R[7] * X[1] + c.R[8] * X[2] + c.t[2];
  return [(c.fx * x) / z + c.cx, (c.fy * y) / z + c.cy];
}

describe('triangulateWithKnownPoses', () => {
  it('recovers noisy 3-view tracks and rejects wrong matches', () => {
    const rand = rng(21);
    const gauss = () => gaussian(rand);
    const cams = sceneCameras(3, 320, 240);
    const P = 200;
    const truth = Array.from({ length: P }, () => [2 * rand() - 1, 2 * rand() - 1, 0.5 + rand()]);
    // Keypoints: view v's keypoint i observes point i (0.3 px noise), in a shuffled order per view.
    const order = cams.map(() => Array.from({ length: P }, (_, i) => i).sort(() => rand() - 0.5));
    const kp = cams.map((c, v) => {
      const xy = new Float32Array(2 * P);
      order[v].forEach((pt, k) => {
        const [u, w] = project(c, truth[pt]);
        xy[2 * k] = u + 0.3 * gauss();
        xy[2 * k + 1] = w + 0.3 * gauss();
      });
      return xy;
    });
    const slot = order.map((o) => {
      const s = new Array<number>(P);
      o.forEach((pt, k) => (s[pt] = k));
      return s;
    });
    // Correct matches for 80% of points in every pair, plus 20% wrong pairings (an outlier rate
    // typical of mutual-NN matching).
    const matches = [[0, 1], [0, 2], [1, 2]].map(([a, b]) => {
      const pairs: number[] = [];
      for (let pt = 0; pt < P; pt++) {
        if (rand() < 0.8) pairs.push(slot[a][pt], slot[b][pt]);
        else pairs.push(slot[a][pt], slot[b][(pt + 1 + Math.floor(rand() * (P - 1))) % P]);
      }
      return { a, b, pairs: Uint32Array.from(pairs) };
    });
    const out = triangulateWithKnownPoses(cams, { keypoints: kp, matches });
    const n = out.xyz.length / 3;
    expect(n).toBeGreaterThan(0.7 * P);
    expect(out.rejectedMatches).toBeGreaterThan(0.1 * 3 * P); // most wrong pairings fail the two-view check
    let bad = 0;
    out.tracks.forEach((t, i) => {
      const X = Array.from(out.xyz.subarray(3 * i, 3 * i + 3));
      // Which true point the track's first observation belongs to.
      const pt = order[t.views[0]][t.keypoints[0]];
      if (Math.hypot(X[0] - truth[pt][0], X[1] - truth[pt][1], X[2] - truth[pt][2]) > 0.05) bad++;
      for (let o = 0; o < t.views.length; o++) {
        const k = t.keypoints[o];
        expect(reprojectionError(cams[t.views[o]], X, kp[t.views[o]][2 * k], kp[t.views[o]][2 * k + 1])).toBeLessThanOrEqual(2);
      }
    });
    // A wrong match can survive only where it happens to lie near the epipolar line: rare.
    expect(bad / n).toBeLessThan(0.05);
  });

  it('rejects keypoint sets that do not match the cameras', () => {
    expect(() => triangulateWithKnownPoses(sceneCameras(2, 32, 24), { keypoints: [new Float32Array(2)], matches: [] })).toThrow(/1 keypoint sets for 2 cameras/);
  });
});

describe('depth accuracy measures', () => {
  it('cross-view consistency of exact depth is ~0, and a 10% scaled view is caught', () => {
    const rendered = renderScene(2, 48, 36, 5);
    const views = rendered.map((r) => r.view);
    const exact = rendered.map((r) => ({ width: 48, height: 36, depth: r.depth, confidence: r.depth.map((d) => (d > 0 ? 1 : 0)), filled: new Uint8Array(48 * 36) }));
    const c = crossViewConsistency(views, exact);
    expect(c.samples).toBeGreaterThan(100);
    // Nearest-pixel lookup on a sphere edge: most samples agree to well under 1%.
    expect(c.medianRel).toBeLessThan(0.01);
    const scaled = [exact[0], { ...exact[1], depth: exact[1].depth.map((d) => d * 1.1) }];
    expect(crossViewConsistency(views, scaled).within5).toBeLessThan(0.2);
  });

  it('depthAccuracyAt compares only confident pixels and converts to disparity', () => {
    const map = { width: 4, height: 1, depth: Float32Array.from([2, 2, 2, 2]), confidence: Float32Array.from([1, 1, 0, 1]), filled: new Uint8Array(4) };
    const a = depthAccuracyAt(map, { xy: [0.5, 0.5, 1.5, 0.5, 2.5, 0.5, 9, 0], depth: [2, 2.2, 2, 2], pxPerInvDepth: [100, 100, 100, 100] });
    expect(a.compared).toBe(2); // pixel 2 is not confident, the last sample is outside
    expect(a.covered).toBeCloseTo(0.5, 12);
    expect(a.within2).toBeCloseTo(0.5, 12);
    // |1/2 - 1/2.2| * 100 = 4.545 px for the second sample.
    expect(a.beyond3Px).toBeCloseTo(0.5, 12);
    expect(a.within1Px).toBeCloseTo(0.5, 12);
  });
});
