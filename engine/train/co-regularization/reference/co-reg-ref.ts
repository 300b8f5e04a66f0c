/**
 * Float64 references for CoR-GS's pseudo-view co-regularization (engine/train/co-regularization/
 * co-reg-loss.ts): R = w · [(1 - λ)·L1(A, B) + λ·(1 - SSIM(A, B))] between the two fields'
 * renders A and B [H, W, 3] at one pseudo camera, and its gradient with respect to BOTH renders.
 * L1 and SSIM are symmetric in their two images, so dR/dA is the SSIM + L1 training-loss
 * gradient of A against the constant "target" B (and dR/dB the same with the roles swapped):
 * the GPU reuses SsimL1Loss twice and scales by w (shaders/train/scale_f32.wgsl).
 */
import { SSIM_LAMBDA, ssimL1LossBackwardRef, ssimL1LossRef } from '../../reference/ssim-ref.js';

type Image = ArrayLike<number>;

/** R(A, B) = weight · ((1 - λ)·L1 + λ·(1 - SSIM)). */
export function coRegLossRef(a: Image, b: Image, width: number, height: number, weight: number, lambda = SSIM_LAMBDA): number {
  return weight * ssimL1LossRef(a, b, width, height, lambda).loss;
}

/** { vA: dR/dA, vB: dR/dB }, each [H, W, 3]. */
export function coRegGradRef(a: Image, b: Image, width: number, height: number, weight: number, lambda = SSIM_LAMBDA): { vA: Float64Array; vB: Float64Array } {
  const vA = ssimL1LossBackwardRef(a, b, width, height, lambda).map((v) => weight * v);
  const vB = ssimL1LossBackwardRef(b, a, width, height, lambda).map((v) => weight * v);
  return { vA, vB };
}

/** values · factor (the scale_f32 kernel). */
export function scaleRef(values: ArrayLike<number>, factor: number): Float64Array {
  return Float64Array.from(values, (v) => v * factor);
}
