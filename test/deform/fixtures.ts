/** Small random warp problems shared by the deform tests. */
import { controlPointsF64, createControlPoints, knn, type ControlPoints } from '../../engine/deform/control-points.js';
import type { WarpInputs } from '../../engine/deform/warp-ref.js';
import { gaussian, rng } from '../util/close.js';

/**
 * N Gaussians in a unit box, M control points with random rotations (up to ~0.6 rad),
 * translations and radii around 0.4, K nearest neighbours each.
 */
export function randomWarpProblem(seed: number, N: number, M: number, K: number): WarpInputs & { ctrl: ControlPoints<Float64Array> } {
  const rand = rng(seed);
  const means = new Float64Array(N * 3).map(() => rand() * 2 - 1);
  const quats = new Float64Array(N * 4).map(() => gaussian(rand));
  const positions = new Float32Array(M * 3).map(() => rand() * 2 - 1);
  const ctrl = controlPointsF64(createControlPoints(positions, 0.4));
  for (let k = 0; k < M; k++) {
    ctrl.logRadius[k] = Math.log(0.3 + 0.4 * rand());
    // Scaled, non-unit quaternions near identity: the warp normalizes them.
    const s = 0.5 + rand();
    ctrl.quats.set([s, 0.3 * s * gaussian(rand), 0.3 * s * gaussian(rand), 0.3 * s * gaussian(rand)], k * 4);
    ctrl.trans.set([0.2 * gaussian(rand), 0.2 * gaussian(rand), 0.2 * gaussian(rand)], k * 3);
  }
  const nbr = knn(means, ctrl.positions, K);
  return { means, quats, nbr, K, ctrl };
}
