/**
 * Nelder-Mead simplex minimisation (standard coefficients: reflection 1, expansion 2,
 * contraction 0.5, shrink 0.5), for the silhouette score, which has no useful gradient
 * at the working resolution (rendered silhouettes move in sub-pixel steps only through
 * the anti-aliased disc edges).
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  steps: number[],
  opts: { maxEvaluations?: number; tolerance?: number } = {},
): { x: number[]; value: number; evaluations: number } {
  const n = x0.length;
  const maxEval = opts.maxEvaluations ?? 200;
  const tol = opts.tolerance ?? 1e-5;
  let evaluations = 0;
  const evalAt = (x: number[]) => {
    evaluations++;
    return f(x);
  };
  const simplex = [x0.slice(), ...steps.map((s, i) => x0.map((v, k) => (k === i ? v + s : v)))];
  const values = simplex.map(evalAt);
  const along = (a: number[], b: number[], t: number) => a.map((v, k) => v + t * (b[k] - v));
  while (evaluations < maxEval) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const xs = order.map((i) => simplex[i]);
    const vs = order.map((i) => values[i]);
    for (let i = 0; i <= n; i++) {
      simplex[i] = xs[i];
      values[i] = vs[i];
    }
    if (values[n] - values[0] <= tol) break;
    const centroid = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] += simplex[i][k] / n;
    const worst = simplex[n];
    const xr = along(centroid, worst, -1);
    const fr = evalAt(xr);
    if (fr < values[0]) {
      const xe = along(centroid, worst, -2);
      const fe = evalAt(xe);
      if (fe < fr) {
        simplex[n] = xe;
        values[n] = fe;
      } else {
        simplex[n] = xr;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]) {
      simplex[n] = xr;
      values[n] = fr;
    } else {
      // Contract towards the better of the worst point and its reflection.
      const outside = fr < values[n];
      const xc = along(centroid, outside ? xr : worst, 0.5);
      const fc = evalAt(xc);
      if (fc < (outside ? fr : values[n])) {
        simplex[n] = xc;
        values[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = along(simplex[0], simplex[i], 0.5);
          values[i] = evalAt(simplex[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[best]) best = i;
  return { x: simplex[best], value: values[best], evaluations };
}
