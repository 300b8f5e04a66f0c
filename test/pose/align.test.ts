import { describe, expect, it } from 'vitest';
import { applySimilarity, poseErrors, transformCamera, umeyama } from '../../engine/pose/align.js';
import { expSO3, mul3, rotationAngleDeg } from '../../engine/pose/linalg.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { syntheticScene } from './synthetic.js';

const T = { s: 2.7, R: expSO3([0.4, -1.1, 0.7]), t: [3, -2, 5] as [number, number, number] };

describe('alignment', () => {
  it('umeyama recovers a known similarity from exact points', () => {
    const rand = rng(1);
    const src = Array.from({ length: 10 }, () => [gaussian(rand), gaussian(rand), gaussian(rand)]);
    const dst = src.map((p) => applySimilarity(T, p));
    const est = umeyama(src, dst);
    expect(est.s).toBeCloseTo(T.s, 10);
    expect(rotationAngleDeg(est.R, T.R)).toBeLessThan(1e-5);
    expectAllClose('t', est.t, T.t, 1e-9, 0);
    // Rigid variant keeps s = 1.
    expect(umeyama(src, dst, false).s).toBe(1);
  });

  it('cameras moved by a similarity have zero error against the originals', () => {
    const { cameras } = syntheticScene({ nCams: 5, nPoints: 10, arcDeg: 50, seed: 3 });
    const moved = cameras.map((c) => transformCamera(T, c));
    const e = poseErrors(moved, cameras);
    expect(e.pairwiseRotationMaxDeg).toBeLessThan(1e-5);
    expect(e.absoluteRotationMaxDeg).toBeLessThan(1e-5);
    expect(e.ateFraction).toBeLessThan(1e-9);
    expect(e.alignment.s).toBeCloseTo(1 / T.s, 9);
  });

  it('measures a rotation error injected into one camera and a displaced centre', () => {
    const { cameras } = syntheticScene({ nCams: 5, nPoints: 10, arcDeg: 50, seed: 4 });
    const bad = cameras.map((c, i) => (i === 2 ? { ...c, R: mul3(expSO3([0, (2 * Math.PI) / 180, 0]), c.R) } : c));
    const e = poseErrors(bad, cameras);
    // Pairs with camera 2 are off by 2°, the rest by 0.
    // acos near 1 resolves ~1e-6°, hence 4 digits.
    expect(e.pairwiseRotationMaxDeg).toBeCloseTo(2, 4);
    expect(e.pairwiseRotationMeanDeg).toBeCloseTo((4 * 2) / 10, 4);
    const shifted = cameras.map((c, i) => (i === 0 ? { ...c, t: [c.t[0] + 0.5, c.t[1], c.t[2]] } : c));
    expect(poseErrors(shifted, cameras).ateFraction).toBeGreaterThan(0.01);
  });
});
