/** The viewer bench's scene (bench/viewer.ts, bench/viewer-draw/): Node and the bench page build the same cloud. */
import { mulberry32 } from '../engine/math/random.js';
import { createScene, rgbToShDc, type GaussianScene } from '../engine/splat/scene.js';

/** Deterministic cloud: clumps of small splats in a unit ball, random colours and opacities, SH 0. */
export function cloudScene(n: number, seed = 7): GaussianScene {
  const rand = mulberry32(seed);
  const s = createScene(n, 0);
  const clumps = Array.from({ length: 200 }, () => [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1].map((v) => v * 0.8));
  const scale = Math.log(0.6 / Math.cbrt(n));
  for (let i = 0; i < n; i++) {
    const c = clumps[i % clumps.length];
    for (let k = 0; k < 3; k++) {
      s.means[i * 3 + k] = c[k] + (rand() - 0.5) * 0.4;
      s.logScales[i * 3 + k] = scale + (rand() - 0.5);
      s.sh[i * 3 + k] = rgbToShDc(rand());
    }
    const q = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
    const qn = Math.hypot(...q);
    for (let k = 0; k < 4; k++) s.quats[i * 4 + k] = q[k] / qn;
    s.opacityLogits[i] = (rand() - 0.3) * 4;
  }
  return s;
}
