/**
 * Analytic test scene for depth: a textured back plane (world z = PLANE_Z) and a textured
 * sphere in front of it, rendered by a CPU ray caster with exact per-pixel z-depth.
 * Texture: trilinear value noise on a random lattice (cell size > 2 pixels at the working
 * distance, so one ray per pixel does not alias).
 */
import { cameraCenter, lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import type { DepthView } from '../../engine/depth/types.js';
import { luminance } from '../../engine/depth/views.js';
import { rng } from '../util/close.js';

export const PLANE_Z = 1.5;
export const SPHERE = { c: [0.2, 0.1, 0.2], r: 0.6 };

export interface RenderedView {
  view: DepthView;
  /** depth: [H, W] exact z-depth */
  depth: Float32Array;
}

export function noiseTexture(seed: number, cell: number): (p: number[]) => number[] {
  const rand = rng(seed);
  const N = 64;
  const lattice = Float32Array.from({ length: N * N * N * 3 }, rand);
  const at = (i: number, j: number, k: number, c: number) => lattice[((((i & 63) * N + (j & 63)) * N + (k & 63)) * 3) + c];
  return (p) => {
    const f = p.map((v) => v / cell + 1000);
    const i = f.map(Math.floor);
    const a = f.map((v, k) => v - i[k]);
    const out = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let dz = 0; dz < 2; dz++) for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
        const w = (dx ? a[0] : 1 - a[0]) * (dy ? a[1] : 1 - a[1]) * (dz ? a[2] : 1 - a[2]);
        acc += w * at(i[0] + dx, i[1] + dy, i[2] + dz, c);
      }
      out[c] = acc;
    }
    return out;
  };
}

/** Nearest hit of the ray o + s d (s > 0) with the plane or the sphere; world point or undefined. */
function castRay(o: number[], d: number[]): number[] | undefined {
  let best = Infinity;
  if (Math.abs(d[2]) > 1e-12) {
    const s = (PLANE_Z - o[2]) / d[2];
    if (s > 0) best = s;
  }
  const oc = o.map((v, k) => v - SPHERE.c[k]);
  const b = oc[0] * d[0] + oc[1] * d[1] + oc[2] * d[2];
  const a = d[0] ** 2 + d[1] ** 2 + d[2] ** 2;
  const cc = oc[0] ** 2 + oc[1] ** 2 + oc[2] ** 2 - SPHERE.r ** 2;
  const disc = b * b - a * cc;
  if (disc >= 0) {
    const s = (-b - Math.sqrt(disc)) / a;
    if (s > 0 && s < best) best = s;
  }
  return Number.isFinite(best) ? o.map((v, k) => v + best * d[k]) : undefined;
}

/** Distance from a world point to the scene's surfaces. */
export function distanceToSurface(p: ArrayLike<number>): number {
  const plane = Math.abs(p[2] - PLANE_Z);
  const sphere = Math.abs(Math.hypot(p[0] - SPHERE.c[0], p[1] - SPHERE.c[1], p[2] - SPHERE.c[2]) - SPHERE.r);
  return Math.min(plane, sphere);
}

export function sceneCameras(count: number, width: number, height: number, baseline = 1): Camera[] {
  return Array.from({ length: count }, (_, i) => {
    const x = (i - (count - 1) / 2) * baseline;
    const y = i % 2 ? 0.1 : -0.05;
    return lookAtCamera([x, y, -4], [0, 0, 0.5], [0, -1, 0], { width, height, fx: width * 0.95, fy: width * 0.95 });
  });
}

export function renderView(cam: Camera, name: string, texture: (p: number[]) => number[]): RenderedView {
  const { width: W, height: H, R, t } = cam;
  const o = cameraCenter(cam);
  const rgb = new Float32Array(W * H * 3);
  const depth = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dc = [(x + 0.5 - cam.cx) / cam.fx, (y + 0.5 - cam.cy) / cam.fy, 1];
      // World direction R^T dc.
      const d = [R[0] * dc[0] + R[3] * dc[1] + R[6] * dc[2], R[1] * dc[0] + R[4] * dc[1] + R[7] * dc[2], R[2] * dc[0] + R[5] * dc[1] + R[8] * dc[2]];
      const hit = castRay(o, d);
      if (!hit) continue;
      const p = y * W + x;
      depth[p] = R[6] * hit[0] + R[7] * hit[1] + R[8] * hit[2] + t[2];
      rgb.set(texture(hit), p * 3);
    }
  }
  return { view: { name, camera: cam, rgb, gray: luminance(rgb) }, depth };
}

export function renderScene(count: number, width: number, height: number, seed = 1): RenderedView[] {
  const texture = noiseTexture(seed, 0.15);
  return sceneCameras(count, width, height).map((c, i) => renderView(c, `view${i}`, texture));
}
