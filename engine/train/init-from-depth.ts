/**
 * Initial Gaussians from dense depth (the sparse-view recipe of InstantSplat / FSGS-style
 * methods: one Gaussian per downsampled confident pixel instead of a handful of SfM points).
 *
 * 1. Unproject every `stride`-th pixel with a confident depth into a coloured point; its
 *    footprint is the world spacing of the samples there (depth x stride / focal).
 * 2. Drop outliers: points with fewer than `minNeighbours` other points within 3 footprints
 *    (flying pixels at depth edges, isolated mismatches).
 * 3. Merge views on a voxel grid (average position, colour, footprint per voxel), so
 *    surfaces seen by several views are not doubled; the voxel starts at the median
 *    footprint and grows until at most `targetCount` voxels remain.
 * 4. Isotropic scale sigma = RMS distance to the 3 nearest neighbours, clamped to
 *    [0.5, 2] x the voxel's footprint (no needles, no blobs); identity rotation; opacity
 *    `opacity`; SH DC from the colour, higher bands zero.
 */
import type { DepthMap, DepthView } from '../depth/types.js';
import { createScene, logit, rgbToShDc, shCoeffCount, type GaussianScene } from '../splat/scene.js';
import { meanSqDistKnn3 } from './knn.js';

export interface DepthInitOptions {
  /** Pixel stride of the unprojection (default 2). */
  stride?: number;
  /** Confidence a pixel needs (default: any confident pixel, > 0). */
  minConfidence?: number;
  /** Upper bound on the number of Gaussians (default 200 000). */
  targetCount?: number;
  /** Neighbours within 3 footprints a point needs to survive (default 3). */
  minNeighbours?: number;
  /** Initial opacity (default 0.1, as 3DGS). */
  opacity?: number;
  /** SH degree of the scene (default 3; bands above 0 start at zero). */
  shDegree?: number;
}

export interface DepthInitStats {
  unprojected: number;
  afterOutliers: number;
  merged: number;
  voxelSize: number;
}

/** Coloured points: xyz [N, 3], rgb [N, 3], footprint [N]. */
export interface FootprintPoints {
  xyz: Float32Array;
  rgb: Float32Array;
  footprint: Float32Array;
}

export function unprojectDepth(views: DepthView[], maps: DepthMap[], stride: number, minConfidence: number): FootprintPoints {
  const xyz: number[] = [];
  const rgb: number[] = [];
  const footprint: number[] = [];
  views.forEach((view, v) => {
    const map = maps[v];
    const c = view.camera;
    if (map.width !== c.width || map.height !== c.height) throw new Error(`${view.name}: depth map ${map.width}x${map.height} does not match the view ${c.width}x${c.height}`);
    const { R, t } = c;
    for (let y = 0; y < c.height; y += stride) {
      for (let x = 0; x < c.width; x += stride) {
        const p = y * c.width + x;
        const d = map.depth[p];
        if (!(d > 0) || !(map.confidence[p] > 0) || map.confidence[p] < minConfidence) continue;
        if (view.mask && !view.mask[p]) continue;
        // Camera-frame point, then world: X = R^T (x_cam - t).
        const xc = ((x + 0.5 - c.cx) / c.fx) * d - t[0];
        const yc = ((y + 0.5 - c.cy) / c.fy) * d - t[1];
        const zc = d - t[2];
        xyz.push(R[0] * xc + R[3] * yc + R[6] * zc, R[1] * xc + R[4] * yc + R[7] * zc, R[2] * xc + R[5] * yc + R[8] * zc);
        rgb.push(view.rgb[p * 3], view.rgb[p * 3 + 1], view.rgb[p * 3 + 2]);
        footprint.push((d * stride) / Math.sqrt(c.fx * c.fy));
      }
    }
  });
  return { xyz: Float32Array.from(xyz), rgb: Float32Array.from(rgb), footprint: Float32Array.from(footprint) };
}

/** Spatial hash of points in cubic cells of side `cell`. */
function buildHash(xyz: Float32Array, cell: number): Map<string, number[]> {
  const grid = new Map<string, number[]>();
  for (let i = 0; i < xyz.length / 3; i++) {
    const key = `${Math.floor(xyz[i * 3] / cell)},${Math.floor(xyz[i * 3 + 1] / cell)},${Math.floor(xyz[i * 3 + 2] / cell)}`;
    let list = grid.get(key);
    if (!list) grid.set(key, (list = []));
    list.push(i);
  }
  return grid;
}

