/**
 * The visual hull of the views already placed, by voxel carving: a voxel survives when
 * its centre projects inside the silhouette of every view that sees it. The hull holds
 * the object (up to half a voxel, or wholly with a 1-px mask dilation, and up to the
 * views' pose errors), so it
 * can be rendered from a candidate camera and compared with an unplaced view's mask
 * (silhouette-render.ts, silhouette-search.ts).
 *
 * Bounds come from the silhouettes themselves: the hull centre is the point nearest to
 * the rays through the masks' centroids, its half-size from the masks' angular extent.
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import { luSolve, type Vec3 } from './linalg.js';
import type { SilhouetteMask } from './silhouette-mask.js';

/** A placed view: its camera at the mask's working resolution, and the mask. */
export interface HullView {
  camera: Camera;
  mask: SilhouetteMask;
}

export interface VoxelHull {
  /** voxels per side */
  n: number;
  /** corner of voxel (0, 0, 0); voxel (i, j, k) has centre origin + (i + 0.5, j + 0.5, k + 0.5) * voxel */
  origin: Vec3;
  voxel: number;
  /** [n * n * n] 1 = inside, index (k * n + j) * n + i */
  occupied: Uint8Array;
  occupiedCount: number;
  /** [S, 3] centres of occupied voxels with an empty (or out-of-grid) 6-neighbour */
  surface: Float64Array;
  /** centroid of the occupied voxels */
  centre: Vec3;
}

/** World ray through the centroid of a view's silhouette: [centre, unit direction]. */
export function silhouetteRay(v: HullView): [Vec3, Vec3] {
  const { camera: c, mask } = v;
  let sx = 0;
  let sy = 0;
  let s = 0;
  for (let p = 0; p < mask.alpha.length; p++) {
    const a = mask.alpha[p];
    sx += a * ((p % mask.width) + 0.5);
    sy += a * (Math.floor(p / mask.width) + 0.5);
    s += a;
  }
  const xc = [(sx / s - c.cx) / c.fx, (sy / s - c.cy) / c.fy, 1];
  const d = [0, 1, 2].map((a) => c.R[a] * xc[0] + c.R[3 + a] * xc[1] + c.R[6 + a] * xc[2]);
  const n = Math.hypot(d[0], d[1], d[2]);
  return [cameraCenter(c), [d[0] / n, d[1] / n, d[2] / n]];
}

/** Least-squares point nearest to rays (null when they are (nearly) parallel). */
export function nearestPointToRays(rays: [Vec3, Vec3][]): Vec3 | null {
  const A = new Array(9).fill(0);
  const b = [0, 0, 0];
  for (const [C, d] of rays) {
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 3; k++) {
        const P = (r === k ? 1 : 0) - d[r] * d[k];
        A[3 * r + k] += P;
        b[r] += P * C[k];
      }
    }
  }
  // (I - dd^T) summed over parallel rays is rank 2: reject near-singular systems.
  const tr = A[0] + A[4] + A[8];
  const det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) + A[2] * (A[3] * A[7] - A[4] * A[6]);
  if (!(det > 1e-6 * tr * tr * tr)) return null;
  const X = luSolve(A, b, 3);
  return X ? [X[0], X[1], X[2]] : null;
}

/** Centre and half-size of a cube that holds the object seen by the views (null when rays are parallel). */
export function hullBounds(views: HullView[]): { centre: Vec3; halfSize: number } | null {
  const rays = views.map(silhouetteRay);
  const centre = nearestPointToRays(rays);
  if (!centre) return null;
  let half = 0;
  views.forEach((v, i) => {
    const [C, d] = rays[i];
    const dist = Math.hypot(centre[0] - C[0], centre[1] - C[1], centre[2] - C[2]);
    // Largest angle between the centroid ray and a ray through an inside pixel.
    const c = v.camera;
    let minCos = 1;
    for (let p = 0; p < v.mask.inside.length; p++) {
      if (!v.mask.inside[p]) continue;
      const xc = [((p % v.mask.width) + 0.5 - c.cx) / c.fx, (Math.floor(p / v.mask.width) + 0.5 - c.cy) / c.fy, 1];
      const w = [0, 1, 2].map((a) => c.R[a] * xc[0] + c.R[3 + a] * xc[1] + c.R[6 + a] * xc[2]);
      minCos = Math.min(minCos, (w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / Math.hypot(w[0], w[1], w[2]));
    }
    half = Math.max(half, dist * Math.tan(Math.acos(minCos)));
  });
  // Margin: pixel-size rounding and the object's depth extent beyond the cone radius.
  return { centre, halfSize: 1.3 * half };
}

/**
 * 1-px dilation of a binary mask: with it the hull contains the object despite pixel
 * rounding (a superset); without it (the default) its silhouettes are tighter, closer
 * to the masks, which is what the search scores.
 */
export function dilate(m: SilhouetteMask): Uint8Array {
  const out = new Uint8Array(m.inside.length);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      let v = 0;
      for (let dy = -1; dy <= 1 && !v; dy++) {
        for (let dx = -1; dx <= 1 && !v; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < m.width && yy < m.height) v = m.inside[yy * m.width + xx];
        }
      }
      out[y * m.width + x] = v;
    }
  }
  return out;
}

