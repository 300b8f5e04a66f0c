import { describe, expect, it } from 'vitest';
import { poseErrors } from '../../engine/pose/align.js';
import { incrementalSfm, type SfmView } from '../../engine/pose/incremental-sfm.js';
import { verifyPair, type VerifiedPair } from '../../engine/pose/two-view.js';
import type { Camera } from '../../engine/splat/camera.js';
import { rng } from '../util/close.js';
import { addNoise, syntheticScene } from './synthetic.js';

/**
 * 5 cameras over a 60° arc, 400 random points, 0.7 px noise, and 15% of the putative
 * matches of every pair replaced by random wrong matches. Keypoint i of a view is
 * the projection of point i (NaN when not visible, left out of matches).
 */
function sceneWithMatches(seed: number, focalGuessScale: number) {
  const scene = syntheticScene({ nCams: 5, nPoints: 400, arcDeg: 60, seed });
  const rand = rng(seed + 100);
  const views: SfmView[] = scene.cameras.map((c, k) => ({
    name: `view${k}.png`,
    width: c.width,
    height: c.height,
    group: 0,
    xy: Float32Array.from(addNoise(scene.pixels[k].slice(), 0.7, seed + k)),
  }));
  const K = { f: scene.cameras[0].fx * focalGuessScale, cx: scene.cameras[0].cx, cy: scene.cameras[0].cy };
  const pairs: VerifiedPair[] = [];
  for (let a = 0; a < 5; a++) {
    for (let b = a + 1; b < 5; b++) {
      const m: number[] = [];
      for (let i = 0; i < 400; i++) {
        if (!Number.isFinite(views[a].xy[2 * i]) || !Number.isFinite(views[b].xy[2 * i])) continue;
        if (rand() < 0.15) {
          // A wrong match to some other visible keypoint.
          const j = Math.floor(rand() * 400);
          if (Number.isFinite(views[b].xy[2 * j]) && j !== i) m.push(i, j);
        } else m.push(i, i);
      }
      const v = verifyPair(a, b, views[a].xy, views[b].xy, K, K, m, { thresholdPx: 3 });
      if (v) pairs.push(v);
    }
  }
  return { scene, views, K, pairs };
}

const memo = new Map<string, ReturnType<typeof sceneWithMatches>>();
function cached(seed: number, focalGuessScale: number) {
  const key = `${seed}/${focalGuessScale}`;
  if (!memo.has(key)) memo.set(key, sceneWithMatches(seed, focalGuessScale));
  return memo.get(key)!;
}

function toCameras(res: ReturnType<typeof incrementalSfm>, ref: Camera[]): Camera[] {
  return res.views.map((v) => ({ ...ref[v.index], fx: res.intrinsics[0].f, fy: res.intrinsics[0].f, R: v.pose!.R, t: v.pose!.t }));
}

describe('incremental SfM', () => {
  it('registers all 5 views of a noisy synthetic scene with outlier matches', () => {
    const { scene, views, K, pairs } = cached(51, 1);
    expect(pairs.length).toBe(10);
    const res = incrementalSfm(views, [K], pairs);
    expect(res.views.every((v) => v.registered)).toBe(true);
    expect(res.views.filter((v) => v.method === 'pnp').length).toBe(3);
    const err = poseErrors(toCameras(res, scene.cameras), scene.cameras);
    // 0.7 px noise, ~300 points per view: hundredths of a degree in practice.
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.2);
    expect(err.ateFraction).toBeLessThan(0.01);
    for (const v of res.views) expect(v.rmsErrorPx).toBeLessThan(1.2);
    expect(res.points.length / 3).toBeGreaterThan(250);
    for (const l of res.trackLengths) expect(l).toBeGreaterThanOrEqual(2);
  });

  it('recovers the focal length from a 15% wrong guess', () => {
    const { scene, views, K, pairs } = cached(61, 1.15);
    const res = incrementalSfm(views, [K], pairs);
    expect(res.views.every((v) => v.registered)).toBe(true);
    expect(Math.abs(res.intrinsics[0].f / scene.cameras[0].fx - 1)).toBeLessThan(0.03);
    expect(poseErrors(toCameras(res, scene.cameras), scene.cameras).pairwiseRotationMaxDeg).toBeLessThan(0.5);
  });

  it('reports an unconnected view by name with a reason instead of dropping it', () => {
    const { views, K, pairs } = cached(51, 1);
    const extra: SfmView = { name: 'unrelated.png', width: 640, height: 480, group: 0, xy: new Float32Array(0) };
    const res = incrementalSfm([...views, extra], [K], pairs);
    const v = res.views[5];
    expect(v.name).toBe('unrelated.png');
    expect(v.registered).toBe(false);
    expect(v.reason).toMatch(/triangulated points|not connected/);
    expect(res.views.slice(0, 5).every((x) => x.registered)).toBe(true);
  });

  it('seeds from a pair confirmed by view triplets before a stronger unconfirmed one', () => {
    const { views, K, pairs } = cached(51, 1);
    const plain = incrementalSfm(views, [K], pairs);
    // Some other pair with enough inliers and baseline, marked as the only loop-confirmed one.
    const confirmed = pairs.find((p) => p.inlierCount >= 30 && p.medianAngleDeg >= 4 && `${p.a}-${p.b}` !== plain.initialPair!.join('-'))!;
    const res = incrementalSfm(views, [K], pairs, { pairSupport: (p) => (p === confirmed ? 2 : 0) });
    expect(res.initialPair).toEqual([confirmed.a, confirmed.b]);
    expect(res.views.every((v) => v.registered)).toBe(true);
  });

  it('fails honestly when no pair has enough matches', () => {
    const { views, K } = cached(51, 1);
    const res = incrementalSfm(views, [K], []);
    expect(res.views.every((v) => !v.registered && /no image pair/.test(v.reason!))).toBe(true);
  });
});
