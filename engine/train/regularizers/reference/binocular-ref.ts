/**
 * float64 references of the binocular stereo consistency loss (shaders/train/binocular_warp.wgsl)
 * and of opacity decay (shaders/train/opacity_decay.wgsl). Plain loops, no tricks.
 */

export interface BinocularRefParams {
  width: number;
  height: number;
  /** fx * baseline: a pixel at depth z samples the shifted render at x - fxb / z. */
  fxb: number;
  weight: number;
  minAlpha: number;
}

/**
 * L = weight/(3HW) * sum_valid sum_c |warped_c - target_c| and its gradients w.r.t. the shifted
 * render [H, W, 3], the training view's depth sum(w z) [H, W] and alpha sum(w) [H, W].
 */
export function binocularRef(
  shifted: ArrayLike<number>,
  target: ArrayLike<number>,
  depth: ArrayLike<number>,
  alpha: ArrayLike<number>,
  p: BinocularRefParams,
): { loss: number; vShifted: Float64Array; vDepth: Float64Array; vAlpha: Float64Array; valid: number } {
  const { width: W, height: H } = p;
  const wn = p.weight / (3 * W * H);
  const vShifted = new Float64Array(W * H * 3);
  const vDepth = new Float64Array(W * H);
  const vAlpha = new Float64Array(W * H);
  let loss = 0;
  let valid = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const a = alpha[i];
      if (a < p.minAlpha) continue;
      const z = depth[i] / a;
      if (!(z > 0)) continue;
      const sx = x - p.fxb / z;
      if (!(sx >= 0 && sx <= W - 1)) continue;
      valid++;
      const x0 = Math.min(Math.floor(sx), W - 1);
      const x1 = Math.min(x0 + 1, W - 1);
      const f = sx - x0;
      let dsx = 0;
      for (let c = 0; c < 3; c++) {
        const s0 = shifted[(y * W + x0) * 3 + c];
        const s1 = shifted[(y * W + x1) * 3 + c];
        const r = (1 - f) * s0 + f * s1 - target[i * 3 + c];
        loss += wn * Math.abs(r);
        const g = wn * Math.sign(r);
        vShifted[(y * W + x0) * 3 + c] += g * (1 - f);
        vShifted[(y * W + x1) * 3 + c] += g * f;
        dsx += g * (s1 - s0);
      }
      // sx = x - fxb * a / depth
      vDepth[i] += (dsx * p.fxb * a) / (depth[i] * depth[i]);
      vAlpha[i] += (-dsx * p.fxb) / depth[i];
    }
  }
  return { loss, vShifted, vDepth, vAlpha, valid };
}

/** sigmoid(l') = factor * sigmoid(l), elementwise. */
export function opacityDecayRef(logits: ArrayLike<number>, factor: number): Float64Array {
  return Float64Array.from(logits, (l) => {
    const s = factor / (1 + Math.exp(-l));
    return Math.log(s / (1 - s));
  });
}