/** Whether the silhouette reaches the image border (the object may extend beyond the frame). */
export function touchesBorder(m: SilhouetteMask): boolean {
  for (let x = 0; x < m.width; x++) if (m.inside[x] || m.inside[(m.height - 1) * m.width + x]) return true;
  for (let y = 0; y < m.height; y++) if (m.inside[y * m.width] || m.inside[y * m.width + m.width - 1]) return true;
  return false;
}

/**
 * Carve a grid of n^3 voxels in the cube (centre, halfSize). A voxel behind a camera, or
 * outside the frame of a view whose silhouette lies wholly inside its frame, is carved;
 * outside the frame of a view that cuts the object it gets no evidence from that view.
 * One seen by no view is removed.
 */
export function carveHull(views: HullView[], bounds: { centre: Vec3; halfSize: number }, n = 64, opts: { dilatePx?: 0 | 1 } = {}): VoxelHull {
  const voxel = (2 * bounds.halfSize) / n;
  const origin: Vec3 = [bounds.centre[0] - bounds.halfSize, bounds.centre[1] - bounds.halfSize, bounds.centre[2] - bounds.halfSize];
  const occupied = new Uint8Array(n * n * n);
  const masks = views.map((v) => (opts.dilatePx ? dilate(v.mask) : v.mask.inside));
  // Outside a view's frame is outside the object, unless the object is cut by that frame.
  const cut = views.map((v) => touchesBorder(v.mask));
  let count = 0;
  const centre: Vec3 = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const z = origin[2] + (k + 0.5) * voxel;
    for (let j = 0; j < n; j++) {
      const y = origin[1] + (j + 0.5) * voxel;
      for (let i = 0; i < n; i++) {
        const x = origin[0] + (i + 0.5) * voxel;
        let inside = true;
        let seen = 0;
        for (let v = 0; v < views.length && inside; v++) {
          const c = views[v].camera;
          const R = c.R;
          const zc = R[6] * x + R[7] * y + R[8] * z + c.t[2];
          if (zc <= 0) {
            inside = false;
            continue;
          }
          const u = Math.floor((c.fx * (R[0] * x + R[1] * y + R[2] * z + c.t[0])) / zc + c.cx);
          const w = Math.floor((c.fy * (R[3] * x + R[4] * y + R[5] * z + c.t[1])) / zc + c.cy);
          if (u < 0 || w < 0 || u >= c.width || w >= c.height) {
            if (!cut[v]) inside = false;
            continue;
          }
          seen++;
          if (!masks[v][w * c.width + u]) inside = false;
        }
        if (inside && seen > 0) {
          occupied[(k * n + j) * n + i] = 1;
          count++;
          centre[0] += x;
          centre[1] += y;
          centre[2] += z;
        }
      }
    }
  }
  const surface: number[] = [];
  const at = (i: number, j: number, k: number) => (i < 0 || j < 0 || k < 0 || i >= n || j >= n || k >= n ? 0 : occupied[(k * n + j) * n + i]);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (!occupied[(k * n + j) * n + i]) continue;
        if (at(i - 1, j, k) && at(i + 1, j, k) && at(i, j - 1, k) && at(i, j + 1, k) && at(i, j, k - 1) && at(i, j, k + 1)) continue;
        surface.push(origin[0] + (i + 0.5) * voxel, origin[1] + (j + 0.5) * voxel, origin[2] + (k + 0.5) * voxel);
      }
    }
  }
  if (count > 0) for (let a = 0; a < 3; a++) centre[a] /= count;
  return { n, origin, voxel, occupied, occupiedCount: count, surface: Float64Array.from(surface), centre: count > 0 ? centre : [...bounds.centre] };
}
