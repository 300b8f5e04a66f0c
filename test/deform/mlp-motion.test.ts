import { describe, expect, it } from 'vitest';
import { createControlPoints } from '../../engine/deform/control-points.js';
import { MlpMotion } from '../../engine/deform/mlp-motion.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

describe('MLP motion model (the measured alternative to keyframes)', () => {
  it('starts at the identity motion', () => {
    const mlp = new MlpMotion({ width: 8, hiddenLayers: 2, posFreqs: 2, timeFreqs: 2 });
    const ctrl = createControlPoints(new Float32Array([0.1, 0.2, 0.3, -0.5, 0.4, 0.9]), 1);
    const c = mlp.at(ctrl, 0.3);
    expect(Array.from(c.quats)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(c.trans)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('backward matches central finite differences for every weight and bias', () => {
    const rand = rng(8);
    const mlp = new MlpMotion({ width: 6, hiddenLayers: 2, posFreqs: 2, timeFreqs: 1, seed: 3 });
    // Non-zero output layer so every path carries gradient.
    for (const p of mlp.params()) for (let i = 0; i < p.length; i++) p[i] += 0.3 * gaussian(rand);
    const ctrl = createControlPoints(Float32Array.from({ length: 9 }, () => rand() * 2 - 1), 1);
    const t = 0.37;
    const vq = Float64Array.from({ length: 12 }, () => gaussian(rand));
    const vt = Float64Array.from({ length: 9 }, () => gaussian(rand));
    const loss = () => {
      const c = mlp.at(ctrl, t);
      let l = 0;
      for (let i = 0; i < 12; i++) l += vq[i] * c.quats[i];
      for (let i = 0; i < 9; i++) l += vt[i] * c.trans[i];
      return l;
    };
    loss();
    const grads = mlp.params().map((p) => new Float64Array(p.length));
    mlp.backward(t, vq, vt, grads);
    mlp.params().forEach((p, g) => {
      const fd = p.map((v, i) => {
        p[i] = v + 1e-6;
        const lp = loss();
        p[i] = v - 1e-6;
        const lm = loss();
        p[i] = v;
        return (lp - lm) / 2e-6;
      });
      // Piecewise-linear in each weight except at ReLU kinks (measure zero for random
      // inputs); round-off ~1e-16 · |L| / 1e-6.
      expectAllClose(`param group ${g}`, grads[g], fd, 1e-7, 1e-6);
    });
  });
});
