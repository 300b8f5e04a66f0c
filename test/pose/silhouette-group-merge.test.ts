/**
 * mergePlacedGroups (silhouette-group-merge.ts) on a synthetic scene with known answers:
 * views 0-2 (the main model) see points 0-99, views 3-4 (a placed group) see points
 * 100-199, no track crosses. Points start perturbed, keypoints carry 0.3 px noise. The
 * final bundle adjustment must lower the reprojection error, keep one camera of each part
 * exactly where it was (so no part moves against the other), keep the focal length, and be
 * undone (poses and points as given, said in the note) when the whole-model silhouette
 * check fails or a part's scale drifts.
 */
import { describe, expect, it } from 'vitest';
import type { SfmResult, SfmView } from '../../engine/pose/incremental-sfm.js';
import type { CheckedModel, ModelCheck } from '../../engine/pose/model-silhouette-check.js';
import { mergePlacedGroups } from '../../engine/pose/silhouette-group-merge.js';
import type { PlacedGroupModel } from '../../engine/pose/silhouette-group-placement.js';
import { cameraCenter } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { addNoise, syntheticScene } from './synthetic.js';

const MAIN = [0, 1, 2];
const GROUP = [3, 4];
const P = 200;

function scene() {
  const sc = syntheticScene({ nCams: 5, nPoints: P, arcDeg: 60, seed: 3 });
  const pixels = sc.cameras.map((c, v) => addNoise(Float64Array.from(sc.pixels[v]), 0.3, 70 + v));
  const views: SfmView[] = sc.cameras.map((c, v) => ({ name: `v${v}`, width: c.width, height: c.height, group: 0, xy: Float32Array.from(pixels[v]) }));
  const rand = rng(5);
  // Perturbed starting points (0.01 of a 3-unit box): the adjustment has work to do.
  const start = sc.points.map((x) => x + 0.01 * gaussian(rand));
  const obsOf = (cams: number[], p: number) => cams.filter((v) => Number.isFinite(pixels[v][2 * p])).map((v) => ({ view: v, keypoint: p }));
  const mainIds = Array.from({ length: P / 2 }, (_, p) => p).filter((p) => obsOf(MAIN, p).length >= 2);
  const groupIds = Array.from({ length: P / 2 }, (_, p) => p + P / 2).filter((p) => obsOf(GROUP, p).length >= 2);
  const pick = (ids: number[]) => Float64Array.from(ids.flatMap((p) => [start[3 * p], start[3 * p + 1], start[3 * p + 2]]));
  const colour = (ids: number[], base: number) => Uint8Array.from(ids.flatMap((p) => [base, p % 256, 7]));
  const pose = (v: number) => ({ R: [...sc.cameras[v].R], t: [...sc.cameras[v].t] });
  const mainObs = mainIds.map((p) => obsOf(MAIN, p));
  const sfm: SfmResult = {
    views: sc.cameras.map((c, v) => ({ index: v, name: `v${v}`, registered: MAIN.includes(v), pose: MAIN.includes(v) ? pose(v) : undefined, registrationInliers: 0, observations: 0, rmsErrorPx: NaN })),
    intrinsics: [{ f: sc.cameras[0].fx, cx: sc.cameras[0].cx, cy: sc.cameras[0].cy }],
    points: pick(mainIds),
    colors: colour(mainIds, 10),
    trackLengths: Uint16Array.from(mainObs, (o) => o.length),
    pointObservations: mainObs,
    initialPair: [0, 1],
    tracks: { total: mainIds.length, inconsistent: 0 },
  };
  const groupObs = groupIds.map((p) => obsOf(GROUP, p));
  const model: PlacedGroupModel = { views: GROUP, points: pick(groupIds), colors: colour(groupIds, 20), trackLengths: Uint16Array.from(groupObs, (o) => o.length), pointObservations: groupObs };
  const placed = new Map(GROUP.map((v) => [v, { pose: pose(v) }]));
  return { sc, views, sfm, model, placed, mainIds, groupIds };
}

const passing: ModelCheck = () => ({ ok: true, views: [] });

