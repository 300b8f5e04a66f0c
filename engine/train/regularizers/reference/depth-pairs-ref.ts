/**
 * Float64 references of two pairwise depth regularizers on the rendered depth r [H, W]:
 *
 * Relative (ordinal) depth guidance — RDG-GS / SparseNeRF style: only the ORDER of the
 * prior depth p is trusted. For each pixel q and each offset o_k of this step (drawn
 * per step, shared by all pixels), with j = q + o_k inside the image and both priors valid:
 *   if p_q < p_j (1 - tau):  loss += w/n * max(0, r_q - r_j + margin)   (q should be in front)
 *   if p_j < p_q (1 - tau):  loss += w/n * max(0, r_j - r_q + margin)
 * where n = sum_k (W - |dx_k|)(H - |dy_k|) counts the in-image pairs (a constant of the
 * image size and offsets, so the GPU needs no counting pass).
 *
 * Edge-aware smoothness: loss = w/n * sum over horizontal and vertical neighbours of
 *   |r_a - r_b| * exp(-gamma * mean_c |I_a,c - I_b,c|)
 * so depth may jump where the photo has an edge.
 */
export function ordinalDepthRef(
  rendered: ArrayLike<number>,
  prior: ArrayLike<number>,
  W: number,
  H: number,
  offsets: [number, number][],
  prm: { weight: number; tau: number; margin: number },
): { loss: number; vRendered: Float64Array; pairs: number } {
  const v = new Float64Array(W * H);
  const ok = (i: number) => Number.isFinite(prior[i]) && prior[i] > 0;
  const terms: [number, number][] = []; // (front, back)
  let n = 0;
  for (const [dx, dy] of offsets) n += Math.max(0, W - Math.abs(dx)) * Math.max(0, H - Math.abs(dy));
  for (const [dx, dy] of offsets)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const xj = x + dx;
        const yj = y + dy;
        if (xj < 0 || yj < 0 || xj >= W || yj >= H) continue;
        const q = y * W + x;
        const j = yj * W + xj;
        if (!ok(q) || !ok(j)) continue;
        if (prior[q] < prior[j] * (1 - prm.tau)) terms.push([q, j]);
        else if (prior[j] < prior[q] * (1 - prm.tau)) terms.push([j, q]);
      }
  let loss = 0;
  for (const [a, b] of terms) {
    const h = rendered[a] - rendered[b] + prm.margin;
    if (h > 0) {
      loss += (prm.weight / n) * h;
      v[a] += prm.weight / n;
      v[b] -= prm.weight / n;
    }
  }
  return { loss, vRendered: v, pairs: n };
}

export function edgeAwareSmoothnessRef(
  rendered: ArrayLike<number>,
  image: ArrayLike<number>,
  W: number,
  H: number,
  prm: { weight: number; gamma: number },
): { loss: number; vRendered: Float64Array } {
  const v = new Float64Array(W * H);
  const n = (W - 1) * H + W * (H - 1);
  let loss = 0;
  const edge = (a: number, b: number) => {
    let g = 0;
    for (let c = 0; c < 3; c++) g += Math.abs(image[a * 3 + c] - image[b * 3 + c]);
    const wgt = (prm.weight / n) * Math.exp((-prm.gamma * g) / 3);
    const d = rendered[a] - rendered[b];
    loss += wgt * Math.abs(d);
    const s = Math.sign(d);
    v[a] += wgt * s;
    v[b] -= wgt * s;
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (x + 1 < W) edge(y * W + x, y * W + x + 1);
      if (y + 1 < H) edge(y * W + x, (y + 1) * W + x);
    }
  return { loss, vRendered: v };
}
