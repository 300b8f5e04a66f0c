import { describe, expect, it } from 'vitest';
import { poseErrors } from '../../engine/pose/align.js';
import { incrementalSfm, type SfmView } from '../../engine/pose/incremental-sfm.js';
import { rotationAngleDeg, type Vec3 } from '../../engine/pose/linalg.js';
import { placeByDepthAlignment } from '../../engine/pose/depth-alignment.js';
import { placeByRelativePose, type PlacementInput } from '../../engine/pose/relative-placement.js';
import { poseCenter, type Pose } from '../../engine/pose/triangulate.js';
import { verifyPair, type VerifiedPair } from '../../engine/pose/two-view.js';
import type { Camera } from '../../engine/splat/camera.js';
import { addNoise, relativePose, syntheticScene } from './synthetic.js';

/** The exact pair between registered view a and new view v (|t| = 1), matches i <-> i for the listed points. */
function exactPair(cams: Camera[], a: number, v: number, points: number[]): VerifiedPair {
  const rel = relativePose(cams[a], cams[v]);
  const n = Math.hypot(rel.t[0], rel.t[1], rel.t[2]);
  const pairs = new Uint32Array(points.flatMap((i) => [i, i]));
  return { a, b: v, pairs, inlierCount: points.length, putativeCount: points.length, relPose: { R: rel.R, t: rel.t.map((x) => x / n) }, medianAngleDeg: 10 };
}

function inputFor(scene: ReturnType<typeof syntheticScene>, v: number, registered: number[], pairs: VerifiedPair[], pointsKnown: (i: number) => boolean): PlacementInput {
  const cams = scene.cameras;
  return {
    view: v,
    pairs,
    poses: cams.map((c, k) => (registered.includes(k) ? ({ R: c.R, t: c.t } as Pose) : null)),
    normalized: (w, kp) => [(scene.pixels[w][2 * kp] - cams[w].cx) / cams[w].fx, (scene.pixels[w][2 * kp + 1] - cams[w].cy) / cams[w].fy],
    pointOf: (_w, kp) => (pointsKnown(kp) ? ([scene.points[3 * kp], scene.points[3 * kp + 1], scene.points[3 * kp + 2]] as Vec3) : null),
  };
}

const visible = (scene: ReturnType<typeof syntheticScene>, views: number[]) =>
  Array.from({ length: scene.points.length / 3 }, (_, i) => i).filter((i) => views.every((w) => Number.isFinite(scene.pixels[w][2 * i])));

/** Exact data: round-off only. The angle goes through acos near 1, which turns 1e-15 into ~3e-6°. */
function expectPose(got: Pose, want: Camera, tol: number) {
  expect(rotationAngleDeg(got.R, want.R)).toBeLessThan(1e-4);
  const c = poseCenter(got);
  const w = poseCenter({ R: want.R, t: want.t });
  expect(Math.hypot(c[0] - w[0], c[1] - w[1], c[2] - w[2])).toBeLessThan(tol);
}

describe('relative-pose placement', () => {
  const scene = syntheticScene({ nCams: 4, nPoints: 200, arcDeg: 50, seed: 5 });
  const cams = scene.cameras;

  it('fixes the baseline length from model points seen by the registered partner (exact data: exact pose)', () => {
    const pts = visible(scene, [1, 3]);
    const res = placeByRelativePose(inputFor(scene, 3, [0, 1], [exactPair(cams, 1, 3, pts)], (i) => i < 5));
    if ('reason' in res) throw new Error(res.reason);
    expect(res.scaleSource).toBe('model-points');
    expect(res.support).toBe(pts.filter((i) => i < 5).length);
    expect(res.from).toBe(1);
    expectPose(res.pose, cams[3], 1e-6);
  });

  it('uses the depth prior when the partner sees no model point', () => {
    const pts = visible(scene, [0, 2]);
    const input = inputFor(scene, 2, [0], [exactPair(cams, 0, 2, pts)], () => false);
    const c0 = cams[0];
    input.depthOf = (_w, kp) => c0.R[6] * scene.points[3 * kp] + c0.R[7] * scene.points[3 * kp + 1] + c0.R[8] * scene.points[3 * kp + 2] + c0.t[2];
    const res = placeByRelativePose(input);
    if ('reason' in res) throw new Error(res.reason);
    expect(res.scaleSource).toBe('depth-prior');
    expectPose(res.pose, cams[2], 1e-6);
  });

  it('meets the baseline rays of two partners when nothing else fixes the scale', () => {
    // Pair stored as (new view, partner): exercises the inverted relative pose too.
    const swapped = exactPair(cams, 3, 0, visible(scene, [0, 3]));
    const res = placeByRelativePose(inputFor(scene, 3, [0, 1], [swapped, exactPair(cams, 1, 3, visible(scene, [1, 3]))], () => false));
    if ('reason' in res) throw new Error(res.reason);
    expect(res.scaleSource).toBe('two-rays');
    expect(res.support).toBe(2);
    expectPose(res.pose, cams[3], 1e-6);
  });

  it('refuses (with the reason) when one partner and no points or depth fix the scale', () => {
    const res = placeByRelativePose(inputFor(scene, 3, [1], [exactPair(cams, 1, 3, visible(scene, [1, 3]))], () => false));
    expect('reason' in res && res.reason).toMatch(/baseline length/);
  });
});

