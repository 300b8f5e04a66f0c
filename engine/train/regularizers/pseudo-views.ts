/**
 * Pseudo views (FSGS): cameras between the training cameras, where no photo exists.
 * The depth prior of the nearest training view is forward-warped into the pseudo view
 * (shaders/train/warp_depth.wgsl) and the depth-correlation loss ties the render there
 * to it, so unseen directions are constrained by geometry instead of left to overfit.
 */
import type { Camera } from '../../splat/camera.js';
import { cameraCenter } from '../../splat/camera.js';

type Quat = [number, number, number, number];

export function rotationToQuat(R: number[]): Quat {
  // Shepperd's method on the row-major matrix; returns (w, x, y, z), w >= 0.
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = R;
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s];
  }
  const n = Math.hypot(...q);
  const sign = q[0] < 0 ? -1 : 1;
  return q.map((v) => (sign * v) / n) as Quat;
}

export function quatToRotation([w, x, y, z]: Quat): number[] {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

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
