/**
 * Silhouette coherence (after Hernández, Schmitt & Cipolla, "Silhouette coherence for
 * camera calibration under circular motion", PAMI 2007): with all cameras right, every
 * silhouette pixel's ray meets the visual hull of all the OTHER views. A wrongly posed
 * new view breaks this both ways: its own rays miss the hull (its mask is not explained),
 * and its mask carves away hull parts that the placed views' rays need.
 *
 * Unlike the IoU of the hull's render, this does not penalise a hull that is fat because
 * few views carved it (from a new direction its outline is much larger than the object's):
 * it only asks every silhouette to be explained.
 *
 * Placed views: sampled mask pixels, each ray's points inside the hull precomputed once.
 * A candidate pose of the new views then only projects those points (a ray is explained
 * by the new views when one of its points falls inside every new mask); each new view's
 * own sampled rays are marched through the hull (and the other new views' masks).
 * Soft: mask alpha is sampled, so the score moves smoothly with sub-pixel shifts.
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import type { HullView, VoxelHull } from './silhouette-hull.js';
import type { SilhouetteMask } from './silhouette-mask.js';

export interface CoherenceModel {
  hull: VoxelHull;
  /** per placed view: points inside the hull along sampled silhouette rays */
  placed: { points: Float64Array; rayStart: Uint32Array }[];
  /** samples marched along each new view's rays */
  samplesPerRay: number;
  raysPerView: number;
}

export interface PosedMaskView {
  camera: Camera;
  mask: SilhouetteMask;
}

export interface CoherenceScore {
  /** share of each placed view's sampled silhouette rays the new views still explain */
  placed: number[];
  /** share of each new view's sampled silhouette rays that meet the hull (and the other new masks) */
  fresh: number[];
  /** mean of the two means */
  score: number;
}

const sampled = new WeakMap<SilhouetteMask, Map<number, number[]>>();

/** Up to `count` inside pixels of a mask, on a regular stride (cached: scored ~10^4 times per search). */
function samplePixels(m: SilhouetteMask, count: number): number[] {
  let byCount = sampled.get(m);
  if (!byCount) sampled.set(m, (byCount = new Map()));
  let out = byCount.get(count);
  if (!out) byCount.set(count, (out = samplePixelsUncached(m, count)));
  return out;
}

function samplePixelsUncached(m: SilhouetteMask, count: number): number[] {
  const inside: number[] = [];
  for (let p = 0; p < m.inside.length; p++) if (m.inside[p]) inside.push(p);
  const step = Math.max(1, inside.length / count);
  const out: number[] = [];
  for (let k = 0; k < Math.min(count, inside.length); k++) out.push(inside[Math.floor(k * step)]);
  return out;
}

/** Ray through pixel p's centre: [centre, direction (not unit)]. */
function pixelRay(cam: Camera, width: number, p: number): [number[], number[]] {
  const xc = [((p % width) + 0.5 - cam.cx) / cam.fx, (Math.floor(p / width) + 0.5 - cam.cy) / cam.fy, 1];
  const R = cam.R;
  return [cameraCenter(cam), [0, 1, 2].map((a) => R[a] * xc[0] + R[3 + a] * xc[1] + R[6 + a] * xc[2])];
}

/** Parameter interval [t0, t1] where the ray crosses the hull's grid cube (null if it misses). */
function cubeInterval(h: VoxelHull, C: ArrayLike<number>, d: ArrayLike<number>): [number, number] | null {
  let t0 = 0;
  let t1 = Infinity;
  const size = h.n * h.voxel;
  for (let a = 0; a < 3; a++) {
    if (Math.abs(d[a]) < 1e-15) {
      if (C[a] < h.origin[a] || C[a] > h.origin[a] + size) return null;
      continue;
    }
    let ta = (h.origin[a] - C[a]) / d[a];
    let tb = (h.origin[a] + size - C[a]) / d[a];
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = Math.max(t0, ta);
    t1 = Math.min(t1, tb);
  }
  return t0 < t1 ? [t0, t1] : null;
}

function occupiedAt(h: VoxelHull, x: number, y: number, z: number): boolean {
  const i = Math.floor((x - h.origin[0]) / h.voxel);
  const j = Math.floor((y - h.origin[1]) / h.voxel);
  const k = Math.floor((z - h.origin[2]) / h.voxel);
  if (i < 0 || j < 0 || k < 0 || i >= h.n || j >= h.n || k >= h.n) return false;
  return h.occupied[(k * h.n + j) * h.n + i] === 1;
}

