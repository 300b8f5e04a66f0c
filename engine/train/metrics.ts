/**
 * Image quality for evaluation, host-side in float64: PSNR and SSIM (11x11 Gaussian,
 * σ 1.5, zero-padded 'same' map as the 3DGS evaluation) from engine/train/reference/ssim-ref.ts.
 * Images are [H, W, 3] in [0, 1]; renders are clamped to [0, 1] first, as saved images would be.
 */
import { ssimRef } from './reference/ssim-ref.js';

export interface ImageMetrics {
  psnr: number;
  ssim: number;
}

export function clamp01(img: ArrayLike<number>): Float64Array {
  const out = new Float64Array(img.length);
  for (let i = 0; i < img.length; i++) out[i] = Math.min(Math.max(img[i], 0), 1);
  return out;
}

/** PSNR in dB for peak 1: 10 log10(1 / MSE); +Infinity for identical images. */
export function psnrOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10(a.length / se);
}

export function imageMetrics(rendered: ArrayLike<number>, truth: ArrayLike<number>, width: number, height: number): ImageMetrics {
  const r = clamp01(rendered);
  return { psnr: psnrOf(r, truth), ssim: ssimRef(r, truth, width, height) };
}
