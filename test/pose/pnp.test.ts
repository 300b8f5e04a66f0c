import { describe, expect, it } from 'vitest';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
import { epnp, ransacPnp } from '../../engine/pose/pnp.js';
import { cameraCenter } from '../../engine/splat/camera.js';
import { rng } from '../util/close.js';
import { addNoise, normalize, syntheticScene } from './synthetic.js';

function pnpData(noisePx: number, outlierFraction: number, seed: number) {
  const scene = syntheticScene({ nCams: 1, nPoints: 200, arcDeg: 0, seed });
  const cam = scene.cameras[0];
  const px = addNoise(scene.pixels[0].slice(), noisePx, seed + 1);
  const rand = rng(seed + 2);
  const idx = [...Array(200).keys()].filter((i) => Number.isFinite(px[2 * i]));
  const X = new Float64Array(3 * idx.length);
  const x = new Float64Array(2 * idx.length);
  idx.forEach((i, k) => {
    for (let d = 0; d < 3; d++) X[3 * k + d] = scene.points[3 * i + d];
    const out = rand() < outlierFraction;
    x[2 * k] = out ? rand() * 640 : px[2 * i];
    x[2 * k + 1] = out ? rand() * 480 : px[2 * i + 1];
  });
  return { input: { X, x: normalize(cam, x) }, cam };
}

const centreDist = (a: { R: number[]; t: number[] }, b: { R: number[]; t: number[] }) => {
  const ca = cameraCenter({ ...a, width: 0, height: 0, fx: 0, fy: 0, cx: 0, cy: 0 });
  const cb = cameraCenter({ ...b, width: 0, height: 0, fx: 0, fy: 0, cx: 0, cy: 0 });
  return Math.hypot(ca[0] - cb[0], ca[1] - cb[1], ca[2] - cb[2]);
};

describe('PnP', () => {
  it('EPnP is exact on noise-free data (6 points and all points)', () => {
    const { input, cam } = pnpData(0, 0, 31);
    for (const idx of [[0, 1, 2, 3, 4, 5], [...Array(input.x.length / 2).keys()]]) {
      const p = epnp(input, idx)!;
      expect(rotationAngleDeg(p.R, cam.R)).toBeLessThan(1e-5);
      expect(centreDist(p, cam)).toBeLessThan(1e-6);
    }
  });

  it('RANSAC + refinement: 1 px noise, 40% outliers', () => {
    const { input, cam } = pnpData(1, 0.4, 41);
    const res = ransacPnp(input, { threshold: 3 / 500, seed: 3 })!;
    expect(res).not.toBeNull();
    // ~100 inliers, 1 px at f=500, camera 6 units away: hundredths of a degree / unit.
    expect(rotationAngleDeg(res.pose.R, cam.R)).toBeLessThan(0.2);
    expect(centreDist(res.pose, cam)).toBeLessThan(0.05);
    expect(res.rmsError * 500).toBeLessThan(2);
    expect(res.inlierCount).toBeGreaterThan(0.5 * (input.x.length / 2) - 10);
  });
});
