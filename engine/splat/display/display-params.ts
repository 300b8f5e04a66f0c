/**
 * Host side of the display path's per-frame constants (DisplayParams in
 * shaders/display/display_project.wgsl): the depth range the 16-bit keys span, and the
 * bounding sphere of the splat means it comes from.
 */
import type { Camera } from '../camera.js';
import { ALPHA_MIN, NEAR_PLANE, SIGMA_EXTENT } from '../constants.js';

export const DISPLAY_PARAMS_BYTES = 32;
/** u32 per display splat record (shaders/display/display_splat_record.wgsl). */
export const DISPLAY_STRIDE = 8;

export type DepthKeyBits = 16 | 32;

/** A sphere holding every splat mean (what the 16-bit depth keys are scaled to). */
export interface MeansSphere {
  center: [number, number, number];
  radius: number;
}

/** Sphere around the box of the finite means (non-finite means are culled by the projection anyway). */
export function meansSphere(means: ArrayLike<number>): MeansSphere {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const n = Math.floor(means.length / 3);
  for (let i = 0; i < n; i++) {
    const x = means[i * 3], y = means[i * 3 + 1], z = means[i * 3 + 2];
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) continue;
    if (x < lo[0]) lo[0] = x;
    if (y < lo[1]) lo[1] = y;
    if (z < lo[2]) lo[2] = z;
    if (x > hi[0]) hi[0] = x;
    if (y > hi[1]) hi[1] = y;
    if (z > hi[2]) hi[2] = z;
  }
  if (!(lo[0] <= hi[0])) return { center: [0, 0, 0], radius: 1 };
  const center = [0, 1, 2].map((a) => 0.5 * (lo[a] + hi[a])) as [number, number, number];
  return { center, radius: 0.5 * Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) };
}

/** `s` grown (same centre) to hold `means` too: for edits that move some splats. */
export function growSphere(s: MeansSphere, means: ArrayLike<number>): MeansSphere {
  let radius = s.radius;
  const n = Math.floor(means.length / 3);
  for (let i = 0; i < n; i++) {
    const d = Math.hypot(means[i * 3] - s.center[0], means[i * 3 + 1] - s.center[1], means[i * 3 + 2] - s.center[2]);
    if (d > radius) radius = d;
  }
  return { center: s.center, radius };
}

/**
 * Camera-space depth range of the sphere, clipped to the near plane. The log-depth keys spread
 * 65534 steps over ln(zMax / zMin), so a key step is a fixed fraction of the depth (about 1e-4
 * of z for a 1000:1 range): splats closer in depth than that may draw in either order.
 */
export function depthRange(camera: Camera, sphere: MeansSphere): { zMin: number; zMax: number } {
  const { R, t } = camera;
  const c = sphere.center;
  const zc = R[6] * c[0] + R[7] * c[1] + R[8] * c[2] + t[2];
  const zMin = Math.max(NEAR_PLANE, zc - sphere.radius);
  const zMax = Math.max(zc + sphere.radius, zMin * 2);
  return { zMin, zMax };
}

export interface DisplayParamInputs {
  keyBits: DepthKeyBits;
  /** Needed for 16-bit keys. */
  zMin?: number;
  zMax?: number;
  /** Cap of the support ellipse in standard deviations. */
  maxSigma?: number;
  /** Alpha below which a splat's tail is not drawn (default ALPHA_MIN, the engine's cut). */
  minAlpha?: number;
}

export function packDisplayParams(x: DisplayParamInputs): ArrayBuffer {
  const buf = new ArrayBuffer(DISPLAY_PARAMS_BYTES);
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  const zMin = x.zMin ?? NEAR_PLANE;
  const zMax = x.zMax ?? zMin * 2;
  f.set([zMin, 1 / Math.log(zMax / zMin), x.maxSigma ?? SIGMA_EXTENT, x.minAlpha ?? ALPHA_MIN], 0);
  u.set([x.keyBits, 0, 0, 0], 4);
  return buf;
}
