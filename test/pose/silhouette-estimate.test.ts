/**
 * The silhouette fallback inside estimatePoses: masked photos of a synthetic object
 * whose scripted matches split the views into a registered group (views 0-4) and a
 * pair (views 5, 6) that no match links to it, like lego8's separate groups. The pair
 * must be placed by 'silhouette' at the right poses; with the fallback off, or with
 * photos without alpha, it stays unregistered with the reason.
 */
import { describe, expect, it } from 'vitest';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses, type PoseEstimate } from '../../engine/pose/estimate-poses.js';
import { gaussian, rng } from '../util/close.js';
import { maskedPhotos, orbitCamera } from './silhouette-synthetic.js';
import { projectAll } from './synthetic.js';
import { scriptedBackend } from './scripted-backend.js';

const W = 128;
const H = 96;
// The pipeline's default 60° field of view, so the initial focal length is right.
const F = W / 2 / Math.tan(Math.PI / 6);
const cameras = ([[0, 30], [72, 50], [144, 20], [216, 40], [288, 25], [110, 35], [170, 55]] as const).map(([a, e]) => ({
  ...orbitCamera(a, e, W),
  height: H,
  fx: F,
  fy: F,
  cx: W / 2,
  cy: H / 2,
}));
const groupOf = (v: number) => (v < 5 ? 0 : 1);

/** Points inside the object's box, each seen by the views of one group (the scripted matches). */
function keypointsOf(): Float64Array[] {
  const rand = rng(11);
  const points = new Float64Array(3 * 400);
  for (let i = 0; i < points.length; i++) points[i] = 1.4 * (rand() - 0.5);
  return cameras.map((cam, v) => {
    const px = projectAll(cam, points);
    const noise = rng(30 + v);
    for (let i = 0; i < 400; i++) {
      if ((i < 250 ? 0 : 1) !== groupOf(v)) px[2 * i] = px[2 * i + 1] = NaN;
      else for (const k of [0, 1]) px[2 * i + k] += 0.3 * gaussian(noise);
    }
    return px;
  });
}

const photos = (withAlpha: boolean) => maskedPhotos(cameras, withAlpha);

const backend = scriptedBackend(keypointsOf(), { width: W, height: H });
const registered = (est: PoseEstimate) => est.views.filter((v) => v.registered).map((v) => v.name);

describe('estimatePoses: silhouette fallback (synthetic masked object, scripted matches)', () => {
  it('places the group that no match links to the others by its silhouettes', async () => {
    const est = await estimatePoses(photos(true), { backend });
    expect(registered(est)).toHaveLength(7);
    for (const v of est.views.slice(5)) {
      expect(v.method).toBe('silhouette');
      expect(v.confidence).toBe('low');
      expect(v.placement).toMatch(/silhouette coherence 0\.9\d+ with the 5 placed views.*lead/);
    }
    for (const v of est.views.slice(0, 5)) expect(v.method).toMatch(/initial-pair|pnp/);
    // Silhouettes at 96 px, a hull of 5 views and a focal length refined by BA: a few degrees.
    const e = poseErrors(est.views.map((v) => v.camera!), cameras);
    expect(e.pairwiseRotationMaxDeg).toBeLessThan(5);
    expect(est.timingsMs.silhouette).toBeGreaterThan(0);
  });

  it('leaves the group unregistered, with the reason, when off or without alpha masks', async () => {
    const off = await estimatePoses(photos(true), { backend, silhouette: false });
    expect(registered(off)).toHaveLength(5);
    for (const v of off.views.slice(5)) {
      expect(v.reason).toMatch(/form a separate group of 2 views/);
      expect(v.reason).not.toMatch(/silhouette/);
    }
    const opaque = await estimatePoses(photos(false), { backend });
    expect(registered(opaque)).toHaveLength(5);
    for (const v of opaque.views.slice(5)) expect(v.reason).toMatch(/separate group of 2 views.*; silhouette fallback: the photo has no alpha mask/);
  });
});
