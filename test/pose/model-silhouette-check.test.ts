/**
 * The SfM model check against the photos' silhouettes (model-silhouette-check.ts) and its
 * use in incremental SfM: a synthetic asymmetric object, masked photos rendered exactly,
 * sparse points on its surface. The lego failure is injected: a view seen from behind
 * (azimuth 200°) whose features are matched as if it were seen from the front (azimuth
 * 20°), consistently, so every match-based test trusts it.
 */
import { describe, expect, it } from 'vitest';
import { incrementalSfm, type SfmView } from '../../engine/pose/incremental-sfm.js';
import { mul3, rotationAngleDeg, tr3 } from '../../engine/pose/linalg.js';
import { createModelSilhouetteCheck, type CheckedModel } from '../../engine/pose/model-silhouette-check.js';
import { verifyPair, type VerifiedPair } from '../../engine/pose/two-view.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import type { Camera } from '../../engine/splat/camera.js';
import { ASYMMETRIC, orbitCamera, renderObject, surfacePoints } from './silhouette-synthetic.js';
import { addNoise, projectAll } from './synthetic.js';

const SIZE = 96;
/** Views 0-2 from the front half; view 3 from behind. */
const cameras = ([[0, 30], [40, 20], [80, 35], [200, 25]] as const).map(([a, e]) => orbitCamera(a, e, SIZE));
/** Where the confused matches put view 3: the front, 180° away. */
const flipped3 = orbitCamera(20, 25, SIZE);
const images = cameras.map((c) => renderObject(ASYMMETRIC, c));
const K = { f: cameras[0].fx, cx: cameras[0].cx, cy: cameras[0].cy };


const points = surfacePoints(ASYMMETRIC, 300, 3);
const modelOf = (cams: Camera[], pts: Float64Array, observers?: number[][]): CheckedModel => ({
  poses: cams.map((c) => ({ R: c.R, t: c.t })),
  intrinsics: cams.map(() => K),
  points: pts,
  observers,
});

describe('model silhouette check', () => {
  const check = createModelSilhouetteCheck(images)!;

  it('passes the true model and fails it with one view flipped front to back', () => {
    const right = check(modelOf(cameras, points));
    expect(right.ok).toBe(true);
    // Exact poses, points inside the object: all inside (1-px dilated masks); the hull of
    // 4 views at 96 px covers the silhouettes up to voxel rounding at the outline.
    for (const v of right.views) {
      expect(v.pointsInside).toBe(1);
      expect(v.coverage).toBeGreaterThan(0.97);
    }
    const wrong = check(modelOf([...cameras.slice(0, 3), flipped3], points));
    expect(wrong.ok).toBe(false);
    expect(wrong.worstView).toBe(3);
    expect(wrong.views[3].pointsInside).toBeLessThan(0.9);
    expect(wrong.reason).toMatch(/sparse points on the object project inside its silhouette|visual hull of the registered views covers only/);
  });

  it('judges only points on the object when their observers are known', () => {
    // 100 stray points off the object (a bad match each), observed by views 0 and 1.
    const stray = Float64Array.from({ length: 300 }, (_, i) => [1.6, -1.4, 1.2][i % 3] + 0.01 * i);
    const all = Float64Array.from([...points, ...stray]);
    expect(check(modelOf(cameras, all)).ok).toBe(false);
    const observers = Array.from({ length: 400 }, (_, p) => (p < 300 ? [0, 1, 2, 3] : [0, 1]));
    const res = check(modelOf(cameras, all, observers));
    expect(res.ok).toBe(true);
    expect(res.views[2].points).toBe(300);
  });

  it('gives no check for photos without alpha masks (and needs 2 masked views)', () => {
    const opaque = images.map((img) => {
      const data = img.data.slice();
      for (let p = 3; p < data.length; p += 4) data[p] = 255;
      return { ...img, data };
    });
    expect(createModelSilhouetteCheck(opaque)).toBeNull();
    expect(createModelSilhouetteCheck([images[0], ...opaque.slice(1)])).toBeNull();
  });
});

