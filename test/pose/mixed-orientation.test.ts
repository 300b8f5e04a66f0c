/**
 * Portrait and landscape photos of one camera (a phone turned between shots, EXIF
 * orientation already applied to the pixels): one camera group, one focal length refined
 * from all of them, each photo with its own principal point (SfmView.principalOffset), and
 * exported so other tools read the right size and principal point per photo.
 */
import { describe, expect, it } from 'vitest';
import { encodePng, type RgbaImage } from '../../engine/io/image.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { toColmapModel, toTransformsJson } from '../../engine/pose/export.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { scriptedBackend } from './scripted-backend.js';
import { projectAll } from './synthetic.js';

const F = 480; // true focal length; the pipeline starts from its 60° default (554 px on 640)
const N = 400;

function build() {
  const rand = rng(11);
  const points = new Float64Array(3 * N).map(() => (rand() - 0.5) * 3);
  const portrait = new Set([1, 3]);
  const cameras: Camera[] = [-30, -15, 0, 15, 30].map((deg, v) => {
    const a = (deg * Math.PI) / 180;
    const eye = [6 * Math.sin(a), 0.5 * (rand() - 0.5), -6 * Math.cos(a)];
    // A portrait shot: the camera rolled by 90° about its axis, the image 480 wide and 640 high.
    const [w, h, up] = portrait.has(v) ? [480, 640, [1, 0, 0]] : [640, 480, [0, -1, 0]];
    return lookAtCamera(eye, [0, 0, 0], up, { width: w, height: h, fx: F, fy: F });
  });
  const keypoints = cameras.map((cam, v) => {
    const px = projectAll(cam, points);
    const noise = rng(30 + v);
    for (let i = 0; i < px.length; i++) px[i] += 0.4 * gaussian(noise);
    return px;
  });
  const photos = cameras.map((cam, v) => {
    const img: RgbaImage = { width: cam.width, height: cam.height, data: new Uint8Array(cam.width * cam.height * 4).fill(255) };
    img.data[0] = 10 * v; // which view the scripted extractor is looking at
    return { name: `view${v}.png`, bytes: encodePng(img) };
  });
  return { cameras, keypoints, photos };
}

describe('estimatePoses: portrait and landscape photos of one camera', () => {
  it('share one focal length, keep their own principal points, and get their poses right', async () => {
    const { cameras, keypoints, photos } = build();
    const est = await estimatePoses(photos, { backend: scriptedBackend(keypoints, { width: 640, height: 480 }) });
    expect(est.views.every((v) => v.registered)).toBe(true);
    expect(new Set(est.views.map((v) => v.group)).size).toBe(1);
    const f = est.views[0].camera!.fx;
    for (const v of est.views) expect(v.camera!.fx).toBe(f);
    // Refined from the 554 px default to the true 480 by all five views together.
    expect(Math.abs(f / F - 1)).toBeLessThan(0.01);
    expect([est.views[1].camera!.cx, est.views[1].camera!.cy]).toEqual([240, 320]);
    expect([est.views[0].camera!.cx, est.views[0].camera!.cy]).toEqual([320, 240]);
    const err = poseErrors(est.views.map((v) => v.camera!), cameras);
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.2);
    expect(err.ateFraction).toBeLessThan(0.01);
    // Reprojection errors are measured in each photo's own pixels: at the noise level.
    for (const v of est.views) expect(v.rmsErrorPx).toBeLessThan(1);

    // COLMAP: one camera per size (same focal length); transforms.json: intrinsics per frame.
    const model = toColmapModel(est);
    expect([...model.cameras.values()].map((c) => [c.width, c.height, c.params[0], c.params[2], c.params[3]])).toEqual([
      [640, 480, f, 320, 240],
      [480, 640, f, 240, 320],
    ]);
    expect(model.images.map((im) => im.cameraId)).toEqual([1, 2, 1, 2, 1]);
    const tj = toTransformsJson(est, '/out', photos.map((p) => `/out/${p.name}`)) as { w?: number; frames: { w: number; h: number; cx: number }[] };
    expect(tj.w).toBeUndefined();
    expect(tj.frames.map((fr) => [fr.w, fr.h, fr.cx])).toEqual([[640, 480, 320], [480, 640, 240], [640, 480, 320], [480, 640, 240], [640, 480, 320]]);
  }, 60_000);
});