export function buildCoherenceModel(hull: VoxelHull, views: HullView[], opts: { raysPerView?: number; pointsPerRay?: number; samplesPerRay?: number } = {}): CoherenceModel {
  const raysPerView = opts.raysPerView ?? 160;
  const keep = opts.pointsPerRay ?? 16;
  const march = 4 * hull.n;
  const placed = views.map((v) => {
    const points: number[] = [];
    const rayStart = [0];
    for (const p of samplePixels(v.mask, raysPerView)) {
      const [C, d] = pixelRay(v.camera, v.mask.width, p);
      const span = cubeInterval(hull, C, d);
      const inside: number[] = [];
      if (span) {
        for (let s = 0; s < march; s++) {
          const t = span[0] + ((s + 0.5) / march) * (span[1] - span[0]);
          const X = [C[0] + t * d[0], C[1] + t * d[1], C[2] + t * d[2]];
          if (occupiedAt(hull, X[0], X[1], X[2])) inside.push(X[0], X[1], X[2]);
        }
      }
      // A ray with no hull point (pixel rounding) tells nothing: skip it.
      const n = inside.length / 3;
      if (n === 0) continue;
      for (let k = 0; k < Math.min(n, keep); k++) {
        const s = Math.floor(((k + 0.5) * n) / Math.min(n, keep));
        points.push(inside[3 * s], inside[3 * s + 1], inside[3 * s + 2]);
      }
      rayStart.push(points.length / 3);
    }
    return { points: Float64Array.from(points), rayStart: Uint32Array.from(rayStart) };
  });
  return { hull, placed, samplesPerRay: opts.samplesPerRay ?? 2 * hull.n, raysPerView };
}

/** Whether the mask touches its frame (then outside the frame is no evidence). */
function cutByFrame(m: SilhouetteMask): boolean {
  for (let x = 0; x < m.width; x++) if (m.inside[x] || m.inside[(m.height - 1) * m.width + x]) return true;
  for (let y = 0; y < m.height; y++) if (m.inside[y * m.width] || m.inside[y * m.width + m.width - 1]) return true;
  return false;
}

/** Soft mask value where X projects in view v (outside the frame: 1 if the mask is cut by it, else 0; behind: 0). */
function alphaAt(v: PosedMaskView, cut: boolean, x: number, y: number, z: number): number {
  const c = v.camera;
  const R = c.R;
  const zc = R[6] * x + R[7] * y + R[8] * z + c.t[2];
  if (zc <= 0) return 0;
  const u = Math.floor((c.fx * (R[0] * x + R[1] * y + R[2] * z + c.t[0])) / zc + c.cx);
  const w = Math.floor((c.fy * (R[3] * x + R[4] * y + R[5] * z + c.t[1])) / zc + c.cy);
  if (u < 0 || w < 0 || u >= v.mask.width || w >= v.mask.height) return cut ? 1 : 0;
  return v.mask.alpha[w * v.mask.width + u];
}

/** Null when some hull point is not in front of a new camera (inside or beside the object: not a view of it). */
export function coherenceScore(model: CoherenceModel, fresh: PosedMaskView[]): CoherenceScore | null {
  const h = model.hull;
  const S = h.surface;
  for (const v of fresh) {
    const R = v.camera.R;
    const tz = v.camera.t[2];
    for (let p = 0; p < S.length; p += 3) if (R[6] * S[p] + R[7] * S[p + 1] + R[8] * S[p + 2] + tz <= 0) return null;
  }
  const cut = fresh.map((v) => cutByFrame(v.mask));
  const centres = fresh.map((v) => cameraCenter(v.camera));
  const placed = model.placed.map(({ points, rayStart }) => {
    let sum = 0;
    const rays = rayStart.length - 1;
    for (let r = 0; r < rays; r++) {
      // Explained when some point of the ray lies inside every new mask.
      let best = 0;
      for (let q = rayStart[r]; q < rayStart[r + 1] && best < 1; q++) {
        let a = 1;
        for (let n = 0; n < fresh.length && a > 0; n++) a = Math.min(a, alphaAt(fresh[n], cut[n], points[3 * q], points[3 * q + 1], points[3 * q + 2]));
        if (a > best) best = a;
      }
      sum += best;
    }
    return rays > 0 ? sum / rays : 1;
  });
  const freshScores = fresh.map((v, n) => {
    const pixels = samplePixels(v.mask, model.raysPerView);
    let sum = 0;
    const c = v.camera;
    const R = c.R;
    const C = centres[n];
    const d = [0, 0, 0];
    for (const p of pixels) {
      const xc0 = ((p % v.mask.width) + 0.5 - c.cx) / c.fx;
      const xc1 = (Math.floor(p / v.mask.width) + 0.5 - c.cy) / c.fy;
      for (let a = 0; a < 3; a++) d[a] = R[a] * xc0 + R[3 + a] * xc1 + R[6 + a];
      const span = cubeInterval(h, C, d);
      if (!span) continue;
      let best = 0;
      const S = model.samplesPerRay;
      for (let s = 0; s < S && best < 1; s++) {
        const t = span[0] + ((s + 0.5) / S) * (span[1] - span[0]);
        const x = C[0] + t * d[0];
        const y = C[1] + t * d[1];
        const z = C[2] + t * d[2];
        if (!occupiedAt(h, x, y, z)) continue;
        let a = 1;
        for (let m = 0; m < fresh.length && a > 0; m++) if (m !== n) a = Math.min(a, alphaAt(fresh[m], cut[m], x, y, z));
        if (a > best) best = a;
      }
      sum += best;
    }
    return pixels.length ? sum / pixels.length : 0;
  });
  const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : 1);
  return { placed, fresh: freshScores, score: (mean(placed) + mean(freshScores)) / 2 };
}