describe('mergePlacedGroups: the placed groups join the model and one bundle adjustment', () => {
  it('merges points, colours and tracks, and refines each part without moving it', () => {
    const { sc, views, sfm, model, placed, mainIds, groupIds } = scene();
    let seen: CheckedModel | null = null;
    const check: ModelCheck = (m) => ((seen = m), { ok: true, views: [] });
    const out = mergePlacedGroups({ sfm, views, placed, models: [model], check });
    expect(out.adjusted).toBe(true);
    expect(out.points.length / 3).toBe(mainIds.length + groupIds.length);
    expect(out.pointObservations.slice(mainIds.length)).toEqual(model.pointObservations);
    expect(Array.from(out.colors.subarray(3 * mainIds.length))).toEqual(Array.from(model.colors));
    expect(Array.from(out.trackLengths)).toEqual(out.pointObservations.map((o) => o.length));
    // The check saw the whole model: every pose, every point and its observers.
    expect(seen!.poses.every(Boolean)).toBe(true);
    expect(seen!.points.length).toBe(out.points.length);
    expect(seen!.observers![mainIds.length]).toEqual(model.pointObservations[0].map((o) => o.view));
    // One fixed camera per part (the main model's first view, the group's first view): exactly kept.
    for (const v of [0, 3]) {
      expect(out.poses[v]!.R).toEqual(sc.cameras[v].R);
      expect(out.poses[v]!.t).toEqual(sc.cameras[v].t);
    }
    // The others stay near the truth (0.3 px noise, 500 px focal: well under 1% of the 6-unit distance).
    for (const v of [1, 2, 4]) {
      const [a, b] = [cameraCenter({ ...sc.cameras[v], ...out.poses[v]! }), cameraCenter(sc.cameras[v])];
      expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeLessThan(0.05);
    }
    // Points perturbed by 0.01 (several px) come back to the noise level: RMS well under 1 px.
    for (const v of [0, 1, 2, 3, 4]) {
      expect(out.perView[v].observations).toBe(out.pointObservations.filter((o) => o.some((x) => x.view === v)).length);
      expect(out.perView[v].rmsErrorPx).toBeLessThan(0.6);
    }
    expect(out.bundleAdjustment!.finalCost).toBeLessThan(out.bundleAdjustment!.initialCost);
    expect(out.note).toMatch(/^final bundle adjustment over 5 views and \d+ points \(focal fixed\): RMS \d+\.\d\d -> 0\.\d\d px, cameras moved <= \d+\.\d\d° and <= \d+\.\d% of their spread, scale drift \d+\.\d\d%; the adjusted model passes the silhouette check$/);
  });

  it('keeps the placed poses and points when the adjusted model fails the silhouette check', () => {
    const { views, sfm, model, placed } = scene();
    const failing: ModelCheck = () => ({ ok: false, views: [], worstView: 4, reason: 'hull covers 50% of its silhouette' });
    const out = mergePlacedGroups({ sfm, views, placed, models: [model], check: failing });
    expect(out.adjusted).toBe(false);
    for (const v of [0, 1, 2]) expect(out.poses[v]).toBe(sfm.views[v].pose);
    for (const v of GROUP) expect(out.poses[v]).toBe(placed.get(v)!.pose);
    expect(Array.from(out.points)).toEqual([...sfm.points, ...model.points]);
    // The errors reported are those of the kept (unadjusted) model: perturbed points, several px.
    expect(out.perView[4].rmsErrorPx).toBeGreaterThan(1);
    expect(out.note).toMatch(/, undone: the adjusted model disagrees with the photos' silhouettes \(in v4, hull covers 50% of its silhouette\); the placed poses are kept$/);
  });

  it('undoes the adjustment when a part would change scale more than allowed', () => {
    const { views, sfm, model, placed } = scene();
    const adjusted = mergePlacedGroups({ sfm, views, placed, models: [model], check: passing });
    expect(adjusted.adjusted).toBe(true);
    const out = mergePlacedGroups({ sfm, views, placed, models: [model], check: passing, maxScaleDrift: 0 });
    expect(out.adjusted).toBe(false);
    expect(out.note).toMatch(/undone: a part's scale \(camera spread\) changed by \d+\.\d% \(allowed 0%\)/);
  });
});
