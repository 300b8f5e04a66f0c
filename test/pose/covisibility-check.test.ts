/**
 * The missing-matches check of the relative-pose fallback (covisibility-check.ts): a pose
 * that puts a view next to a registered view it shares no trusted pair with is refused,
 * naming that view, unless the pair that placed it is strong; the same pose with the pair, or
 * a pose far from every other view, passes.
 */
import { describe, expect, it } from 'vitest';
import { STRONG_PAIR_INLIERS, missingCovisibility } from '../../engine/pose/covisibility-check.js';
import type { State } from '../../engine/pose/sfm-state.js';
import type { VerifiedPair } from '../../engine/pose/two-view.js';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { syntheticScene } from './synthetic.js';

// Three cameras 20° apart around a box of points; views 0 and 1 registered, view 2 being placed.
const scene = syntheticScene({ nCams: 3, nPoints: 200, arcDeg: 40, seed: 5 });
const n = scene.points.length / 3;
function state(): State {
  const points = new Map<number, [number, number, number]>();
  for (let i = 0; i < n; i++) points.set(i, [scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]]);
  const cam = scene.cameras[0];
  return {
    views: scene.cameras.map((c, v) => ({ name: `view${v}.jpg`, width: c.width, height: c.height, group: 0, xy: Float32Array.from(scene.pixels[v]) })),
    intrinsics: [{ f: cam.fx, cx: cam.cx, cy: cam.cy }],
    poses: [scene.cameras[0], scene.cameras[1], null].map((c) => (c ? { R: [...c.R], t: [...c.t] } : null)),
    method: ['initial-pair', 'initial-pair', undefined],
    regInliers: [100, 100, 0],
    placement: [undefined, undefined, undefined],
    tracks: { tracks: [], trackOf: scene.pixels.map((px) => Int32Array.from({ length: n }, (_, i) => (Number.isFinite(px[2 * i]) ? i : -1))), inconsistent: 0 },
    points,
    rejected: new Set(),
  };
}
const pair = (a: number, b: number, inlierCount = 40): VerifiedPair => ({ a, b, pairs: new Uint32Array(0), inlierCount, putativeCount: 100, relPose: { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [1, 0, 0] }, medianAngleDeg: 5 });
const truePose = { R: [...scene.cameras[2].R], t: [...scene.cameras[2].t] };

describe('missing-matches check', () => {
  it('passes a pose next to a view it shares a trusted pair with', () => {
    expect(missingCovisibility({ s: state(), view: 2, pose: truePose, partner: 0, pairs: [pair(0, 1), pair(0, 2), pair(1, 2)] })).toBeNull();
  });

  it('refuses the same pose when the nearby view shares no trusted pair with it, naming that view', () => {
    const res = missingCovisibility({ s: state(), view: 2, pose: truePose, partner: 0, pairs: [pair(0, 1), pair(0, 2)] });
    expect(res?.view).toBe(1);
    expect(res?.reason).toMatch(/puts it 2\d° from view1\.jpg.*share no trusted pair.*pair with view0\.jpg/);
    // A tighter angle than the views' spacing lets it pass.
    expect(missingCovisibility({ s: state(), view: 2, pose: truePose, partner: 0, pairs: [pair(0, 1), pair(0, 2)], maxAngleDeg: 15 })).toBeNull();
  });

  it('believes a strong placing pair over the missing matches', () => {
    const pairs = [pair(0, 1), pair(0, 2, STRONG_PAIR_INLIERS)];
    expect(missingCovisibility({ s: state(), view: 2, pose: truePose, partner: 0, pairs })).toBeNull();
    pairs[1].inlierCount = STRONG_PAIR_INLIERS - 1;
    expect(missingCovisibility({ s: state(), view: 2, pose: truePose, partner: 0, pairs })?.view).toBe(1);
  });

  it('passes a pose far from every registered view, where no matches are expected', () => {
    const far = lookAtCamera([6, 0, 0], [0, 0, 0], [0, -1, 0], { width: 640, height: 480, fx: 500, fy: 500 });
    expect(missingCovisibility({ s: state(), view: 2, pose: { R: [...far.R], t: [...far.t] }, partner: 0, pairs: [pair(0, 1), pair(0, 2)] })).toBeNull();
  });
});
