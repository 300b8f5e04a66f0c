/**
 * Float64 CPU reference of one Adam step (torch.optim.Adam, as 3DGS uses it):
 *   m ← β1 m + (1 - β1) g
 *   v ← β2 v + (1 - β2) g²
 *   p ← p - lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)
 * with t the 1-based step count. Updates params, m and v in place. A non-finite gradient counts
 * as 0 (like shaders/train/adam_step.wgsl), so one NaN cannot poison parameters and moments.
 */
export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
}

/** 3DGS settings: ε = 1e-15 (not torch's 1e-8) so tiny gradients still move parameters. */
export const ADAM_DEFAULTS: AdamHyper = { beta1: 0.9, beta2: 0.999, eps: 1e-15 };

export function adamStepRef(
  params: Float64Array,
  grads: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  step: number,
  hyper: AdamHyper = ADAM_DEFAULTS,
): void {
  const bc1 = 1 - hyper.beta1 ** step;
  const bc2 = 1 - hyper.beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const g = Number.isFinite(grads[i]) ? grads[i] : 0;
    m[i] = hyper.beta1 * m[i] + (1 - hyper.beta1) * g;
    v[i] = hyper.beta2 * v[i] + (1 - hyper.beta2) * g * g;
    params[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + hyper.eps);
  }
}
