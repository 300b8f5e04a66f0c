import { describe, expect, it } from 'vitest';
import { arapEnergy } from '../../engine/deform/arap.js';
import { createControlPoints, controlPointsFromMeans } from '../../engine/deform/control-points.js';
import { ArapEditor, warpScene } from '../../engine/deform/edit.js';
import { quatFromAxisAngle, quatToMat } from '../../engine/deform/quat.js';
import { createScene } from '../../engine/splat/scene.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

/** A bar of control points along x, 3 x 3 cross-section, length 10. */
function bar(): Float32Array {
  const pts: number[] = [];
  for (let x = 0; x <= 20; x++) for (let y = -1; y <= 1; y++) for (let z = -1; z <= 1; z++) pts.push(x * 0.5, y * 0.5, z * 0.5);
  return new Float32Array(pts);
}

describe('ARAP editing', () => {
  it('moves everything rigidly when the constraints are a rigid motion', () => {
    // A compact 5x5x5 block: ARAP converges linearly, slowest on long thin shapes, and this
    // test is about the fixed point, not the rate.
    const block: number[] = [];
    for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) for (let z = 0; z < 5; z++) block.push(x * 0.5, y * 0.5, z * 0.5);
    const ctrl = createControlPoints(new Float32Array(block), 0.5);
    const ed = new ArapEditor(ctrl);
    const q = quatFromAxisAngle([0, 0, 1], 0.7);
    const R = quatToMat(q[0], q[1], q[2], q[3]);
    const T = [1, 2, -0.5];
    const rigid = (i: number) => [0, 1, 2].map((a) => R[a * 3] * ctrl.positions[i * 3] + R[a * 3 + 1] * ctrl.positions[i * 3 + 1] + R[a * 3 + 2] * ctrl.positions[i * 3 + 2] + T[a]);
    // Four non-coplanar corner handles fix the motion.
    ed.setConstraints([0, 4, 20, 124].map((index) => ({ index, target: rigid(index) })));
    // From the rest pose the energy must fall steadily...
    const e0 = arapEnergy(ed.graph, ed.rest, ed.current).energy;
    expect(ed.solve(5)).toBeLessThan(0.2 * e0);
    // ...and the rigid motion must be a fixed point of the local/global iteration (a wrong
    // global step or rotation fit would drift away from it).
    ed.rigidGuess();
    const energy = ed.solve(10);
    const ref = new Float64Array(ctrl.count * 3);
    for (let i = 0; i < ctrl.count; i++) ref.set(rigid(i), i * 3);
    // Only the 1e-9 proximal term and float64 round-off separate the iterate from the motion.
    expectAllClose('positions', ed.current, ref, 1e-5, 0);
    expect(energy).toBeLessThan(1e-12);
    // The control-point transforms then warp any Gaussian rigidly too.
    const scene = createScene(50, 0);
    const rand = rng(1);
    for (let i = 0; i < 50; i++) scene.means.set([rand() * 2, rand() * 2, rand() * 2], i * 3);
    const out = warpScene(scene, ed.controlPoints(), 3);
    const refMeans = new Float64Array(150);
    for (let i = 0; i < 50; i++) {
      const m = scene.means.subarray(i * 3, i * 3 + 3);
      for (let a = 0; a < 3; a++) refMeans[i * 3 + a] = R[a * 3] * m[0] + R[a * 3 + 1] * m[1] + R[a * 3 + 2] * m[2] + T[a];
    }
    expectAllClose('warped means', out.means, refMeans, 1e-4, 0); // float32 output of coordinates ~3, solver residue 1e-5
  });

  it('bends a bar: pinned end stays, handle reaches its target, energy never increases, lengths kept', () => {
    const ctrl = createControlPoints(bar(), 0.5);
    const ed = new ArapEditor(ctrl);
    const pinned = [];
    for (let i = 0; i < 18; i++) pinned.push({ index: i, target: Array.from(ctrl.positions.subarray(i * 3, i * 3 + 3)) });
    const handle = 20 * 9 + 4; // centre of the far end, rest (10, 0, 0)
    const target = [8, 5, 0];
    ed.setConstraints([...pinned, { index: handle, target }]);
    const naive = ed.current.slice(); // only the handle moved
    let prev = arapEnergy(ed.graph, ed.rest, naive).energy;
    for (let it = 0; it < 15; it++) {
      const e = ed.solve(1);
      expect(e).toBeLessThanOrEqual(prev * (1 + 1e-9));
      prev = e;
    }
    expectAllClose('handle', ed.current.subarray(handle * 3, handle * 3 + 3), target, 1e-12, 0);
    expectAllClose('pinned', ed.current.subarray(0, 54), ctrl.positions.subarray(0, 54), 1e-12, 0);
    // The bar bends instead of stretching: the centre-line segment lengths stay within 15 %.
    for (let x = 0; x < 20; x++) {
      const a = x * 9 + 4;
      const b = (x + 1) * 9 + 4;
      const len = Math.hypot(...[0, 1, 2].map((k) => ed.current[b * 3 + k] - ed.current[a * 3 + k]));
      expect(Math.abs(len - 0.5) / 0.5).toBeLessThan(0.15);
    }
    // And the middle of the bar left the x axis (it bent toward the target).
    expect(ed.current[(10 * 9 + 4) * 3 + 1]).toBeGreaterThan(0.3);
  });

  it('picks control points by ray and by sphere', () => {
    const ctrl = controlPointsFromMeans(bar(), 30);
    const ed = new ArapEditor(ctrl);
    const k = 7;
    const p = Array.from(ctrl.positions.subarray(k * 3, k * 3 + 3));
    expect(ed.pickRay([p[0], p[1], p[2] - 10], [0, 0, 1], 0.01)).toBe(k);
    expect(ed.pickRay([p[0], p[1], p[2] + 10], [0, 0, 1], 0.01)).toBe(-1); // behind the origin
    expect(ed.pickSphere(p, 1e-6)).toEqual([k]);
    expect(() => ed.setConstraints([{ index: 999, target: [0, 0, 0] }])).toThrow(/out of range/);
  });

  it('farthest-point sampling spreads control points over the Gaussians', () => {
    const rand = rng(9);
    const means = new Float32Array(3000).map(() => gaussian(rand));
    const ctrl = controlPointsFromMeans(means, 64);
    expect(ctrl.count).toBe(64);
    // Every control point is a Gaussian mean, all distinct, and radii are positive.
    const keys = new Set<string>();
    for (let k = 0; k < 64; k++) keys.add(Array.from(ctrl.positions.subarray(k * 3, k * 3 + 3)).join(','));
    expect(keys.size).toBe(64);
    for (const r of ctrl.logRadius) expect(Number.isFinite(r)).toBe(true);
    // Coverage: the farthest Gaussian from its nearest control point is much closer than
    // for 64 randomly chosen means (FPS minimizes exactly this covering radius).
    const cover = (pos: ArrayLike<number>) => {
      let worst = 0;
      for (let i = 0; i < 1000; i++) {
        let best = Infinity;
        for (let k = 0; k < 64; k++) best = Math.min(best, (means[i * 3] - pos[k * 3]) ** 2 + (means[i * 3 + 1] - pos[k * 3 + 1]) ** 2 + (means[i * 3 + 2] - pos[k * 3 + 2]) ** 2);
        worst = Math.max(worst, best);
      }
      return Math.sqrt(worst);
    };
    const randomPick = new Float32Array(192);
    for (let k = 0; k < 64; k++) randomPick.set(means.subarray(k * 3 * 15, k * 3 * 15 + 3), k * 3);
    expect(cover(ctrl.positions)).toBeLessThan(0.8 * cover(randomPick));
  });
});
