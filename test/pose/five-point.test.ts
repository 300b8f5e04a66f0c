import { describe, expect, it } from 'vitest';
import { decomposeEssential, essentialFromPose, sampsonErrorSq } from '../../engine/pose/essential.js';
import { fivePoint } from '../../engine/pose/five-point.js';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
import { rng } from '../util/close.js';
import { fivePointReference } from './five-point-reference.js';
import { normalize, relativePose, syntheticScene } from './synthetic.js';

describe('five-point solver', () => {
  for (const [seed, arc] of [[1, 20], [2, 5], [3, 60]] as const) {
    it(`one of the solutions is the true E (exact data, ${arc}° arc, seed ${seed})`, () => {
      const scene = syntheticScene({ nCams: 2, nPoints: 60, arcDeg: arc, seed });
      const vis = [...Array(60).keys()].filter((i) => scene.pixels.every((p) => Number.isFinite(p[2 * i])));
      const sel = vis.slice(0, 5);
      const pick = (k: number) => Float64Array.from(sel.flatMap((i) => [scene.pixels[k][2 * i], scene.pixels[k][2 * i + 1]]));
      const c = { x1: normalize(scene.cameras[0], pick(0)), x2: normalize(scene.cameras[1], pick(1)) };
      const sols = fivePoint(c, [0, 1, 2, 3, 4]);
      expect(sols.length).toBeGreaterThan(0);
      expect(sols.length).toBeLessThanOrEqual(10);
      // Every solution satisfies the 5 constraints.
      for (const E of sols) for (let i = 0; i < 5; i++) expect(sampsonErrorSq(E, c, i)).toBeLessThan(1e-16);
      const truth = relativePose(scene.cameras[0], scene.cameras[1]);
      const Et = essentialFromPose(truth);
      const nt = Math.hypot(...Et);
      const dist = sols.map((E) => Math.min(...[1, -1].map((s) => Math.hypot(...E.map((v, i) => v - (s * Et[i]) / nt)))));
      // Exact data: the true solution is found to ~1e-9 (double precision through the eigen-solver).
      expect(Math.min(...dist)).toBeLessThan(1e-6);
      const best = sols[dist.indexOf(Math.min(...dist))];
      expect(Math.min(...decomposeEssential(best).map((p) => rotationAngleDeg(p.R, truth.R)))).toBeLessThan(1e-4);
    });
  }
});

describe('five-point solver: the fast version against the plain reference', () => {
  // Noisy correspondences (not exactly consistent: the solver works on any 5-sample),
  // pure noise, near-degenerate small-baseline data: the same solutions, bit for bit.
  it('returns the same solutions, every float identical (Object.is), on 300 random 5-samples', () => {
    const rand = rng(7);
    let solutions = 0;
    for (let trial = 0; trial < 300; trial++) {
      const kind = trial % 3;
      const scene = syntheticScene({ nCams: 2, nPoints: 40, arcDeg: kind === 2 ? 1 : 25, seed: 100 + trial });
      const vis = [...Array(40).keys()].filter((i) => scene.pixels.every((p) => Number.isFinite(p[2 * i])));
      const pick = (k: number) => Float64Array.from(vis.flatMap((i) => [scene.pixels[k][2 * i], scene.pixels[k][2 * i + 1]]));
      const p0 = pick(0);
      const p1 = pick(1);
      for (let i = 0; i < p1.length; i++) p1[i] = kind === 1 ? rand() * 640 : p1[i] + (rand() - 0.5);
      const c = { x1: normalize(scene.cameras[0], p0), x2: normalize(scene.cameras[1], p1) };
      const idx = [0, 1, 2, 3, 4].map((k) => (k * 7 + trial) % vis.length);
      if (new Set(idx).size < 5) continue;
      const got = fivePoint(c, idx);
      const ref = fivePointReference(c, idx);
      expect(got.length).toBe(ref.length);
      got.forEach((E, s) => E.forEach((v, e) => expect(Object.is(v, ref[s][e]), `trial ${trial} solution ${s} entry ${e}: ${v} vs ${ref[s][e]}`).toBe(true)));
      solutions += got.length;
    }
    // Not vacuous: most samples have real solutions.
    expect(solutions).toBeGreaterThan(300);
  });
});
