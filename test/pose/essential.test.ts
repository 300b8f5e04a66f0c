import { describe, expect, it } from 'vitest';
import { MIN_ESSENTIAL_SAMPLES, essentialEightPoint, essentialFromPose, ransacEssential, recoverPose, sampsonErrorSq } from '../../engine/pose/essential.js';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
import { rng } from '../util/close.js';
import { addNoise, normalize, relativePose, syntheticScene } from './synthetic.js';

function pairData(noisePx: number, outlierFraction: number, seed: number) {
  const scene = syntheticScene({ nCams: 2, nPoints: 300, arcDeg: 25, seed });
  const [a, b] = scene.cameras;
  const pa = addNoise(scene.pixels[0].slice(), noisePx, seed + 1);
  const pb = addNoise(scene.pixels[1].slice(), noisePx, seed + 2);
  const rand = rng(seed + 3);
  const keep: number[] = [];
  for (let i = 0; i < 300; i++) if (Number.isFinite(pa[2 * i]) && Number.isFinite(pb[2 * i])) keep.push(i);
  const n = keep.length;
  const x1 = new Float64Array(2 * n);
  const x2 = new Float64Array(2 * n);
  const outlier = new Uint8Array(n);
  keep.forEach((i, k) => {
    x1[2 * k] = pa[2 * i]; x1[2 * k + 1] = pa[2 * i + 1];
    if (rand() < outlierFraction) {
      // Replace with a random pixel: a gross mismatch.
      outlier[k] = 1;
      x2[2 * k] = rand() * 640; x2[2 * k + 1] = rand() * 480;
    } else { x2[2 * k] = pb[2 * i]; x2[2 * k + 1] = pb[2 * i + 1]; }
  });
  return { c: { x1: normalize(a, x1), x2: normalize(b, x2) }, truth: relativePose(a, b), outlier, focal: a.fx };
}

describe('essential matrix', () => {
  it('eight-point recovers E exactly from noise-free correspondences', () => {
    const { c, truth } = pairData(0, 0, 11);
    const n = c.x1.length / 2;
    const E = essentialEightPoint(c, [...Array(n).keys()])!;
    for (let i = 0; i < n; i++) expect(sampsonErrorSq(E, c, i)).toBeLessThan(1e-20);
    const Et = essentialFromPose(truth);
    // Same up to scale and sign: normalize and compare.
    const s = Math.sign(E[0] * Et[0] + E[4] * Et[4] + E[1] * Et[1] + E[3] * Et[3]) * Math.hypot(...E) / Math.hypot(...Et);
    for (let i = 0; i < 9; i++) expect(Math.abs(E[i] - s * Et[i])).toBeLessThan(1e-9);
  });

  it('RANSAC + cheirality recovers the relative pose with 1 px noise and 30% outliers', () => {
    const { c, truth, outlier, focal } = pairData(1, 0.3, 21);
    // Sampson distance of 1 px noise in both images has sigma ~1.4 px: 4 px keeps ~99.5% of inliers.
    const res = ransacEssential(c, { threshold: 4 / focal, seed: 5 })!;
    expect(res).not.toBeNull();
    // Outliers that land near their epipolar line are indistinguishable: allow a few.
    let wrongIn = 0, rightOut = 0;
    for (let i = 0; i < outlier.length; i++) {
      if (outlier[i] && res.inlierMask[i]) wrongIn++;
      if (!outlier[i] && !res.inlierMask[i]) rightOut++;
    }
    const outliers = outlier.reduce((a, b) => a + b, 0);
    expect(wrongIn).toBeLessThan(0.1 * outliers);
    expect(rightOut).toBeLessThan(0.05 * (outlier.length - outliers));
    const rec = recoverPose(res.E, c, res.inlierMask);
    // 25° baseline, 1 px noise at f=500: a fraction of a degree is what 8-point + LO achieves.
    expect(rotationAngleDeg(rec.pose.R, truth.R)).toBeLessThan(0.5);
    const tn = Math.hypot(...truth.t);
    const cos = (rec.pose.t[0] * truth.t[0] + rec.pose.t[1] * truth.t[1] + rec.pose.t[2] * truth.t[2]) / tn;
    expect(cos).toBeGreaterThan(Math.cos((2 * Math.PI) / 180));
    expect(rec.cheiralCount).toBeGreaterThan(0.9 * res.inlierCount);
  });

  it('returns null with fewer than 8 correspondences', () => {
    const c = { x1: new Float64Array(14), x2: new Float64Array(14) };
    expect(ransacEssential(c, { threshold: 0.01 })).toBeNull();
  });
});

describe('essential matrix RANSAC: the sample floor', () => {
  it('draws MIN_ESSENTIAL_SAMPLES even when the adaptive bound would stop at once', () => {
    // Noise-free, no outliers: one sample is an all-inlier sample, so the adaptive bound says ~1.
    const { c, focal } = pairData(0, 0, 31);
    const adaptive = ransacEssential(c, { threshold: 2 / focal, seed: 3, minIterations: 0 })!;
    expect(adaptive.samples).toBeLessThan(10);
    const floored = ransacEssential(c, { threshold: 2 / focal, seed: 3 })!;
    expect(floored.samples).toBe(MIN_ESSENTIAL_SAMPLES);
    // The floor never exceeds the caller's cap.
    expect(ransacEssential(c, { threshold: 2 / focal, seed: 3, maxIterations: 50 })!.samples).toBe(50);
  });
});
