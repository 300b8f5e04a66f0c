/**
 * The bundled sample scene, built procedurally and deterministically (nothing binary is
 * committed): a rainbow torus knot, a view-dependent "glass" sphere inside it and a
 * checkerboard floor. World axes follow OpenCV: +y points down, so the floor is at y = +1.
 * About 5k splats, SH degree 1.
 */
import { createScene, rgbToShDc, SH_C0, type GaussianScene } from './scene.js';
import { mulberry32 as random } from '../math/random.js';

const KNOT = 2400;
const SPHERE = 900;
const FLOOR_SIDE = 40; // FLOOR_SIDE^2 floor splats


function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/** Quaternion (w, x, y, z) rotating +x onto the unit vector d. */
function quatFromX(d: number[]): number[] {
  const w = 1 + d[0];
  if (w < 1e-6) return [0, 0, 0, 1];
  const q = [w, 0, -d[2], d[1]]; // cross((1,0,0), d) = (0, -dz, dy)
  const n = Math.hypot(...q);
  return q.map((v) => v / n);
}

export function buildSampleScene(): GaussianScene {
  const rand = random(7);
  const total = KNOT + SPHERE + FLOOR_SIDE * FLOOR_SIDE;
  const s = createScene(total, 1);
  const K = 4;
  let i = 0;
  const put = (mean: number[], logScale: number[], quat: number[], opacity: number, rgb: number[], view: number[][] = []) => {
    s.means.set(mean, i * 3);
    s.logScales.set(logScale, i * 3);
    s.quats.set(quat, i * 4);
    s.opacityLogits[i] = Math.log(opacity / (1 - opacity));
    for (let c = 0; c < 3; c++) s.sh[i * K * 3 + c] = rgbToShDc(rgb[c]);
    view.forEach((band, k) => s.sh.set(band, (i * K + 1 + k) * 3));
    i++;
  };
  // (3, 2) torus knot around the origin, elongated splats along the tangent.
  const knot = (t: number) => {
    const r = 0.75 + 0.3 * Math.cos(3 * t);
    return [r * Math.cos(2 * t), -0.1 - 0.3 * Math.sin(3 * t), r * Math.sin(2 * t)];
  };
  for (let k = 0; k < KNOT; k++) {
    const t = (2 * Math.PI * k) / KNOT;
    const p = knot(t);
    const q = knot(t + 1e-3);
    const d = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
    const n = Math.hypot(d[0], d[1], d[2]);
    const jitter = () => 0.02 * (rand() - 0.5);
    put([p[0] + jitter(), p[1] + jitter(), p[2] + jitter()], [Math.log(0.04), Math.log(0.022), Math.log(0.022)],
      quatFromX(d.map((v) => v / n)), 0.9, hsv(k / KNOT, 0.85, 0.95));
  }
  // Sphere shell whose colour changes with the view direction (degree-1 SH).
  for (let k = 0; k < SPHERE; k++) {
    const z = 2 * rand() - 1;
    const phi = 2 * Math.PI * rand();
    const r = Math.sqrt(1 - z * z);
    const dir = [r * Math.cos(phi), z, r * Math.sin(phi)];
    const mean = [0.3 * dir[0], 0.3 * dir[1] - 0.1, 0.3 * dir[2]];
    put(mean, [Math.log(0.035), Math.log(0.035), Math.log(0.012)], quatFromX(dir), 0.55, [0.85, 0.85, 0.95],
      [[0.4, -0.2, 0.1], [0, 0.3, -0.3], [-0.4, 0.1, 0.3]].map((b) => b.map((v) => v / SH_C0 / 4)));
  }
  // Checkerboard floor at y = +1 (below the knot), flat splats.
  for (let a = 0; a < FLOOR_SIDE; a++) {
    for (let b = 0; b < FLOOR_SIDE; b++) {
      const x = -1.6 + (3.2 * (a + 0.5)) / FLOOR_SIDE;
      const z = -1.6 + (3.2 * (b + 0.5)) / FLOOR_SIDE;
      const light = (Math.floor(a / 5) + Math.floor(b / 5)) % 2 === 0;
      put([x, 1, z], [Math.log(0.06), Math.log(0.004), Math.log(0.06)], [1, 0, 0, 0], 0.95, light ? [0.9, 0.88, 0.8] : [0.2, 0.25, 0.35]);
    }
  }
  return s;
}
