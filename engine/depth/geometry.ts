/**
 * Two-view geometry for the plane sweep: relative poses, plane-induced homographies of
 * fronto-parallel planes, inverse-depth plane lists, neighbour choice and depth range.
 */
import { cameraCenter, type Camera } from '../splat/camera.js';
import type { DepthRange } from './types.js';

/** Rigid transform, row-major R [9] and t [3]: x' = R x + t. */
export interface Rigid {
  R: number[];
  t: number[];
}

export function matMul3(a: number[], b: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return out;
}

export function transpose3(a: number[]): number[] {
  return [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
}

export function matVec3(a: number[], v: number[]): number[] {
  return [
    a[0] * v[0] + a[1] * v[1] + a[2] * v[2],
    a[3] * v[0] + a[4] * v[1] + a[5] * v[2],
    a[6] * v[0] + a[7] * v[1] + a[8] * v[2],
  ];
}

/** Transform from `from`'s camera frame to `to`'s camera frame. */
export function relativePose(from: Camera, to: Camera): Rigid {
  // x_to = R_to (R_from^T (x_from - t_from)) + t_to
  const R = matMul3(to.R, transpose3(from.R));
  const Rt = matVec3(R, from.t);
  return { R, t: [to.t[0] - Rt[0], to.t[1] - Rt[1], to.t[2] - Rt[2]] };
}

export function intrinsicMatrix(c: Camera): number[] {
  return [c.fx, 0, c.cx, 0, c.fy, c.cy, 0, 0, 1];
}

export function inverseIntrinsicMatrix(c: Camera): number[] {
  return [1 / c.fx, 0, -c.cx / c.fx, 0, 1 / c.fy, -c.cy / c.fy, 0, 0, 1];
}

/**
 * Plane sweep warp from reference to source: x_s ~ A x_r + rho * b for the fronto-parallel
 * reference plane at inverse depth rho. Returns [12]: A (row-major 3x3), b (3).
 */
export function sweepWarp(ref: Camera, src: Camera): number[] {
  const { R, t } = relativePose(ref, src);
  const A = matMul3(matMul3(intrinsicMatrix(src), R), inverseIntrinsicMatrix(ref));
  const b = matVec3(intrinsicMatrix(src), t);
  return [...A, ...b];
}

/** D planes evenly spaced in inverse depth from 1/far (plane 0) to 1/near (plane D-1). */
export function inverseDepthPlanes(range: DepthRange, count: number): Float64Array {
  if (!(range.near > 0) || !(range.far > range.near)) throw new Error(`depth range must satisfy 0 < near < far, got ${range.near}..${range.far}`);
  if (count < 3) throw new Error(`the sweep needs at least 3 planes, got ${count}`);
  const out = new Float64Array(count);
  const a = 1 / range.far;
  const b = 1 / range.near;
  for (let i = 0; i < count; i++) out[i] = a + ((b - a) * i) / (count - 1);
  return out;
}

function viewDirection(c: Camera): number[] {
  // The optical axis (camera +z) in world coordinates is the third row of R.
  return [c.R[6], c.R[7], c.R[8]];
}

/**
 * Neighbours of view `ref` for matching: the other views ordered by the angle between
 * optical axes (small angles match well), skipping views with (almost) no baseline,
 * which give no depth signal. At most `max` are returned.
 */
export function chooseNeighbours(cameras: Camera[], ref: number, max: number): number[] {
  const cr = cameraCenter(cameras[ref]);
  const dr = viewDirection(cameras[ref]);
  const dists = cameras.map((c) => Math.hypot(...cameraCenter(c).map((x, k) => x - cr[k])));
  const scale = Math.max(...dists, 1e-12);
  const scored: { i: number; angle: number }[] = [];
  cameras.forEach((c, i) => {
    if (i === ref || dists[i] < 1e-6 * scale) return;
    const d = viewDirection(c);
    const cos = Math.min(1, Math.max(-1, d[0] * dr[0] + d[1] * dr[1] + d[2] * dr[2]));
    if (cos <= 0) return; // facing away: no common surface
    scored.push({ i, angle: Math.acos(cos) });
  });
  scored.sort((a, b) => a.angle - b.angle || dists[a.i] - dists[b.i]);
  return scored.slice(0, max).map((s) => s.i);
}

/**
 * Depth range when no near/far and no sparse points are known: the point closest (least
 * squares) to all optical axes is taken as the scene centre, and the sweep covers
 * [0.4, 2.5] x its mean distance from the cameras. Forward-facing rigs (near-parallel
 * axes) give no centre; then the range is [2, 200] x the mean baseline.
 */
export function depthRangeFromCameras(cameras: Camera[]): DepthRange {
  const A = new Array<number>(9).fill(0);
  const rhs = [0, 0, 0];
  for (const c of cameras) {
    const d = viewDirection(c);
    const o = cameraCenter(c);
    // (I - d d^T) x = (I - d d^T) o, summed over cameras.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const m = (i === j ? 1 : 0) - d[i] * d[j];
        A[i * 3 + j] += m;
        rhs[i] += m * o[j];
      }
    }
  }
  const centre = solve3(A, rhs);
  if (centre) {
    let mean = 0;
    let ahead = true;
    for (const c of cameras) {
      const z = matVec3(c.R, centre)[2] + c.t[2];
      if (z <= 0) ahead = false;
      mean += z / cameras.length;
    }
    if (ahead && mean > 0) return { near: 0.4 * mean, far: 2.5 * mean };
  }
  let baseline = 0;
  let pairs = 0;
  for (let i = 0; i < cameras.length; i++) {
    for (let j = i + 1; j < cameras.length; j++) {
      const a = cameraCenter(cameras[i]);
      const b = cameraCenter(cameras[j]);
      baseline += Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      pairs++;
    }
  }
  const base = pairs > 0 ? baseline / pairs : 1;
  return { near: 2 * base, far: 200 * base };
}

