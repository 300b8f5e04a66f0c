/**
 * Coordinate-frame changes by axis sign flips (see README.md, "Frames").
 *
 * A flip M = diag(sx, sy, sz) with sx*sy*sz = +1 is a 180-degree rotation about
 * one axis. Applied to a scene:
 * - means:  p' = M p
 * - quats:  q' = (w, sx x, sy y, sz z)  (conjugation m q m^-1 by the 180-degree
 *           rotation; the Gaussian's local scale axes stay aligned with the
 *           rotated axes, so logScales are unchanged)
 * - SH:     f'(d) = f(M^T d), so each real SH basis function is multiplied by
 *           its parity under the flip: sx^px * sy^py * sz^pz, where (px,py,pz)
 *           are the parities of its monomial in x, y, z.
 */
import type { GaussianScene } from '../splat/scene.js';
import { shCoeffCount } from '../splat/scene.js';

/**
 * Parity (x, y, z exponents mod 2) of the real SH basis functions k = 0..15 in
 * the INRIA/gsplat order: 1 | y z x | xy yz (3z^2-1) xz (x^2-y^2) |
 * y(3x^2-y^2) xyz y(5z^2-1) z(5z^2-3) x(5z^2-1) z(x^2-y^2) x(x^2-3y^2).
 */
const SH_PARITY: [number, number, number][] = [
  [0, 0, 0],
  [0, 1, 0], [0, 0, 1], [1, 0, 0],
  [1, 1, 0], [0, 1, 1], [0, 0, 0], [1, 0, 1], [0, 0, 0],
  [0, 1, 0], [1, 1, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [1, 0, 0],
];

export type AxisFlip = readonly [number, number, number];

/** OpenCV (x right, y down, z forward) <-> RUB / OpenGL (x right, y up, z back): 180 degrees about x. */
export const FLIP_YZ: AxisFlip = [1, -1, -1];
/** OpenCV <-> PlayCanvas glTF convention (splat-transform's PLY transform): 180 degrees about z. */
export const FLIP_XY: AxisFlip = [-1, -1, 1];

/** SH sign of coefficient k under the flip. */
export function shFlipSign(k: number, flip: AxisFlip): number {
  const [px, py, pz] = SH_PARITY[k];
  return (px ? flip[0] : 1) * (py ? flip[1] : 1) * (pz ? flip[2] : 1);
}

/** Apply the flip to `scene` in place (it is its own inverse). */
export function flipAxesInPlace(scene: GaussianScene, flip: AxisFlip): GaussianScene {
  const [sx, sy, sz] = flip;
  if (sx * sy * sz !== 1) throw new Error(`axis flip ${flip} is a reflection, not a rotation`);
  const { count, means, quats, sh } = scene;
  const K = shCoeffCount(scene.shDegree);
  const signs = Array.from({ length: K }, (_, k) => shFlipSign(k, flip));
  for (let i = 0; i < count; i++) {
    means[i * 3] *= sx;
    means[i * 3 + 1] *= sy;
    means[i * 3 + 2] *= sz;
    quats[i * 4 + 1] *= sx;
    quats[i * 4 + 2] *= sy;
    quats[i * 4 + 3] *= sz;
    for (let k = 1; k < K; k++) {
      if (signs[k] < 0) {
        const o = (i * K + k) * 3;
        sh[o] = -sh[o];
        sh[o + 1] = -sh[o + 1];
        sh[o + 2] = -sh[o + 2];
      }
    }
  }
  return scene;
}

/** A flipped copy. */
export function flipAxes(scene: GaussianScene, flip: AxisFlip): GaussianScene {
  return flipAxesInPlace(
    {
      ...scene,
      means: scene.means.slice(),
      quats: scene.quats.slice(),
      sh: scene.sh.slice(),
      logScales: scene.logScales.slice(),
      opacityLogits: scene.opacityLogits.slice(),
    },
    flip,
  );
}