/** Keep points with at least `minNeighbours` others within min(3 x footprint, cell). */
export function removeIsolatedPoints(pts: FootprintPoints, minNeighbours: number): FootprintPoints {
  const n = pts.footprint.length;
  if (n === 0 || minNeighbours <= 0) return pts;
  const cell = 3 * median(pts.footprint);
  const grid = buildHash(pts.xyz, cell);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.min(3 * pts.footprint[i], cell);
    const [x, y, z] = [pts.xyz[i * 3], pts.xyz[i * 3 + 1], pts.xyz[i * 3 + 2]];
    const [cx, cy, cz] = [Math.floor(x / cell), Math.floor(y / cell), Math.floor(z / cell)];
    let count = 0;
    search: for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const list = grid.get(`${cx + dx},${cy + dy},${cz + dz}`);
      if (!list) continue;
      for (const j of list) {
        if (j === i) continue;
        const d2 = (pts.xyz[j * 3] - x) ** 2 + (pts.xyz[j * 3 + 1] - y) ** 2 + (pts.xyz[j * 3 + 2] - z) ** 2;
        if (d2 <= r * r && ++count >= minNeighbours) break search;
      }
    }
    if (count >= minNeighbours) keep.push(i);
  }
  return select(pts, keep);
}

/** Average points per voxel of side `voxel` (position, colour and footprint). */
export function voxelMerge(pts: FootprintPoints, voxel: number): FootprintPoints {
  const grid = buildHash(pts.xyz, voxel);
  const m = grid.size;
  const out: FootprintPoints = { xyz: new Float32Array(m * 3), rgb: new Float32Array(m * 3), footprint: new Float32Array(m) };
  let k = 0;
  for (const list of grid.values()) {
    for (const i of list) {
      for (let a = 0; a < 3; a++) {
        out.xyz[k * 3 + a] += pts.xyz[i * 3 + a] / list.length;
        out.rgb[k * 3 + a] += pts.rgb[i * 3 + a] / list.length;
      }
      out.footprint[k] += pts.footprint[i] / list.length;
    }
    k++;
  }
  return out;
}

export function initFromDepth(views: DepthView[], maps: DepthMap[], opts: DepthInitOptions = {}): { scene: GaussianScene; points: FootprintPoints; stats: DepthInitStats } {
  if (views.length !== maps.length) throw new Error(`depth init: ${views.length} views but ${maps.length} depth maps`);
  const stride = opts.stride ?? 2;
  const target = opts.targetCount ?? 200_000;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`depth init: stride must be a positive integer, got ${stride}`);
  if (!(target >= 1)) throw new Error(`depth init: target count must be at least 1, got ${target}`);
  const raw = unprojectDepth(views, maps, stride, opts.minConfidence ?? 0);
  if (raw.footprint.length === 0) throw new Error('depth init: no confident depth in any view; cannot place Gaussians');
  const clean = removeIsolatedPoints(raw, opts.minNeighbours ?? 3);
  if (clean.footprint.length === 0) throw new Error('depth init: every depth point was isolated (depth too noisy); lower minNeighbours');
  let voxel = median(clean.footprint);
  let merged = voxelMerge(clean, voxel);
  for (let i = 0; i < 8 && merged.footprint.length > target; i++) {
    // Points lie on surfaces, so the count falls with the square of the voxel size.
    voxel *= Math.sqrt(merged.footprint.length / target) * 1.02;
    merged = voxelMerge(clean, voxel);
  }
  if (merged.footprint.length > target) {
    const step = merged.footprint.length / target;
    merged = select(merged, Array.from({ length: target }, (_, i) => Math.floor(i * step)));
  }
  const n = merged.footprint.length;
  const shDegree = opts.shDegree ?? 3;
  const K = shCoeffCount(shDegree);
  const scene = createScene(n, shDegree);
  scene.means.set(merged.xyz);
  const d2 = meanSqDistKnn3(merged.xyz);
  const opacity = logit(opts.opacity ?? 0.1);
  for (let i = 0; i < n; i++) {
    const size = Math.max(merged.footprint[i], voxel);
    const sigma = Math.min(Math.max(Math.sqrt(d2[i]), 0.5 * size), 2 * size);
    scene.logScales.fill(Math.log(sigma), i * 3, i * 3 + 3);
    scene.opacityLogits[i] = opacity;
    for (let c = 0; c < 3; c++) scene.sh[i * K * 3 + c] = rgbToShDc(merged.rgb[i * 3 + c]);
  }
  return { scene, points: merged, stats: { unprojected: raw.footprint.length, afterOutliers: clean.footprint.length, merged: n, voxelSize: voxel } };
}

function select(pts: FootprintPoints, idx: number[]): FootprintPoints {
  const out: FootprintPoints = { xyz: new Float32Array(idx.length * 3), rgb: new Float32Array(idx.length * 3), footprint: new Float32Array(idx.length) };
  idx.forEach((i, k) => {
    out.xyz.set(pts.xyz.subarray(i * 3, i * 3 + 3), k * 3);
    out.rgb.set(pts.rgb.subarray(i * 3, i * 3 + 3), k * 3);
    out.footprint[k] = pts.footprint[i];
  });
  return out;
}

function median(values: Float32Array): number {
  const a = Float32Array.from(values).sort();
  return a[a.length >> 1];
}
