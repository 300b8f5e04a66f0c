/**
 * Object masks for the silhouette fallback (silhouette-placement.ts), from the photos'
 * alpha channel: photos of a masked capture (e.g. a synthetic object on a transparent
 * background) carry the object's outline for free. A photo without a meaningful alpha
 * channel gives no mask, and the fallback does not apply to it (it says so).
 *
 * Masks are box-filtered down to a working resolution (a silhouette search renders
 * thousands of candidates: ~64-96 px is enough to tell poses apart by a few degrees).
 */
import type { RgbaImage } from '../io/image.js';
import type { Camera } from '../splat/camera.js';

export interface SilhouetteMask {
  /** working resolution */
  width: number;
  height: number;
  /** working px per photo px, x and y (equal up to rounding) */
  scaleX: number;
  scaleY: number;
  /** [height * width] 1 where the object covers the pixel (mean alpha >= 0.5), else 0 */
  inside: Uint8Array;
  /** [height * width] mean alpha in [0, 1] (a soft silhouette, for scoring) */
  alpha: Float32Array;
  /** share of the working pixels inside */
  coverage: number;
}

export interface MaskOptions {
  /** long side of the working resolution, px (default 96) */
  maxSide?: number;
  /** share of photo pixels with alpha < 255 needed to call the alpha channel a mask (default 0.05) */
  minTransparentShare?: number;
}

/** The mask of one photo, or why it has none. */
export function maskFromAlpha(img: RgbaImage, opts: MaskOptions = {}): SilhouetteMask | { reason: string } {
  const n = img.width * img.height;
  let transparent = 0;
  for (let p = 0; p < n; p++) if (img.data[4 * p + 3] < 255) transparent++;
  const minShare = opts.minTransparentShare ?? 0.05;
  if (transparent < minShare * n) {
    return { reason: `no alpha mask (${((100 * transparent) / n).toFixed(1)}% of pixels transparent, need ${(100 * minShare).toFixed(0)}%)` };
  }
  const maxSide = opts.maxSide ?? 96;
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  // Box filter: every photo pixel adds its alpha to the working pixel it falls in.
  const sum = new Float64Array(width * height);
  const cnt = new Float64Array(width * height);
  for (let y = 0; y < img.height; y++) {
    const wy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / img.height));
    for (let x = 0; x < img.width; x++) {
      const wx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / img.width));
      sum[wy * width + wx] += img.data[4 * (y * img.width + x) + 3];
      cnt[wy * width + wx]++;
    }
  }
  const inside = new Uint8Array(width * height);
  const alpha = new Float32Array(width * height);
  let count = 0;
  for (let p = 0; p < inside.length; p++) {
    alpha[p] = cnt[p] > 0 ? sum[p] / cnt[p] / 255 : 0;
    inside[p] = alpha[p] >= 0.5 ? 1 : 0;
    count += inside[p];
  }
  const coverage = count / inside.length;
  if (count < 16) return { reason: `alpha mask covers only ${count} working pixels (empty silhouette)` };
  if (coverage > 0.95) return { reason: `alpha mask covers ${(100 * coverage).toFixed(0)}% of the photo (no outline to match)` };
  // Exact working-pixel scale on each axis (rounding can make them differ slightly).
  return { width, height, scaleX: width / img.width, scaleY: height / img.height, inside, alpha, coverage };
}

/** A photo's camera at the mask's working resolution. */
export function cameraAtMask(cam: Camera, m: SilhouetteMask): Camera {
  return { ...cam, width: m.width, height: m.height, fx: cam.fx * m.scaleX, fy: cam.fy * m.scaleY, cx: cam.cx * m.scaleX, cy: cam.cy * m.scaleY };
}

/**
 * Intersection over union of two soft silhouettes of the same size (values in [0, 1]):
 * sum(min) / sum(max), the binary IoU for 0/1 masks and smooth in sub-pixel shifts.
 */
export function softIoU(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let uni = 0;
  for (let p = 0; p < a.length; p++) {
    const x = a[p];
    const y = b[p];
    if (x < y) {
      inter += x;
      uni += y;
    } else {
      inter += y;
      uni += x;
    }
  }
  return uni > 0 ? inter / uni : 0;
}

/** Share of `mask`'s mass that `cover` also covers: sum(min) / sum(mask) (1 when mask is empty). */
export function maskCoverage(mask: ArrayLike<number>, cover: ArrayLike<number>): number {
  let m = 0;
  let c = 0;
  for (let p = 0; p < mask.length; p++) {
    m += mask[p];
    c += Math.min(mask[p], cover[p]);
  }
  return m > 0 ? c / m : 1;
}
