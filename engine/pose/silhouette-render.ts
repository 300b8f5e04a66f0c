/**
 * The silhouette of a voxel hull (silhouette-hull.ts) seen from a candidate camera.
 *
 * Fast path (`renderHullSilhouette`): the hull's surface voxels splatted as anti-aliased
 * discs; a voxel's outline is a square to a hexagon of area s^2 .. sqrt(3) s^2, on average
 * 1.5 s^2 (Cauchy: a quarter of the cube's surface), a disc of radius 0.69 s. The disc
 * has radius s / sqrt(2) = 0.707 s (area 1.57 s^2) instead, so that the discs of a face's
 * voxel centres leave no hole at the face's grid corners (0.707 s from the nearest
 * centre). Coverage per pixel is the max over discs (a silhouette,
 * not a sum). A few thousand points at <= 96 px is ~1 ms on the CPU, fast enough for
 * thousands of candidates; the GPU rasterizer would cost more in transfers.
 *
 * Reference (`renderHullSilhouetteRef`): float64 ray casting of every pixel centre
 * against every occupied voxel's box (slab test): the exact silhouette of the union of
 * cubes, for tests.
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import type { VoxelHull } from './silhouette-hull.js';

const DISC_RADIUS = Math.SQRT1_2 + 1e-3;

/**
 * Soft silhouette [height * width] in [0, 1] of the points (voxel centres, [S, 3]) of
 * voxel size `voxel`; `behind` = some point is not in front of the camera (the camera is
 * inside or beside the hull: such candidates are not valid views of the object).
 */
export function renderHullSilhouette(points: Float64Array, voxel: number, cam: Camera, out?: Float32Array): { image: Float32Array; behind: boolean } {
  const { width: W, height: H, R, t } = cam;
  const image = out ?? new Float32Array(W * H);
  image.fill(0);
  const rWorld = DISC_RADIUS * voxel;
  let behind = false;
  for (let p = 0; p < points.length; p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    const zc = R[6] * x + R[7] * y + R[8] * z + t[2];
    if (zc <= rWorld) {
      behind = true;
      continue;
    }
    const u = (cam.fx * (R[0] * x + R[1] * y + R[2] * z + t[0])) / zc + cam.cx;
    const v = (cam.fy * (R[3] * x + R[4] * y + R[5] * z + t[1])) / zc + cam.cy;
    const r = (rWorld * cam.fx) / zc;
    const x0 = Math.max(0, Math.floor(u - r - 0.5));
    const x1 = Math.min(W - 1, Math.floor(u + r + 0.5));
    const y0 = Math.max(0, Math.floor(v - r - 0.5));
    const y1 = Math.min(H - 1, Math.floor(v + r + 0.5));
    for (let py = y0; py <= y1; py++) {
      const dy = py + 0.5 - v;
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - u;
        // Coverage ramps over one pixel across the disc's edge.
        const c = r + 0.5 - Math.sqrt(dx * dx + dy * dy);
        if (c <= 0) continue;
        const o = py * W + px;
        const a = c >= 1 ? 1 : c;
        if (a > image[o]) image[o] = a;
      }
    }
  }
  return { image, behind };
}

/** Exact binary silhouette [height * width] (1 = the pixel centre's ray hits an occupied voxel), float64. */
export function renderHullSilhouetteRef(hull: VoxelHull, cam: Camera): Uint8Array {
  const { width: W, height: H, R } = cam;
  const C = cameraCenter(cam);
  const boxes: number[][] = [];
  const { n, origin, voxel } = hull;
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (!hull.occupied[(k * n + j) * n + i]) continue;
        boxes.push([origin[0] + i * voxel, origin[1] + j * voxel, origin[2] + k * voxel]);
      }
    }
  }
  const out = new Uint8Array(W * H);
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const xc = [(px + 0.5 - cam.cx) / cam.fx, (py + 0.5 - cam.cy) / cam.fy, 1];
      // Ray direction in the world: R^T x_c.
      const d = [0, 1, 2].map((a) => R[a] * xc[0] + R[3 + a] * xc[1] + R[6 + a] * xc[2]);
      for (const lo of boxes) {
        let tMin = 0;
        let tMax = Infinity;
        for (let a = 0; a < 3 && tMin <= tMax; a++) {
          if (d[a] === 0) {
            if (C[a] < lo[a] || C[a] > lo[a] + voxel) tMax = -1;
            continue;
          }
          let t0 = (lo[a] - C[a]) / d[a];
          let t1 = (lo[a] + voxel - C[a]) / d[a];
          if (t0 > t1) [t0, t1] = [t1, t0];
          tMin = Math.max(tMin, t0);
          tMax = Math.min(tMax, t1);
        }
        if (tMin <= tMax) {
          out[py * W + px] = 1;
          break;
        }
      }
    }
  }
  return out;
}
