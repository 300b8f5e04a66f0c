/** Synthetic scenes with known answers for the pose tests. */
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';

export interface SyntheticScene {
  cameras: Camera[];
  /** [N, 3] */
  points: Float64Array;
  /** per camera: [N, 2] pixel projections (NaN when behind / outside the image) */
  pixels: Float64Array[];
}

/**
 * Random points in a box around the origin seen by `nCams` cameras on an arc of
 * `arcDeg` degrees at distance `radius`, all looking at the origin.
 */
export function syntheticScene(opts: { nCams: number; nPoints: number; arcDeg: number; seed: number; radius?: number; width?: number; height?: number; focal?: number }): SyntheticScene {
  const rand = rng(opts.seed);
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const focal = opts.focal ?? 500;
  const radius = opts.radius ?? 6;
  const points = new Float64Array(opts.nPoints * 3);
  for (let i = 0; i < opts.nPoints * 3; i++) points[i] = (rand() - 0.5) * 3;
  const cameras: Camera[] = [];
  for (let c = 0; c < opts.nCams; c++) {
    const a = ((c / Math.max(opts.nCams - 1, 1) - 0.5) * opts.arcDeg * Math.PI) / 180;
    const eye = [radius * Math.sin(a), 0.3 * (rand() - 0.5), -radius * Math.cos(a)];
    const target = [0.2 * (rand() - 0.5), 0.2 * (rand() - 0.5), 0.2 * (rand() - 0.5)];
    cameras.push(lookAtCamera(eye, target, [0, -1, 0], { width, height, fx: focal, fy: focal }));
  }
  const pixels = cameras.map((cam) => projectAll(cam, points));
  return { cameras, points, pixels };
}

export function projectAll(cam: Camera, points: Float64Array): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const X = [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
    const x = cam.R[0] * X[0] + cam.R[1] * X[1] + cam.R[2] * X[2] + cam.t[0];
    const y = cam.R[3] * X[0] + cam.R[4] * X[1] + cam.R[5] * X[2] + cam.t[1];
    const z = cam.R[6] * X[0] + cam.R[7] * X[1] + cam.R[8] * X[2] + cam.t[2];
    const u = (cam.fx * x) / z + cam.cx;
    const v = (cam.fy * y) / z + cam.cy;
    const ok = z > 0 && u >= 0 && u < cam.width && v >= 0 && v < cam.height;
    out[2 * i] = ok ? u : NaN;
    out[2 * i + 1] = ok ? v : NaN;
  }
  return out;
}

/** Add Gaussian pixel noise (sigma px) in place. */
export function addNoise(px: Float64Array, sigma: number, seed: number): Float64Array {
  const rand = rng(seed);
  for (let i = 0; i < px.length; i++) px[i] += sigma * gaussian(rand);
  return px;
}

/** Pixels -> normalized coordinates with the camera's intrinsics. */
export function normalize(cam: Camera, px: Float64Array): Float64Array {
  const out = new Float64Array(px.length);
  for (let i = 0; i < px.length / 2; i++) {
    out[2 * i] = (px[2 * i] - cam.cx) / cam.fx;
    out[2 * i + 1] = (px[2 * i + 1] - cam.cy) / cam.fy;
  }
  return out;
}

/** Relative pose of camera b w.r.t. camera a: R = Rb Ra^T, t = tb - R ta. */
export function relativePose(a: Camera, b: Camera): { R: number[]; t: number[] } {
  const R = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) R[i * 3 + j] += b.R[i * 3 + k] * a.R[j * 3 + k];
  const Rt = [0, 1, 2].map((i) => R[i * 3] * a.t[0] + R[i * 3 + 1] * a.t[1] + R[i * 3 + 2] * a.t[2]);
  return { R, t: [b.t[0] - Rt[0], b.t[1] - Rt[1], b.t[2] - Rt[2]] };
}