/** Depth range from sparse world points seen by `camera`: 2nd..98th percentile, widened by 20%. */
export function depthRangeFromPoints(camera: Camera, points: ArrayLike<number>): DepthRange | undefined {
  const z: number[] = [];
  for (let i = 0; i + 2 < points.length; i += 3) {
    const d = camera.R[6] * points[i] + camera.R[7] * points[i + 1] + camera.R[8] * points[i + 2] + camera.t[2];
    if (d > 0) z.push(d);
  }
  if (z.length < 8) return undefined;
  z.sort((a, b) => a - b);
  const lo = z[Math.floor(0.02 * (z.length - 1))];
  const hi = z[Math.ceil(0.98 * (z.length - 1))];
  return { near: lo / 1.2, far: hi * 1.2 };
}

/** Solve a 3x3 system by Cramer's rule; undefined when (nearly) singular. */
function solve3(A: number[], b: number[]): number[] | undefined {
  const det = (m: number[]) =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const d = det(A);
  const tr = (A[0] + A[4] + A[8]) / 3;
  const scale = Math.abs(tr * tr * tr) + 1e-30;
  if (Math.abs(d) < 1e-3 * scale) return undefined;
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    const m = A.slice();
    for (let r = 0; r < 3; r++) m[r * 3 + c] = b[r];
    out.push(det(m) / d);
  }
  return out;
}

/** Per-source camera block [32] of shaders/depth/consistency.wgsl. */
export function consistencyCams(ref: Camera, src: Camera): number[] {
  const srcFromRef = relativePose(ref, src);
  const refFromSrc = relativePose(src, ref);
  return [
    ...srcFromRef.R, ...srcFromRef.t, ...refFromSrc.R, ...refFromSrc.t,
    src.fx, src.fy, src.cx, src.cy, ref.fx, ref.fy, ref.cx, ref.cy,
  ];
}
