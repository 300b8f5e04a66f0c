/**
 * Screen-space picking and dragging of control points for the edit mode, in the engine's
 * camera convention (engine/splat/camera.ts: OpenCV axes, R world-to-camera, pixels of a
 * width x height image). Picking casts the pixel's ray and accepts points whose projection
 * lies within a radius in pixels of the cursor (a cone around the ray, so the tolerance is
 * the same on screen near and far); among those the one nearest the camera wins, so the
 * point you see in front is the one you grab.
 */
import type { Camera } from '../../engine/splat/camera.js';

/** Camera-space position of world point `i` of `points` [M, 3]. */
function toCamera(cam: Camera, points: ArrayLike<number>, i: number): [number, number, number] {
  const x = points[i * 3], y = points[i * 3 + 1], z = points[i * 3 + 2];
  const R = cam.R;
  return [
    R[0] * x + R[1] * y + R[2] * z + cam.t[0],
    R[3] * x + R[4] * y + R[5] * z + cam.t[1],
    R[6] * x + R[7] * y + R[8] * z + cam.t[2],
  ];
}

/** Pixel (u, v) and depth of world point `i`; depth ≤ 0 means behind the camera. */
export function projectPoint(cam: Camera, points: ArrayLike<number>, i: number): { u: number; v: number; depth: number } {
  const [x, y, z] = toCamera(cam, points, i);
  return { u: cam.fx * (x / z) + cam.cx, v: cam.fy * (y / z) + cam.cy, depth: z };
}

/**
 * The control point under pixel (u, v): within `radiusPx` of it on screen and in front of
 * the camera, nearest the camera first (then nearest the cursor); -1 if none.
 */
export function pickPoint(cam: Camera, points: ArrayLike<number>, u: number, v: number, radiusPx: number): number {
  let best = -1;
  let bestDepth = Infinity;
  let bestD2 = Infinity;
  const r2 = radiusPx * radiusPx;
  for (let i = 0; i < points.length / 3; i++) {
    const p = projectPoint(cam, points, i);
    if (!(p.depth > 0)) continue;
    const d2 = (p.u - u) ** 2 + (p.v - v) ** 2;
    if (d2 > r2) continue;
    if (p.depth < bestDepth || (p.depth === bestDepth && d2 < bestD2)) {
      best = i;
      bestDepth = p.depth;
      bestD2 = d2;
    }
  }
  return best;
}

/**
 * World-space translation that moves a point at camera depth `depth` by (du, dv) pixels on
 * screen while keeping its depth: the drag happens in the plane through the point parallel
 * to the image plane. Δ_cam = (du · z / fx, dv · z / fy, 0), Δ_world = Rᵀ Δ_cam.
 */
export function screenDeltaToWorld(cam: Camera, depth: number, du: number, dv: number): [number, number, number] {
  const dx = (du * depth) / cam.fx;
  const dy = (dv * depth) / cam.fy;
  const R = cam.R;
  return [R[0] * dx + R[3] * dy, R[1] * dx + R[4] * dy, R[2] * dx + R[5] * dy];
}

/** Depth of a world point along the camera's axis (for screenDeltaToWorld). */
export function pointDepth(cam: Camera, points: ArrayLike<number>, i: number): number {
  return toCamera(cam, points, i)[2];
}
