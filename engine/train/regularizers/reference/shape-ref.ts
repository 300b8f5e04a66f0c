/**
 * Float64 reference of the per-Gaussian shape and opacity regularizers, each a mean over
 * Gaussians:
 *   ratio   (anti-needle):  wRatio   * max(0, s_max / s_min - maxRatio)
 *   huge    (anti-blob):    wHuge    * max(0, s_max - maxScale)^2
 *   opacity (anti-floater): wOpacity * H(sigmoid(o)), H = binary entropy, which pushes
 *           opacities to 0 or 1 so half-transparent floaters either vanish or commit.
 *           dH/do = -o * sigma(o) (1 - sigma(o)).
 * s = exp(logScale). Gradients flow to the largest and smallest log-scale.
 */
export interface ShapeRegParams {
  wRatio: number;
  maxRatio: number;
  wHuge: number;
  maxScale: number;
  wOpacity: number;
}

export function shapeRegRef(
  logScales: ArrayLike<number>,
  opacityLogits: ArrayLike<number>,
  prm: ShapeRegParams,
): { loss: number; vLogScales: Float64Array; vOpacityLogits: Float64Array } {
  const N = opacityLogits.length;
  const vLogScales = new Float64Array(N * 3);
  const vOpacityLogits = new Float64Array(N);
  let loss = 0;
  const inv = N > 0 ? 1 / N : 0;
  for (let i = 0; i < N; i++) {
    let amax = 0;
    let amin = 0;
    for (let a = 1; a < 3; a++) {
      if (logScales[i * 3 + a] > logScales[i * 3 + amax]) amax = a;
      if (logScales[i * 3 + a] < logScales[i * 3 + amin]) amin = a;
    }
    const lmax = logScales[i * 3 + amax];
    const lmin = logScales[i * 3 + amin];
    const ratio = Math.exp(lmax - lmin);
    if (ratio > prm.maxRatio) {
      loss += inv * prm.wRatio * (ratio - prm.maxRatio);
      vLogScales[i * 3 + amax] += inv * prm.wRatio * ratio;
      vLogScales[i * 3 + amin] -= inv * prm.wRatio * ratio;
    }
    const smax = Math.exp(lmax);
    if (smax > prm.maxScale) {
      const d = smax - prm.maxScale;
      loss += inv * prm.wHuge * d * d;
      vLogScales[i * 3 + amax] += inv * prm.wHuge * 2 * d * smax;
    }
    const o = opacityLogits[i];
    const s = 1 / (1 + Math.exp(-o));
    const H = s > 0 && s < 1 ? -(s * Math.log(s) + (1 - s) * Math.log(1 - s)) : 0;
    loss += inv * prm.wOpacity * H;
    vOpacityLogits[i] = -inv * prm.wOpacity * o * s * (1 - s);
  }
  return { loss, vLogScales, vOpacityLogits };
}
