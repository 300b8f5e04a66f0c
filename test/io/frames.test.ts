import { describe, expect, it } from 'vitest';
import { FLIP_XY, FLIP_YZ, flipAxes, type AxisFlip } from '../../engine/io/frames.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { randomScene } from './scenes.js';

/** Real SH basis (3DGS / gsplat constants and signs), degree 3, at unit direction d. */
function shBasis(x: number, y: number, z: number): number[] {
  const xx = x * x, yy = y * y, zz = z * z;
  return [
    0.28209479177387814,
    -0.4886025119029199 * y, 0.4886025119029199 * z, -0.4886025119029199 * x,
    1.0925484305920792 * x * y, -1.0925484305920792 * y * z, 0.31539156525252005 * (2 * zz - xx - yy),
    -1.0925484305920792 * x * z, 0.5462742152960396 * (xx - yy),
    -0.5900435899266435 * y * (3 * xx - yy), 2.890611442640554 * x * y * z, -0.4570457994644658 * y * (4 * zz - xx - yy),
    0.3731763325901154 * z * (2 * zz - 3 * xx - 3 * yy), -0.4570457994644658 * x * (4 * zz - xx - yy),
    1.445305721320277 * z * (xx - yy), -0.5900435899266435 * x * (xx - 3 * yy),
  ];
}

function covariance(q: ArrayLike<number>, logS: ArrayLike<number>): number[] {
  const [w, x, y, z] = Array.from(q).map((v, _, a) => v / Math.hypot(...(a as number[])));
  const R = [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
  const s = Array.from(logS, Math.exp);
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let v = 0;
    for (let k = 0; k < 3; k++) v += R[i * 3 + k] * s[k] * s[k] * R[j * 3 + k];
    out.push(v);
  }
  return out;
}

describe('axis flips between frames', () => {
  for (const [name, flip] of [['FLIP_YZ (OpenCV <-> RUB)', FLIP_YZ], ['FLIP_XY (OpenCV <-> glTF)', FLIP_XY]] as [string, AxisFlip][]) {
    it(`${name}: positions, covariances and view-dependent colour transform as M`, () => {
      const scene = randomScene(50, 3, 99);
      const out = flipAxes(scene, flip);
      const rand = rng(5);
      for (let i = 0; i < scene.count; i++) {
        for (let a = 0; a < 3; a++) expect(out.means[i * 3 + a]).toBe(flip[a] * scene.means[i * 3 + a]);
        // Sigma' = M Sigma M^T
        const S = covariance(scene.quats.subarray(i * 4, i * 4 + 4), scene.logScales.subarray(i * 3, i * 3 + 3));
        const Sf = covariance(out.quats.subarray(i * 4, i * 4 + 4), out.logScales.subarray(i * 3, i * 3 + 3));
        const expected = S.map((v, j) => v * flip[Math.floor(j / 3)] * flip[j % 3]);
        expectAllClose(`covariance ${i}`, Sf, expected, 1e-9, 1e-5);
        // Colour seen along d in the old frame == colour seen along M d in the new frame.
        const d = [gaussian(rand), gaussian(rand), gaussian(rand)];
        const len = Math.hypot(...d);
        const b = shBasis(d[0] / len, d[1] / len, d[2] / len);
        const bf = shBasis((flip[0] * d[0]) / len, (flip[1] * d[1]) / len, (flip[2] * d[2]) / len);
        for (let c = 0; c < 3; c++) {
          let before = 0, after = 0;
          for (let k = 0; k < 16; k++) {
            before += b[k] * scene.sh[(i * 16 + k) * 3 + c];
            after += bf[k] * out.sh[(i * 16 + k) * 3 + c];
          }
          expect(after).toBeCloseTo(before, 5);
        }
      }
    });
  }

  it('refuses reflections', () => {
    expect(() => flipAxes(randomScene(1, 0, 1), [1, 1, -1])).toThrow(/reflection/);
  });
});
