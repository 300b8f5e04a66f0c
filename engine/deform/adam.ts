/**
 * Adam on host float64 arrays, for the control-point fits (a few thousand parameters:
 * motion keyframes, edits). The trainer's GPU Adam is for Gaussians.
 */
export class HostAdam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    readonly params: Float64Array[],
    public lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-15,
  ) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  /** One update with `grads` shaped like `params`. */
  step(grads: ArrayLike<number>[]): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let g = 0; g < this.params.length; g++) {
      const p = this.params[g];
      const m = this.m[g];
      const v = this.v[g];
      const gr = grads[g];
      for (let i = 0; i < p.length; i++) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * gr[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * gr[i] * gr[i];
        p[i] -= (this.lr * m[i]) / c1 / (Math.sqrt(v[i] / c2) + this.eps);
      }
    }
  }
}
