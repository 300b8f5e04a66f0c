import { describe, expect, it } from 'vitest';
import { createControlPoints } from '../../engine/deform/control-points.js';
import { controlPointsAt, createKeyframeMotion, sampleKeyframes, scatterKeyframeGrad, temporalSmoothness } from '../../engine/deform/motion.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

describe('keyframed motion', () => {
  it('samples keyframes, holds outside the range, rejects unsorted times', () => {
    const m = createKeyframeMotion([0, 0.5, 2], 1);
    expect(sampleKeyframes(m, -1)).toEqual({ f0: 0, f1: 0, alpha: 0 });
    expect(sampleKeyframes(m, 3)).toEqual({ f0: 2, f1: 2, alpha: 0 });
    expect(sampleKeyframes(m, 1.25)).toEqual({ f0: 1, f1: 2, alpha: 0.5 });
    expect(sampleKeyframes(m, 0.5)).toEqual({ f0: 1, f1: 2, alpha: 0 });
    expect(() => createKeyframeMotion([0, 0], 1)).toThrow(/increase/);
  });

  for (const interpolation of ['linear', 'cubic'] as const) {
    it(`${interpolation}: gradient scatter is the transpose of controlPointsAt`, () => {
      const rand = rng(2);
      const M = 3;
      const m = createKeyframeMotion([0, 1, 3, 4, 6], M, interpolation);
      m.quats.forEach((_, i) => (m.quats[i] = gaussian(rand)));
      m.trans.forEach((_, i) => (m.trans[i] = gaussian(rand)));
      const ctrl = createControlPoints(new Float32Array(M * 3), 1);
      const t = 3.7;
      const vq = Float64Array.from({ length: M * 4 }, () => gaussian(rand));
      const vt = Float64Array.from({ length: M * 3 }, () => gaussian(rand));
      const gq = new Float64Array(m.quats.length);
      const gt = new Float64Array(m.trans.length);
      scatterKeyframeGrad(m, t, vq, vt, gq, gt);
      // <v, J x> = <Jᵀ v, x> for the linear map keyframes -> control points at t.
      const c = controlPointsAt(ctrl, m, t);
      let lhs = 0;
      for (let i = 0; i < vq.length; i++) lhs += vq[i] * c.quats[i];
      for (let i = 0; i < vt.length; i++) lhs += vt[i] * c.trans[i];
      let rhs = 0;
      for (let i = 0; i < gq.length; i++) rhs += gq[i] * m.quats[i];
      for (let i = 0; i < gt.length; i++) rhs += gt[i] * m.trans[i];
      expect(lhs).toBeCloseTo(rhs, 12);
      // Taps: keyframes 2, 3 (linear) or 1..4 (cubic); keyframe 0 never touched at t = 3.7.
      expect(gq.subarray(0, M * 4).every((v) => v === 0)).toBe(true);
      expect(gq.subarray(M * 4, 2 * M * 4).some((v) => v !== 0)).toBe(interpolation === 'cubic');
      // Exact at keyframes.
      expectAllClose('at keyframe 3', controlPointsAt(ctrl, m, 4).trans, m.trans.subarray(3 * M * 3, 4 * M * 3), 1e-15, 0);
    });
  }

  it('cubic keyframes reproduce linear motion exactly and track smooth motion better than linear', () => {
    const times = Array.from({ length: 9 }, (_, f) => f / 8);
    const ctrl = createControlPoints(new Float32Array(3), 1);
    const lin = createKeyframeMotion(times, 1, 'linear');
    const cub = createKeyframeMotion(times, 1, 'cubic');
    const path = (t: number) => [0.3 * t, 0.25 * Math.sin(2 * Math.PI * t), 0];
    times.forEach((t, f) => { lin.trans.set(path(t), f * 3); cub.trans.set(path(t), f * 3); });
    let errLin = 0;
    let errCub = 0;
    for (let f = 0; f < 8; f++) {
      const t = (f + 0.5) / 8;
      const truth = path(t);
      errLin = Math.max(errLin, Math.abs(controlPointsAt(ctrl, lin, t).trans[1] - truth[1]));
      errCub = Math.max(errCub, Math.abs(controlPointsAt(ctrl, cub, t).trans[1] - truth[1]));
      // x is linear in t: reproduced exactly, end intervals included.
      expect(controlPointsAt(ctrl, cub, t).trans[0]).toBeCloseTo(truth[0], 12);
    }
    expect(errCub).toBeLessThan(errLin / 3);
  });

  it('temporal smoothness is zero for constant velocity and its gradient matches finite differences', () => {
    const M = 2;
    const m = createKeyframeMotion([0, 1, 2, 3], M);
    for (let f = 0; f < 4; f++) for (let i = 0; i < M * 3; i++) m.trans[f * M * 3 + i] = 0.3 * f * (i + 1);
    expect(temporalSmoothness(m, 1, new Float64Array(m.quats.length), new Float64Array(m.trans.length))).toBeCloseTo(0, 20);
    const rand = rng(3);
    m.quats.forEach((_, i) => (m.quats[i] = gaussian(rand)));
    m.trans.forEach((_, i) => (m.trans[i] = gaussian(rand)));
    const vq = new Float64Array(m.quats.length);
    const vt = new Float64Array(m.trans.length);
    temporalSmoothness(m, 0.7, vq, vt);
    const energy = () => temporalSmoothness(m, 0.7, new Float64Array(m.quats.length), new Float64Array(m.trans.length));
    const fd = (arr: Float64Array) =>
      arr.map((v, i) => {
        arr[i] = v + 1e-6;
        const ep = energy();
        arr[i] = v - 1e-6;
        const em = energy();
        arr[i] = v;
        return (ep - em) / 2e-6;
      });
    // Quadratic energy: central differences are exact up to round-off (~1e-16 · E / 1e-6).
    expectAllClose('vQuats', vq, fd(m.quats), 1e-7, 1e-7);
    expectAllClose('vTrans', vt, fd(m.trans), 1e-7, 1e-7);
  });
});
