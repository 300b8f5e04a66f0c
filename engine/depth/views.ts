/**
 * Input photos -> DepthViews at the working resolution (the sweep's cost grows with
 * pixels x planes, and MVS gains little from full resolution on 3-12 photos).
 */
import type { Camera } from '../splat/camera.js';
import type { DepthView } from './types.js';

/** Default longest side of the working resolution. */
export const DEFAULT_MAX_SIDE = 384;

/** Working size for a photo: longest side at most `maxSide`, aspect kept. */
export function workingSize(width: number, height: number, maxSide: number): [number, number] {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return [Math.max(1, Math.round(width * s)), Math.max(1, Math.round(height * s))];
}

/** Intrinsics for a resized image: pixel edges map to pixel edges (pixel i covers [i, i+1)). */
export function scaleCameraTo(c: Camera, width: number, height: number): Camera {
  const sx = width / c.width;
  const sy = height / c.height;
  return { ...c, width, height, fx: c.fx * sx, fy: c.fy * sy, cx: c.cx * sx, cy: c.cy * sy, R: [...c.R], t: [...c.t] };
}

/**
 * Area resampling of an [H, W, C] float image to [h, w, C]: each output pixel averages the
 * source pixels it covers, weighted by the covered fraction (exact box filter, any factor).
 * Upsampling falls back to nearest source pixel.
 */
export function resizeArea(src: Float32Array, W: number, H: number, C: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * C);
  const sx = W / w;
  const sy = H / h;
  for (let y = 0; y < h; y++) {
    const y0 = y * sy;
    const y1 = Math.max((y + 1) * sy, y0 + 1e-9);
    for (let x = 0; x < w; x++) {
      const x0 = x * sx;
      const x1 = Math.max((x + 1) * sx, x0 + 1e-9);
      let wsum = 0;
      const acc = new Float64Array(C);
      for (let j = Math.floor(y0); j < Math.min(Math.ceil(y1), H); j++) {
        const wy = Math.min(j + 1, y1) - Math.max(j, y0);
        if (wy <= 0) continue;
        for (let i = Math.floor(x0); i < Math.min(Math.ceil(x1), W); i++) {
          const wx = Math.min(i + 1, x1) - Math.max(i, x0);
          if (wx <= 0) continue;
          const wgt = wx * wy;
          wsum += wgt;
          for (let c = 0; c < C; c++) acc[c] += wgt * src[(j * W + i) * C + c];
        }
      }
      for (let c = 0; c < C; c++) out[(y * w + x) * C + c] = wsum > 0 ? acc[c] / wsum : 0;
    }
  }
  return out;
}

export function luminance(rgb: Float32Array): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
  return out;
}

/**
 * A DepthView at working resolution from a float RGB image that matches `camera`.
 * `alpha` ([H, W] in [0, 1]) becomes the mask (alpha >= 0.5) and un-premultiplies nothing:
 * the photometric cost only uses masked pixels' neighbourhoods as they are.
 */
export function makeDepthView(name: string, camera: Camera, rgb: Float32Array, maxSide = DEFAULT_MAX_SIDE, alpha?: Float32Array): DepthView {
  const { width: W, height: H } = camera;
  if (rgb.length !== W * H * 3) throw new Error(`${name}: image has ${rgb.length / 3} pixels, camera expects ${W}x${H}`);
  const [w, h] = workingSize(W, H, maxSide);
  const small = w === W && h === H ? rgb : resizeArea(rgb, W, H, 3, w, h);
  let mask: Uint8Array | undefined;
  if (alpha) {
    const a = w === W && h === H ? alpha : resizeArea(alpha, W, H, 1, w, h);
    mask = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) mask[i] = a[i] >= 0.5 ? 1 : 0;
  }
  return { name, camera: scaleCameraTo(camera, w, h), rgb: small, gray: luminance(small), mask };
}
