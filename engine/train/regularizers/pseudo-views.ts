/**
 * Pseudo views (FSGS): cameras between the training cameras, where no photo exists.
 * The depth prior of the nearest training view is forward-warped into the pseudo view
 * (shaders/train/warp_depth.wgsl) and the depth-correlation loss ties the render there
 * to it, so unseen directions are constrained by geometry instead of left to overfit.
 */
import type { Camera } from '../../splat/camera.js';
import { cameraCenter } from '../../splat/camera.js';
import { quatToRotation, rotationToQuat } from '../../io/dataset/colmap-model.js';

type Quat = [number, number, number, number];

// Shepperd's method and its inverse, (w, x, y, z) with w >= 0, shared with the COLMAP loader.
export { quatToRotation, rotationToQuat };

export function slerp(a: Quat, b: Quat, t: number): Quat {
  let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const bb = dot < 0 ? (b.map((v) => -v) as Quat) : b;
  dot = Math.abs(dot);
  if (dot > 0.9995) {
    const q = a.map((v, i) => v + t * (bb[i] - v)) as Quat;
    const n = Math.hypot(...q);
    return q.map((v) => v / n) as Quat;
  }
  const th = Math.acos(dot);
  const s = Math.sin(th);
  const wa = Math.sin((1 - t) * th) / s;
  const wb = Math.sin(t * th) / s;
  return a.map((v, i) => wa * v + wb * bb[i]) as Quat;
}

/** A camera a fraction t of the way from a to b: slerped rotation, interpolated centre, a's intrinsics. */
export function interpolateCamera(a: Camera, b: Camera, t: number): Camera {
  const q = slerp(rotationToQuat(a.R), rotationToQuat(b.R), t);
  const R = quatToRotation(q);
  const ca = cameraCenter(a);
  const cb = cameraCenter(b);
  const C = ca.map((v, i) => v + t * (cb[i] - v));
  const tr = [-(R[0] * C[0] + R[1] * C[1] + R[2] * C[2]), -(R[3] * C[0] + R[4] * C[1] + R[5] * C[2]), -(R[6] * C[0] + R[7] * C[1] + R[8] * C[2])];
  return { ...a, R, t: tr };
}

/**
 * Pseudo cameras for a sparse set: for each training camera, its nearest other camera
 * (by centre distance); a random fraction in [0.2, 0.8] of the way there. Returns the
 * pseudo camera and the index of the source view whose depth prior is warped into it.
 */
export function samplePseudoView(cameras: Camera[], rand: () => number): { camera: Camera; source: number } {
  if (cameras.length < 2) throw new Error('pseudo views need at least two training cameras');
  const i = Math.floor(rand() * cameras.length);
  const ci = cameraCenter(cameras[i]);
  let best = -1;
  let bestD = Infinity;
  for (let j = 0; j < cameras.length; j++) {
    if (j === i) continue;
    const cj = cameraCenter(cameras[j]);
    const d = Math.hypot(ci[0] - cj[0], ci[1] - cj[1], ci[2] - cj[2]);
    if (d < bestD) {
      bestD = d;
      best = j;
    }
  }
  const t = 0.2 + 0.6 * rand();
  return { camera: interpolateCamera(cameras[i], cameras[best], t), source: t < 0.5 ? i : best };
}
