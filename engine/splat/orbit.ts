/** Orbit cameras around a scene, and a robust estimate of where a scene is. */
import { lookAtCamera, type Camera } from './camera.js';
import type { GaussianScene } from './scene.js';

export interface OrbitOptions {
  count: number;
  width: number;
  height: number;
  /** Horizontal field of view in degrees. */
  fovDeg?: number;
  /** Elevation above the orbit plane in degrees (towards -up). */
  elevationDeg?: number;
  /** World up; OpenCV-style worlds are y-down, so the default is (0, -1, 0). */
  up?: number[];
}

/** `count` cameras evenly spaced on a circle around `centre` at `radius`, looking at it. */
export function orbitCameras(centre: number[], radius: number, o: OrbitOptions): Camera[] {
  const up = o.up ?? [0, -1, 0];
  const fx = (0.5 * o.width) / Math.tan(((o.fovDeg ?? 50) * Math.PI) / 360);
  const el = ((o.elevationDeg ?? 20) * Math.PI) / 180;
  // Two axes orthogonal to up span the orbit plane.
  const a = Math.abs(up[0]) < 0.9 ? [1, 0, 0] : [0, 0, 1];
  const u = normalize(cross(up, a));
  const v = cross(up, u);
  const cams: Camera[] = [];
  for (let k = 0; k < o.count; k++) {
    const th = (2 * Math.PI * k) / o.count;
    const eye = [0, 1, 2].map((i) => centre[i] + radius * (Math.cos(el) * (Math.cos(th) * u[i] + Math.sin(th) * v[i]) + Math.sin(el) * up[i]));
    cams.push(lookAtCamera(eye, centre, up, { width: o.width, height: o.height, fx, fy: fx }));
  }
  return cams;
}

/** Median of the means and the 90th-percentile distance from it (ignores outlier splats and NaNs). */
export function sceneBounds(scene: GaussianScene): { centre: number[]; radius: number } {
  const finite: number[] = [];
  for (let i = 0; i < scene.count; i++) {
    const m = scene.means.subarray(i * 3, i * 3 + 3);
    if (Number.isFinite(m[0]) && Number.isFinite(m[1]) && Number.isFinite(m[2])) finite.push(i);
  }
  if (finite.length === 0) return { centre: [0, 0, 0], radius: 1 };
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const centre = [0, 1, 2].map((k) => median(finite.map((i) => scene.means[i * 3 + k])));
  const d = finite.map((i) => Math.hypot(scene.means[i * 3] - centre[0], scene.means[i * 3 + 1] - centre[1], scene.means[i * 3 + 2] - centre[2]));
  d.sort((x, y) => x - y);
  return { centre, radius: Math.max(d[Math.floor(0.9 * (d.length - 1))], 1e-3) };
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return v.map((x) => x / n);
}
