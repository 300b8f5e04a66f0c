/** Small random scenes and cameras shared by the rasterizer tests (deterministic by seed). */
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { createScene, type GaussianScene } from '../../engine/splat/scene.js';
import { gaussian, rng } from '../util/close.js';

/** A camera at distance ~4 from the origin looking at it; `fx` so the unit ball fills ~half the image. */
export function testCamera(width: number, height: number, seed = 1): Camera {
  const rand = rng(seed);
  const eye = [0.5 * (rand() - 0.5), 0.5 * (rand() - 0.5), -4];
  return lookAtCamera(eye, [0, 0, 0], [0, -1, 0], { width, height, fx: width * 0.9, fy: width * 0.9, cx: width / 2 + 0.3, cy: height / 2 - 0.2 });
}

export interface RandomSceneOptions {
  count: number;
  shDegree: number;
  /** Means uniform in a box of this half-size around the origin. */
  spread?: number;
  /** log-scale mean and spread. */
  logScale?: [number, number];
  opacity?: [number, number];
  shScale?: number;
}

export function randomScene(seed: number, o: RandomSceneOptions): GaussianScene {
  const rand = rng(seed);
  const s = createScene(o.count, o.shDegree);
  const spread = o.spread ?? 1;
  const [ls0, ls1] = o.logScale ?? [-2.3, 0.3];
  const [op0, op1] = o.opacity ?? [0.3, 0.9];
  const K = (o.shDegree + 1) ** 2;
  for (let i = 0; i < o.count; i++) {
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = spread * (2 * rand() - 1);
      s.logScales[i * 3 + a] = ls0 + ls1 * gaussian(rand);
    }
    for (let a = 0; a < 4; a++) s.quats[i * 4 + a] = gaussian(rand);
    const op = op0 + (op1 - op0) * rand();
    s.opacityLogits[i] = Math.log(op / (1 - op));
    for (let c = 0; c < 3; c++) s.sh[i * K * 3 + c] = (rand() - 0.5) * 2;
    for (let k = 1; k < K; k++) for (let c = 0; c < 3; c++) s.sh[(i * K + k) * 3 + c] = (o.shScale ?? 0.3) * gaussian(rand);
  }
  return s;
}

export function randomArray(seed: number, n: number, scale = 1): Float64Array {
  const rand = rng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * gaussian(rand);
  return a;
}
