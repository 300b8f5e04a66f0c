/**
 * Painted synthetic objects for the group placement tests: the ellipsoid objects of
 * silhouette-synthetic.ts with a smooth 3D colour field (every surface point has one
 * colour, seen alike from every view), so that colour consistency can tell placements
 * apart that silhouettes cannot (a painted symmetric ellipsoid).
 */
import type { RgbaImage } from '../../engine/io/image.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';
import { rayEllipsoid, type Ellipsoid } from './silhouette-synthetic.js';

/** Nearest hit of a ray with the ellipsoids (ray parameter), Infinity when it misses. */
function nearestHit(obj: Ellipsoid[], o: number[], d: number[]): number {
  let best = Infinity;
  for (const e of obj) {
    const t = rayEllipsoid(e, o, d)?.[0] ?? -1;
    if (t > 0 && t < best) best = t;
  }
  return best;
}

/** RGBA photo: colour = a smooth function of the surface point, alpha = 2x2-supersampled coverage. */
export function renderPainted(obj: Ellipsoid[], cam: Camera): RgbaImage {
  const { width: W, height: H, R } = cam;
  const C = cameraCenter(cam);
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let hits = 0;
      const rgb = [0, 0, 0];
      for (let s = 0; s < 4; s++) {
        const xc = [(x + 0.25 + 0.5 * (s & 1) - cam.cx) / cam.fx, (y + 0.25 + 0.5 * (s >> 1) - cam.cy) / cam.fy, 1];
        const d = [0, 1, 2].map((a) => R[a] * xc[0] + R[3 + a] * xc[1] + R[6 + a] * xc[2]);
        const t = nearestHit(obj, C, d);
        if (!Number.isFinite(t)) continue;
        const P = [0, 1, 2].map((a) => C[a] + t * d[a]);
        hits++;
        rgb[0] += 0.5 + 0.45 * Math.tanh(2 * P[0]);
        rgb[1] += 0.5 + 0.45 * Math.tanh(3 * P[1]);
        rgb[2] += 0.5 + 0.45 * Math.tanh(2.5 * P[2]);
      }
      const o = 4 * (y * W + x);
      for (let k = 0; k < 3; k++) data[o + k] = hits ? Math.round((255 * rgb[k]) / hits) : 0;
      data[o + 3] = Math.round((255 * hits) / 4);
    }
  }
  return { width: W, height: H, data };
}
