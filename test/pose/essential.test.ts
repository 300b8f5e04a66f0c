import { describe, expect, it } from 'vitest';
import { essentialEightPoint, essentialFromPose, essentialReweighted, ransacEssential, recoverPose, refineEssential, sampsonErrorSq } from '../../engine/pose/essential.js';
import * as plain from './essential-reference.js';
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

/** Every float of `got` is the reference's (Object.is: same bits, -0 and NaN included). */
function expectSameBits(name: string, got: ArrayLike<number>, ref: ArrayLike<number>) {
  expect(got.length, `${name}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) expect(Object.is(got[i], ref[i]), `${name}[${i}]: ${got[i]} vs ${ref[i]}`).toBe(true);
}

describe('essential matrix: the fast estimator against the plain reference', () => {
  // Clean, noisy and outlier-heavy pairs, small and large thresholds: early-stopped
  // scoring and the allocation-free Sampson terms must pick the same models.
  const cases = [
    { noise: 0, outliers: 0, seed: 31, thrPx: 1 },
    { noise: 0.5, outliers: 0.1, seed: 32, thrPx: 2 },
    { noise: 1, outliers: 0.3, seed: 33, thrPx: 4 },
    { noise: 1, outliers: 0.55, seed: 34, thrPx: 2 },
    { noise: 2, outliers: 0.2, seed: 35, thrPx: 1 },
  ];
  for (const k of cases) {
    it(`ransacEssential: same E, mask and count, bit for bit (noise ${k.noise} px, ${Math.round(k.outliers * 100)}% outliers)`, () => {
      const { c, focal } = pairData(k.noise, k.outliers, k.seed);
      for (const seed of [1, 2, 3]) {
        const opts = { threshold: k.thrPx / focal, seed, maxIterations: 1000 };
        const got = ransacEssential(c, opts)!;
        const ref = plain.ransacEssentialReference(c, opts)!;
        expect(got).not.toBeNull();
        expectSameBits(`E (seed ${seed})`, got.E, ref.E);
        expectSameBits(`mask (seed ${seed})`, got.inlierMask, ref.inlierMask);
        expect(got.inlierCount).toBe(ref.inlierCount);
      }
    });
  }

  it('Sampson error, reweighted eight-point and the LM refinement: bit for bit', () => {
    const { c, truth, focal } = pairData(1, 0.2, 36);
    const n = c.x1.length / 2;
    const all = [...Array(n).keys()];
    // A wrong E too (not only near-zero residuals): the rotated truth.
    const E0 = essentialFromPose(truth);
    const E1 = essentialFromPose({ R: [0.99, -0.1, 0.05, 0.1, 0.99, 0.02, -0.05, -0.02, 0.998], t: truth.t });
    for (const E of [E0, E1]) {
      expectSameBits('sampson', all.map((i) => sampsonErrorSq(E, c, i)), all.map((i) => plain.sampsonErrorSq(E, c, i)));
      expectSameBits('reweighted', essentialReweighted(c, all, E)!, plain.essentialReweighted(c, all, E)!);
      expectSameBits('refined', refineEssential(E, c, all, 1 / focal), plain.refineEssential(E, c, all, 1 / focal));
    }
  });
});