describe('incremental SfM with the model check', () => {
  /**
   * Views 0-2 see all 300 points; view 3 sees the first 60 where `confused`, as they would
   * project from the front (flipped3): 60 consistent wrong matches with each front view,
   * enough for PnP. Otherwise it sees them from its true pose.
   */
  function build(confused: boolean, Kguess = K) {
    const views: SfmView[] = cameras.map((c, v) => {
      const px = addNoise(projectAll(v === 3 && confused ? flipped3 : c, points), 0.3, 50 + v);
      if (v === 3) for (let i = 60; i < 300; i++) px[2 * i] = px[2 * i + 1] = NaN;
      return { name: `view${v}.png`, width: SIZE, height: SIZE, group: 0, xy: Float32Array.from(px) };
    });
    const pairs: VerifiedPair[] = [];
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) {
        const m: number[] = [];
        for (let i = 0; i < 300; i++) if (Number.isFinite(views[a].xy[2 * i]) && Number.isFinite(views[b].xy[2 * i])) m.push(i, i);
        const p = verifyPair(a, b, views[a].xy, views[b].xy, Kguess, Kguess, m, { thresholdPx: 2 });
        if (p) pairs.push(p);
      }
    return { views, pairs };
  }
  /** Relative-rotation error (degrees) of view v against view 0. */
  const errorOf = (res: ReturnType<typeof incrementalSfm>, v: number) =>
    rotationAngleDeg(mul3(res.views[v].pose!.R, tr3(res.views[0].pose!.R)), mul3(cameras[v].R, tr3(cameras[0].R)));

  it('undoes the registration of a view matched across the symmetry, and says why', () => {
    const { views, pairs } = build(true);
    expect(pairs.filter((p) => p.b === 3).map((p) => p.inlierCount)).toEqual([60, 60, 60]);
    const without = incrementalSfm(views, [K], pairs);
    expect(without.views[3].registered).toBe(true);
    expect(errorOf(without, 3)).toBeGreaterThan(150);

    const events: SparrowEvent[] = [];
    const res = incrementalSfm(views, [K], pairs, { modelCheck: createModelSilhouetteCheck(images)!, onEvent: (e) => events.push(e) });
    expect(res.views.map((v) => v.registered)).toEqual([true, true, true, false]);
    expect(res.views[3].reason).toMatch(/placed by PnP \(\d+ inliers\), but the model then disagrees with the photos' silhouettes/);
    expect(events.some((e) => e.type === 'warning' && e.file === 'view3.png' && /registration undone/.test(e.message))).toBe(true);
    for (const v of [1, 2]) expect(errorOf(res, v)).toBeLessThan(1);
  });

  it('drops a wrong seed pair whose model contradicts a stronger pair, and keeps the right one', () => {
    const { views, pairs } = build(true);
    // The confused pair ranked first (as a pair confirmed by a view triplet would be).
    const seedFirst = (p: VerifiedPair) => (p.a === 0 && p.b === 3 ? 1 : 0);
    const without = incrementalSfm(views, [K], pairs, { pairSupport: seedFirst });
    expect(without.initialPair).toEqual([0, 3]);
    expect(errorOf(without, 3)).toBeGreaterThan(150);

    const events: SparrowEvent[] = [];
    const res = incrementalSfm(views, [K], pairs, { pairSupport: seedFirst, modelCheck: createModelSilhouetteCheck(images)!, onEvent: (e) => events.push(e) });
    expect(res.initialPair).not.toEqual([0, 3]);
    expect(res.views.map((v) => v.registered)).toEqual([true, true, true, false]);
    expect(events.some((e) => e.type === 'log' && /seed view0\.png \/ view3\.png \(60 inliers\)/.test(e.message))).toBe(true);
    for (const v of [1, 2]) expect(errorOf(res, v)).toBeLessThan(1);
  });

  it('changes nothing when the model agrees with the silhouettes', () => {
    const { views, pairs } = build(false);
    const without = incrementalSfm(views, [K], pairs);
    const res = incrementalSfm(views, [K], pairs, { modelCheck: createModelSilhouetteCheck(images)! });
    expect(res.views.every((v) => v.registered)).toBe(true);
    expect(res.initialPair).toEqual(without.initialPair);
    res.views.forEach((v, i) => {
      expect(v.pose!.R).toEqual(without.views[i].pose!.R);
      expect(v.pose!.t).toEqual(without.views[i].pose!.t);
    });
    expect(errorOf(res, 3)).toBeLessThan(1);
  });

  it('keeps the initial focal length when the refined one fails the check', () => {
    // A 15% wrong guess that the final bundle adjustment corrects; a check that only
    // accepts focal lengths within 5% of the guess must undo that refinement.
    const guess = { ...K, f: 1.15 * K.f };
    const { views, pairs } = build(false, guess);
    const refined = incrementalSfm(views, [guess], pairs);
    expect(Math.abs(refined.intrinsics[0].f / guess.f - 1)).toBeGreaterThan(0.05);
    const events: SparrowEvent[] = [];
    const nearGuess = (m: CheckedModel) => {
      const ok = m.intrinsics.every((k) => Math.abs(k.f / guess.f - 1) < 0.05);
      return { ok, views: [], reason: ok ? undefined : 'focal length off', worstView: 0 };
    };
    const kept = incrementalSfm(views, [guess], pairs, { modelCheck: nearGuess, onEvent: (e) => events.push(e) });
    expect(kept.views.every((v) => v.registered)).toBe(true);
    expect(kept.intrinsics[0].f).toBe(guess.f);
    expect(events.some((e) => e.type === 'warning' && /focal length not refined: refined to \d+ px/.test(e.message))).toBe(true);
  });
});
