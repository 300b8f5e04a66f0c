/**
 * The pose stage end to end on synthetic views through a scripted feature backend
 * (keypoints = projections of known points, matches = known correspondences), so
 * both robustness paths can be checked against exact cameras:
 *  - a consistent-but-wrong pair (view 3 matched "from behind": its matches follow a
 *    real camera on the far side of the object, like lego's front/back confusion)
 *    must be rejected by the view-graph filter and must not bend the poses;
 *  - view 5 sees only 10 of the model's points (PnP needs 15) and 150 points only
 *    view 4 also sees: it must be placed by the relative-pose fallback and reported
 *    with that method, 'low' confidence and how it was placed;
 *  - with a depth map for view 5 (the depthPriors option, half resolution, unknown
 *    scale) the same view is placed by depth alignment of its 10 model-point matches.
 */
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../engine/io/image.js';
import type { RgbaImage } from '../../engine/io/image.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { projectAll } from './synthetic.js';
import { scriptedBackend as scripted } from './scripted-backend.js';

// Pair (1, 3): every match goes to view 3's ghost keypoints.
const scriptedBackend = (keypoints: Float64Array[]) =>
  scripted(keypoints, { width: W, height: H, count: SHARED + PRIVATE, partner: (a, b, i) => (a === 1 && b === 3 ? i + SHARED + PRIVATE : i) });

const W = 640;
const H = 480;
// The pipeline's default 60° field of view, so the initial focal length is right.
const F = W / 2 / Math.tan(Math.PI / 6);
const SHARED = 300;
const PRIVATE = 150;

function buildPoints(): Float64Array {
  const rand = rng(77);
  const points = new Float64Array(3 * (SHARED + PRIVATE));
  for (let i = 0; i < points.length; i++) points[i] = (rand() - 0.5) * 3;
  return points;
}

function build() {
  const rand = rng(78);
  const points = buildPoints();
  const eye = (deg: number, r = 6) => [r * Math.sin((deg * Math.PI) / 180), 0.3 * (rand() - 0.5), -r * Math.cos((deg * Math.PI) / 180)];
  const intr = { width: W, height: H, fx: F, fy: F };
  const cameras: Camera[] = [-30, -15, 0, 15, 30, 42].map((deg) => lookAtCamera(eye(deg), [0, 0, 0], [0, -1, 0], intr));
  // View 3 seen from behind: the camera its wrong matches with view 1 follow.
  const ghost = lookAtCamera(eye(15 + 180), [0, 0, 0], [0, -1, 0], intr);
  const seen = (v: number, i: number) => (i < SHARED ? v <= 4 || i < 10 : v >= 4);
  const keypoints = cameras.map((cam, v) => {
    const px = projectAll(cam, points);
    const noise = rng(100 + v);
    for (let i = 0; i < px.length / 2; i++) {
      if (!seen(v, i)) px[2 * i] = px[2 * i + 1] = NaN;
      else for (const k of [0, 1]) px[2 * i + k] += 0.5 * gaussian(noise);
    }
    // View 3 also holds the ghost keypoints (indices N + i) that the wrong pair uses.
    if (v !== 3) return px;
    const g = projectAll(ghost, points);
    for (let i = SHARED; i < points.length / 3; i++) g[2 * i] = g[2 * i + 1] = NaN;
    const both = new Float64Array(px.length + g.length);
    both.set(px);
    both.set(g, px.length);
    return both;
  });
  return { cameras, keypoints };
}

function photo(v: number) {
  const img: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4).fill(255) };
  img.data[0] = 10 * v; // which view the scripted extractor is looking at; also keeps the photos distinct
  return { name: `view${v}.png`, bytes: encodePng(img) };
}

describe('estimatePoses: view-graph filter and relative-pose fallback (synthetic, scripted matches)', () => {
  it('rejects the wrong pair, places the PnP-starved view by relative pose, and reports both', async () => {
    const { cameras, keypoints } = build();
    const events: SparrowEvent[] = [];
    const est = await estimatePoses(cameras.map((_, v) => photo(v)), { backend: scriptedBackend(keypoints), onEvent: (e) => events.push(e) });

    const wrong = est.pairs.find((p) => p.a === 'view1.png' && p.b === 'view3.png')!;
    // The wrong pair verifies (a real epipolar geometry, with ~all matches inliers)...
    expect(wrong.inliers).toBeGreaterThan(100);
    // ...and is thrown out by the loop check, with a warning naming both photos.
    expect(wrong.rejected).toBe('loop-inconsistent');
    expect(events.some((e) => e.type === 'warning' && /view1\.png \/ view3\.png not used/.test(e.message))).toBe(true);
    expect(est.pairs.filter((p) => p.rejected === 'loop-inconsistent' || p.rejected === 'weak-unconfirmed').length).toBe(1);

    expect(est.views.every((v) => v.registered)).toBe(true);
    const v5 = est.views[5];
    expect(v5.method).toBe('relative-pose');
    expect(v5.confidence).toBe('low');
    expect(v5.placement).toMatch(/view4\.png.*baseline length from 10 model points/);
    for (const v of est.views.slice(0, 5)) expect(['initial-pair', 'pnp']).toContain(v.method);

    // 0.5 px noise, 300 points: the poses are right to a small fraction of a degree.
    const err = poseErrors(est.views.map((v) => v.camera!), cameras);
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.3);
    expect(err.ateFraction).toBeLessThan(0.02);
  }, 60_000);

  it('with a depth map for view 5 (any scale), places it by depth alignment through the depthPriors option', async () => {
    const { cameras, keypoints } = build();
    // A z-depth map of view 5 at half resolution, in units 3x the scene's, known at its keypoints' pixels only.
    const [w, h] = [W / 2, H / 2];
    const depth = new Float32Array(w * h);
    const c = cameras[5];
    const pts = keypoints[5];
    const world = buildPoints();
    for (let i = 0; i < pts.length / 2; i++) {
      if (!Number.isFinite(pts[2 * i])) continue;
      const z = c.R[6] * world[3 * i] + c.R[7] * world[3 * i + 1] + c.R[8] * world[3 * i + 2] + c.t[2];
      depth[Math.floor(pts[2 * i + 1] / 2) * w + Math.floor(pts[2 * i] / 2)] = 3 * z;
    }
    const depthPriors = cameras.map((_, v) => (v === 5 ? { width: w, height: h, depth } : null));
    const est = await estimatePoses(cameras.map((_, v) => photo(v)), { backend: scriptedBackend(keypoints), depthPriors });
    const v5 = est.views[5];
    expect(v5.method).toBe('depth-alignment');
    expect(v5.confidence).toBe('low');
    expect(v5.placement).toMatch(/model-point matches lifted to 3D with its depth prior/);
    expect(poseErrors(est.views.map((v) => v.camera!), cameras).pairwiseRotationMaxDeg).toBeLessThan(0.3);
    await expect(estimatePoses([photo(0), photo(1)], { backend: scriptedBackend(keypoints), depthPriors: [null] })).rejects.toThrow(/1 depth maps for 2 photos/);
  }, 60_000);
});

