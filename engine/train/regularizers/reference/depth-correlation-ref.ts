/**
 * Float64 reference of the depth-correlation regularizer (FSGS / SparseGS):
 *
 *   L = wGlobal * (1 - rho(all valid pixels)) + wPatch * mean_p (1 - rho(pixels of patch p))
 *
 * rho is Pearson's correlation between the rendered depth r and the prior depth p,
 * so the prior only has to be right up to an affine map (scale and shift).
 * Patches are PATCH x PATCH squares of a grid shifted by (offsetX, offsetY) — the
 * shift is drawn per step so patch borders move. A pixel is valid where the prior is
 * finite and > 0 (and its confidence, if given, > 0). Patches with fewer than
 * `minPixels` valid pixels or (near-)constant depth are skipped; so is the global
 * term when the whole image is.
 *
 *   d rho / d r_i = (p_i - p̄) / sqrt(Srr Spp) - rho (r_i - r̄) / Srr
 */
export const DEPTH_PATCH = 16;

export interface DepthCorrelationParams {
  width: number;
  height: number;
  wGlobal: number;
  wPatch: number;
  offsetX: number;
  offsetY: number;
  minPixels: number;
  /** Variance floor below which a patch counts as constant. */
  eps: number;
}

export interface Stats {
  n: number;
  sr: number;
  sp: number;
  srr: number;
  spp: number;
  srp: number;
}

export function patchOf(x: number, y: number, prm: DepthCorrelationParams): number {
  const px = Math.floor((x + prm.offsetX) / DEPTH_PATCH);
  const py = Math.floor((y + prm.offsetY) / DEPTH_PATCH);
  const patchesX = Math.ceil((prm.width + prm.offsetX) / DEPTH_PATCH);
  return py * patchesX + px;
}

export function patchCount(prm: DepthCorrelationParams): number {
  return Math.ceil((prm.width + prm.offsetX) / DEPTH_PATCH) * Math.ceil((prm.height + prm.offsetY) / DEPTH_PATCH);
}

function valid(prior: number, conf: number): boolean {
  return Number.isFinite(prior) && prior > 0 && conf > 0;
}

/** Pearson terms from centred sums; undefined when the set is too small or constant. */
export function pearson(s: Stats, minPixels: number, eps: number): { rho: number; Srr: number; Spp: number; rm: number; pm: number } | undefined {
  if (s.n < minPixels) return undefined;
  const rm = s.sr / s.n;
  const pm = s.sp / s.n;
  const Srr = s.srr - s.n * rm * rm;
  const Spp = s.spp - s.n * pm * pm;
  const Srp = s.srp - s.n * rm * pm;
  if (Srr <= eps * s.n || Spp <= eps * s.n) return undefined;
  return { rho: Srp / Math.sqrt(Srr * Spp), Srr, Spp, rm, pm };
}

export function depthCorrelationRef(
  rendered: ArrayLike<number>,
  prior: ArrayLike<number>,
  confidence: ArrayLike<number> | undefined,
  prm: DepthCorrelationParams,
): { loss: number; vRendered: Float64Array; globalRho: number; patchesUsed: number } {
  const { width: W, height: H } = prm;
  const P = patchCount(prm);
  const zero = (): Stats => ({ n: 0, sr: 0, sp: 0, srr: 0, spp: 0, srp: 0 });
  const patches = Array.from({ length: P }, zero);
  const all = zero();
  const add = (s: Stats, r: number, p: number) => {
    s.n++;
    s.sr += r;
    s.sp += p;
    s.srr += r * r;
    s.spp += p * p;
    s.srp += r * p;
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!valid(prior[i], confidence ? confidence[i] : 1)) continue;
      add(patches[patchOf(x, y, prm)], rendered[i], prior[i]);
      add(all, rendered[i], prior[i]);
    }
  const g = pearson(all, prm.minPixels, prm.eps);
  const per = patches.map((s) => pearson(s, prm.minPixels, prm.eps));
  const used = per.filter(Boolean).length;
  let loss = 0;
  if (g) loss += prm.wGlobal * (1 - g.rho);
  for (const q of per) if (q) loss += (prm.wPatch * (1 - q.rho)) / used;
  const vRendered = new Float64Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!valid(prior[i], confidence ? confidence[i] : 1)) continue;
      let v = 0;
      if (g) v -= prm.wGlobal * ((prior[i] - g.pm) / Math.sqrt(g.Srr * g.Spp) - (g.rho * (rendered[i] - g.rm)) / g.Srr);
      const q = per[patchOf(x, y, prm)];
      if (q) v -= (prm.wPatch / used) * ((prior[i] - q.pm) / Math.sqrt(q.Srr * q.Spp) - (q.rho * (rendered[i] - q.rm)) / q.Srr);
      vRendered[i] = v;
    }
  return { loss, vRendered, globalRho: g?.rho ?? Number.NaN, patchesUsed: used };
}
