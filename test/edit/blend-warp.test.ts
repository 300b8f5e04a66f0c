import { describe, it } from 'vitest';
import { controlPointsFromMeans } from '../../engine/deform/control-points.js';
import { quatFromAxisAngle } from '../../engine/deform/quat.js';
import { warpForwardRef } from '../../engine/deform/warp-ref.js';
import { BlendWarp } from '../../renderer/edit/blend-warp.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

describe('BlendWarp (edit-mode warp with cached weights)', () => {
  it('matches the float64 reference warp for random control-point transforms', () => {
    const rand = rng(7);
    const n = 400;
    const means = new Float32Array(n * 3).map(() => gaussian(rand) * 2);
    const quats = new Float32Array(n * 4).map(() => gaussian(rand));
    const rest = controlPointsFromMeans(means, 24);
    const ctrl = { ...rest, quats: rest.quats.slice(), trans: rest.trans.slice() };
    for (let k = 0; k < ctrl.count; k++) {
      // Rotations up to ~0.6 rad about random axes, quaternions of random norm (the warp normalizes).
      const q = quatFromAxisAngle([gaussian(rand), gaussian(rand), gaussian(rand)], rand() * 0.6);
      const s = 0.5 + rand();
      ctrl.quats.set(q.map((v) => v * s), k * 4);
      ctrl.trans.set([gaussian(rand), gaussian(rand), gaussian(rand)], k * 3);
    }
    const warp = new BlendWarp(means, rest, 3);
    const outMeans = new Float32Array(n * 3);
    const outQuats = new Float32Array(n * 4);
    warp.apply(ctrl, means, quats, outMeans, outQuats);
    const ref = warpForwardRef({ means, quats, nbr: warp.nbr, K: 3, ctrl });
    // Outputs are float32 (coordinates up to ~8): a few ulp of the inputs' magnitude.
    expectAllClose('means', outMeans, ref.means, 1e-5, 1e-6);
    expectAllClose('quats', outQuats, ref.quats, 1e-5, 1e-6);
  });
});
