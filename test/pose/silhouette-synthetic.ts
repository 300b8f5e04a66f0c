/**
 * Synthetic masked captures for the silhouette tests: an object made of ellipsoids
 * (axis-aligned, union), rendered exactly (float64 ray-ellipsoid tests, 3x3 supersampled
 * alpha) from look-at cameras on a sphere around it, like a Blender object scene.
 */
import { encodePng, type RgbaImage } from '../../engine/io/image.js';
import { cameraCenter, lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';

export interface Ellipsoid {
  centre: [number, number, number];
  radii: [number, number, number];
}

/** Asymmetric: no rotation or mirror maps it to itself. */
export const ASYMMETRIC: Ellipsoid[] = [
  { centre: [0, 0, 0], radii: [0.8, 0.5, 0.4] },
  { centre: [0.7, 0.15, 0.35], radii: [0.3, 0.25, 0.3] },
  { centre: [-0.6, -0.35, -0.1], radii: [0.15, 0.45, 0.15] },
  { centre: [-0.25, 0.3, 0.55], radii: [0.12, 0.12, 0.4] },
];

/** Symmetric under 180° turns about each axis and mirrors: silhouettes cannot tell those poses apart. */
export const SYMMETRIC: Ellipsoid[] = [{ centre: [0, 0, 0], radii: [0.9, 0.55, 0.35] }];

export function insideObject(obj: Ellipsoid[], p: ArrayLike<number>): boolean {
  return obj.some((e) => ((p[0] - e.centre[0]) / e.radii[0]) ** 2 + ((p[1] - e.centre[1]) / e.radii[1]) ** 2 + ((p[2] - e.centre[2]) / e.radii[2]) ** 2 <= 1);
}

/** [n, 3] random points on the surfaces of the object's ellipsoids, cycling through them (inside the union: on the object for the masks). */
export function surfacePoints(obj: Ellipsoid[], n: number, seed: number): Float64Array {
  const rand = rng(seed);
  const out = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const e = obj[i % obj.length];
    const d = [gaussian(rand), gaussian(rand), gaussian(rand)];
    const l = Math.hypot(d[0], d[1], d[2]);
    for (let a = 0; a < 3; a++) out[3 * i + a] = e.centre[a] + (e.radii[a] * d[a]) / l;
  }
  return out;
}

/** Ray parameters [entry, exit] of the ray o + t d through ellipsoid e, or null when it misses. */
export function rayEllipsoid(e: Ellipsoid, o: number[], d: number[]): [number, number] | null {
  const oo = [0, 1, 2].map((a) => (o[a] - e.centre[a]) / e.radii[a]);
  const dd = [0, 1, 2].map((a) => d[a] / e.radii[a]);
  const A = dd[0] ** 2 + dd[1] ** 2 + dd[2] ** 2;
  const B = 2 * (oo[0] * dd[0] + oo[1] * dd[1] + oo[2] * dd[2]);
  const C = oo[0] ** 2 + oo[1] ** 2 + oo[2] ** 2 - 1;
  const disc = B * B - 4 * A * C;
  if (disc < 0) return null;
  return [(-B - Math.sqrt(disc)) / (2 * A), (-B + Math.sqrt(disc)) / (2 * A)];
}

function rayHits(obj: Ellipsoid[], o: number[], d: number[]): boolean {
  return obj.some((e) => (rayEllipsoid(e, o, d)?.[1] ?? -1) > 0);
}

/** RGBA photo of the object: grey where it is, alpha = the 3x3-supersampled coverage. */
export function renderObject(obj: Ellipsoid[], cam: Camera): RgbaImage {
  const { width: W, height: H, R } = cam;
  const C = cameraCenter(cam);
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let hits = 0;
      for (let sy = 0; sy < 3; sy++) {
        for (let sx = 0; sx < 3; sx++) {
          const xc = [(x + (sx + 0.5) / 3 - cam.cx) / cam.fx, (y + (sy + 0.5) / 3 - cam.cy) / cam.fy, 1];
          const d = [0, 1, 2].map((a) => R[a] * xc[0] + R[3 + a] * xc[1] + R[6 + a] * xc[2]);
          if (rayHits(obj, C, d)) hits++;
        }
      }
      const o = 4 * (y * W + x);
      data[o] = data[o + 1] = data[o + 2] = 128;
      data[o + 3] = Math.round((255 * hits) / 9);
    }
  }
  return { width: W, height: H, data };
}

/** Look-at camera at (azimuth, elevation) degrees on a sphere of radius 4 around the origin, z up, ~40° FOV. */
export function orbitCamera(azimuthDeg: number, elevationDeg: number, size = 96, radius = 4): Camera {
  const a = (azimuthDeg * Math.PI) / 180;
  const e = (elevationDeg * Math.PI) / 180;
  const eye = [radius * Math.cos(e) * Math.cos(a), radius * Math.cos(e) * Math.sin(a), radius * Math.sin(e)];
  const f = size / 2 / Math.tan((20 * Math.PI) / 180);
  return lookAtCamera(eye, [0, 0, 0], [0, 0, 1], { width: size, height: size, fx: f, fy: f });
}

/** Relative pose of b from a (x_b = R x_a + t, R = R_b R_a^T) with |t| = 1, as two-view geometry gives it. */
export function relativePose(a: Camera, b: Camera): { R: number[]; t: number[] } {
  const R = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => b.R[3 * r] * a.R[3 * c] + b.R[3 * r + 1] * a.R[3 * c + 1] + b.R[3 * r + 2] * a.R[3 * c + 2]));
  const t = [0, 1, 2].map((r) => b.t[r] - (R[3 * r] * a.t[0] + R[3 * r + 1] * a.t[1] + R[3 * r + 2] * a.t[2]));
  const n = Math.hypot(t[0], t[1], t[2]);
  return { R, t: t.map((x) => x / n) };
}

/**
 * PNG photos of ASYMMETRIC from `cameras` (alpha = the mask, or opaque without alpha), named
 * view<v>.png; pixel 0's red channel is 10 x v so a scripted extractor knows which view it sees.
 */
export function maskedPhotos(cameras: Camera[], withAlpha: boolean): { name: string; bytes: Uint8Array }[] {
  return cameras.map((cam, v) => {
    const img = renderObject(ASYMMETRIC, cam);
    if (!withAlpha) for (let p = 3; p < img.data.length; p += 4) img.data[p] = 255;
    img.data[0] = 10 * v; // a background pixel
    return { name: `view${v}.png`, bytes: encodePng(img) };
  });
}