describe('incremental SfM with the relative-pose fallback', () => {
  /**
   * Views 0-2 share 300 points. View 3 sees only 10 of them (too few for PnP, which
   * needs 15) and 150 points that only view 2 also sees: its one pair (2, 3) is
   * verified, but only 10 of its features can match triangulated points.
   */
  function build() {
    const scene = syntheticScene({ nCams: 4, nPoints: 460, arcDeg: 45, seed: 21 });
    const seenBy = (i: number, v: number) => (i < 300 ? v < 3 || i < 10 : v >= 2);
    const views: SfmView[] = scene.cameras.map((c, v) => {
      const px = addNoise(scene.pixels[v].slice(), 0.5, 40 + v);
      for (let i = 0; i < 460; i++) if (!seenBy(i, v)) px[2 * i] = px[2 * i + 1] = NaN;
      return { name: `view${v}.png`, width: c.width, height: c.height, group: 0, xy: Float32Array.from(px) };
    });
    const K = { f: scene.cameras[0].fx, cx: scene.cameras[0].cx, cy: scene.cameras[0].cy };
    const pairs: VerifiedPair[] = [];
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) {
        const m: number[] = [];
        for (let i = 0; i < 460; i++) if (Number.isFinite(views[a].xy[2 * i]) && Number.isFinite(views[b].xy[2 * i])) m.push(i, i);
        const v = m.length >= 40 ? verifyPair(a, b, views[a].xy, views[b].xy, K, K, m, { thresholdPx: 2 }) : null;
        if (v) pairs.push(v);
      }
    return { scene, views, K, pairs };
  }

  it('places the view PnP cannot register, names the method and why, and the pose is right', () => {
    const { scene, views, K, pairs } = build();
    expect(pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['0-1', '0-2', '1-2', '2-3']);
    const without = incrementalSfm(views, [K], pairs, { relativePoseFallback: false });
    expect(without.views[3].registered).toBe(false);
    expect(without.views[3].reason).toMatch(/only 10 of its features match triangulated points/);

    const res = incrementalSfm(views, [K], pairs);
    const v3 = res.views[3];
    expect(v3.registered).toBe(true);
    expect(v3.method).toBe('relative-pose');
    expect(v3.placement).toMatch(/view2\.png.*baseline length from \d+ model points.*PnP: only 10/);
    // After triangulating its 150 private points and bundle adjustment, the placed view
    // is as good as the others (0.5 px noise: well under a tenth of a degree).
    expect(v3.observations).toBeGreaterThan(100);
    const cams = res.views.map((v) => ({ ...scene.cameras[v.index], R: v.pose!.R, t: v.pose!.t }));
    const err = poseErrors(cams, scene.cameras);
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.2);
    expect(err.ateFraction).toBeLessThan(0.01);
  });

  it('with a depth prior for that view, places it by aligning its 10 lifted model-point matches instead', () => {
    const { scene, views, K, pairs } = build();
    const c = scene.cameras[3];
    // z-depth of each keypoint's point in view 3, in units 2.5x the model's (unknown scale).
    const depthPrior = (v: number, kp: number) =>
      v === 3 ? 2.5 * (c.R[6] * scene.points[3 * kp] + c.R[7] * scene.points[3 * kp + 1] + c.R[8] * scene.points[3 * kp + 2] + c.t[2]) : null;
    const res = incrementalSfm(views, [K], pairs, { depthPrior });
    const v3 = res.views[3];
    expect(v3.method).toBe('depth-alignment');
    expect(v3.registrationInliers).toBe(10);
    expect(v3.placement).toMatch(/10 of its 10 model-point matches lifted to 3D/);
    const cams = res.views.map((v) => ({ ...scene.cameras[v.index], R: v.pose!.R, t: v.pose!.t }));
    expect(poseErrors(cams, scene.cameras).pairwiseRotationMaxDeg).toBeLessThan(0.2);
  });
});

describe('depth-alignment placement', () => {
  const scene = syntheticScene({ nCams: 2, nPoints: 40, arcDeg: 30, seed: 9 });
  const cam = scene.cameras[1];
  const depthOf = (i: number) => cam.R[6] * scene.points[3 * i] + cam.R[7] * scene.points[3 * i + 1] + cam.R[8] * scene.points[3 * i + 2] + cam.t[2];
  const data = (ids: number[], depthScale: number) => ({
    X: ids.map((i) => [scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]] as Vec3),
    x: ids.map((i) => [(scene.pixels[1][2 * i] - cam.cx) / cam.fx, (scene.pixels[1][2 * i + 1] - cam.cy) / cam.fy] as [number, number]),
    depth: ids.map((i) => depthScale * depthOf(i)),
    threshold: 2 / cam.fx,
  });
  const ids = visible(scene, [1]).slice(0, 8);

  it('recovers the exact pose from 8 matches with a depth map of unknown scale, 2 of them wrong', () => {
    const d = data(ids, 0.37);
    // Two wrong 2D-3D matches (another point's 3D position).
    d.X[2] = d.X[5].slice() as Vec3;
    d.X[6] = d.X[0].slice() as Vec3;
    const res = placeByDepthAlignment(d);
    if ('reason' in res) throw new Error(res.reason);
    expect(res.inliers).toBe(6);
    // Depth units -> model units: 1 / 0.37 (exact data: round-off only).
    expect(Math.abs(res.scale * 0.37 - 1)).toBeLessThan(1e-9);
    expectPose(res.pose, cam, 1e-6);
  });

  it('refuses with the reason when too few matches have depth', () => {
    const d = data(ids.slice(0, 5), 1);
    d.depth[1] = NaN;
    d.depth[3] = 0;
    const res = placeByDepthAlignment(d);
    expect('reason' in res && res.reason).toMatch(/only 3 of its model-point matches have a depth prior/);
  });
});
