import { describe, expect, it } from 'vitest';
import { decomposeEssential, essentialFromPose, sampsonErrorSq } from '../../engine/pose/essential.js';
import { fivePoint } from '../../engine/pose/five-point.js';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
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
