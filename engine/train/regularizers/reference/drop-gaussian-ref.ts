/**
 * float64 reference of DropGaussian (Park et al., CVPR 2025) as Sparrow applies it to the
 * opacity logits of the scene rendered for a training step (shaders/train/drop_gaussian_*.wgsl):
 *
 *   keep_i = u(seed, step, i) >= rate              (u uniform in [0, 1) from an integer hash)
 *   kept:     o'_i = min(c * sigmoid(l_i), cap),   c = 1 / (1 - rate),   l'_i = logit(o'_i)
 *   dropped:  l'_i = droppedLogit                  (opacity ~0: below ALPHA_MIN everywhere)
 *
 * The paper multiplies the opacity by the dropout mask (kept: 1/(1-r)) and lets the
 * rasterizer's alpha = min(0.99, o G) absorb o > 1; Sparrow's scene stores logits, so the
 * compensated opacity is capped just below 1 (cap 0.999: at a Gaussian's centre alpha is
 * clamped at 0.99 either way; only the tails of the few Gaussians with c*sigmoid(l) > cap
 * are dimmer than in the paper, by at most cap / c*sigmoid(l) >= cap (1 - rate)).
 *
 * Backward, from dL/dl' (what the rasterizer writes for the rendered scene) to dL/dl:
 *   dropped: 0;  kept: dL/dl = dL/dl' * c sigmoid(l)(1 - sigmoid(l)) / (o'(1 - o'))
 * which is the exact chain rule below the cap and, at the cap, passes dL/do' through as if
 * uncapped (straight-through, as the paper's rasterizer does for its own 0.99 clamp), so that
 * high-opacity Gaussians keep an opacity gradient on the steps where they are kept.
 */

export const DROP_OPACITY_CAP = 0.999;
/** Logit of a dropped Gaussian: opacity 4e-18, so alpha < ALPHA_MIN at every pixel. */
export const DROPPED_LOGIT = -40;

export interface DropParams {
  /** Drop rate in [0, 0.5]. */
  rate: number;
  seed: number;
  step: number;
}

/** PCG hash (Jarzynski & Olano 2020), a bijection on u32. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Uniform in [0, 1) with 24 bits, the same on the GPU (exact in f32). */
export function dropUniform(seed: number, step: number, index: number): number {
  const h = pcgHash((index ^ pcgHash((step ^ pcgHash(seed >>> 0)) >>> 0)) >>> 0);
  return (h >>> 8) / 16777216;
}

/** Whether Gaussian `index` is kept at this step (the rate compared as f32, as on the GPU). */
export function keepGaussian(p: DropParams, index: number): boolean {
  return dropUniform(p.seed, p.step, index) >= Math.fround(p.rate);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** l' [N] of the rendered scene, and which Gaussians were kept / hit the cap. */
export function dropGaussianForwardRef(logits: ArrayLike<number>, p: DropParams): { logits: Float64Array; kept: Uint8Array; capped: Uint8Array } {
  const n = logits.length;
  const out = new Float64Array(n);
  const kept = new Uint8Array(n);
  const capped = new Uint8Array(n);
  const c = 1 / (1 - p.rate);
  for (let i = 0; i < n; i++) {
    if (!keepGaussian(p, i)) {
      out[i] = DROPPED_LOGIT;
      continue;
    }
    kept[i] = 1;
    let o = c * sigmoid(logits[i]);
    if (o >= DROP_OPACITY_CAP) {
      o = DROP_OPACITY_CAP;
      capped[i] = 1;
    }
    out[i] = Math.log(o / (1 - o));
  }
  return { logits: out, kept, capped };
}

/** dL/dl [N] from dL/dl' [N] (see the header). */
export function dropGaussianBackwardRef(logits: ArrayLike<number>, p: DropParams, vRendered: ArrayLike<number>): Float64Array {
  const n = logits.length;
  const v = new Float64Array(n);
  const c = 1 / (1 - p.rate);
  for (let i = 0; i < n; i++) {
    if (!keepGaussian(p, i)) continue;
    const s = sigmoid(logits[i]);
    const o = Math.min(c * s, DROP_OPACITY_CAP);
    v[i] = (vRendered[i] * c * s * (1 - s)) / (o * (1 - o));
  }
  return v;
}
