/**
 * Float64 CPU reference of the training photometric loss and the evaluation metrics.
 *
 *   loss = (1 - λ)·L1 + λ·(1 - SSIM),  λ = 0.2
 *   L1   = mean |rendered - target| over H·W·3
 *   SSIM = mean over pixels and channels of the SSIM map with an 11x11 Gaussian window (σ = 1.5),
 *          C1 = 0.01², C2 = 0.03², computed like the 3DGS reference (`F.conv2d(..., padding=5)`):
 *          'same'-size output with ZERO-PADDED borders (the window is not renormalised at the edges).
 *
 * Images: [H, W, 3] f32/f64, row-major, channels interleaved, values nominally in [0, 1].
 * Plain loops, no tricks: the blur is the separable pair of 1-D passes (exact for a Gaussian);
 * `blur2dDirectRef` is the 121-tap version the tests check it against.
 */

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;
export const SSIM_LAMBDA = 0.2;

type Image = ArrayLike<number>;

/** Normalised 1-D Gaussian window: [SSIM_WINDOW] weights summing to 1. */
export function gaussianWindow(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += w[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) w[i] /= sum;
  return w;
}

/** Zero-padded 'same' Gaussian blur of a [H, W, 3] image, separable (rows, then columns). */
export function blurRef(img: Image, width: number, height: number): Float64Array {
  const w = gaussianWindow();
  const r = (SSIM_WINDOW - 1) / 2;
  const tmp = new Float64Array(width * height * 3);
  const out = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const xx = x + k;
          if (xx >= 0 && xx < width) s += w[k + r] * img[(y * width + xx) * 3 + c];
        }
        tmp[(y * width + x) * 3 + c] = s;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const yy = y + k;
          if (yy >= 0 && yy < height) s += w[k + r] * tmp[(yy * width + x) * 3 + c];
        }
        out[(y * width + x) * 3 + c] = s;
      }
  return out;
}

/** The same blur as a direct 11x11 correlation (slow; for checking blurRef). */
export function blur2dDirectRef(img: Image, width: number, height: number): Float64Array {
  const w = gaussianWindow();
  const r = (SSIM_WINDOW - 1) / 2;
  const out = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if (xx >= 0 && xx < width && yy >= 0 && yy < height) s += w[dy + r] * w[dx + r] * img[(yy * width + xx) * 3 + c];
          }
        out[(y * width + x) * 3 + c] = s;
      }
  return out;
}

function product(a: Image, b: Image): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

/** Local moments of a pair of images: blurred x, y, x², y², xy, each [H, W, 3]. */
function momentsRef(x: Image, y: Image, width: number, height: number) {
  return {
    mu1: blurRef(x, width, height),
    mu2: blurRef(y, width, height),
    e11: blurRef(product(x, x), width, height),
    e22: blurRef(product(y, y), width, height),
    e12: blurRef(product(x, y), width, height),
  };
}

/**
 * SSIM at one pixel/channel from local moments, and its partial derivatives with respect to
 * mu1, E[x²] and E[xy] (the quantities that depend on the first image).
 */
export function ssimPointRef(mu1: number, mu2: number, e11: number, e22: number, e12: number) {
  const s11 = e11 - mu1 * mu1;
  const s22 = e22 - mu2 * mu2;
  const s12 = e12 - mu1 * mu2;
  const a = 2 * mu1 * mu2 + SSIM_C1;
  const b = 2 * s12 + SSIM_C2;
  const c = mu1 * mu1 + mu2 * mu2 + SSIM_C1;
  const d = s11 + s22 + SSIM_C2;
  const s = (a * b) / (c * d);
  // dS/dmu1 through a (2 mu2), b (-2 mu2), c (2 mu1), d (-2 mu1); dS/dE11 through d; dS/dE12 through b.
  const dMu1 = (2 * mu2 * b - 2 * mu2 * a) / (c * d) - (s * (2 * mu1 * d - 2 * mu1 * c)) / (c * d);
  const dE11 = -s / d;
  const dE12 = (2 * a) / (c * d);
  return { s, dMu1, dE11, dE12 };
}

/** SSIM map [H, W, 3] (zero-padded borders, as in 3DGS). */
export function ssimMapRef(x: Image, y: Image, width: number, height: number): Float64Array {
  checkPair(x, y, width, height);
  const m = momentsRef(x, y, width, height);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = ssimPointRef(m.mu1[i], m.mu2[i], m.e11[i], m.e22[i], m.e12[i]).s;
  return out;
}

/** Mean SSIM over pixels and channels: the evaluation metric (also used on held-out views). */
export function ssimRef(x: Image, y: Image, width: number, height: number): number {
  const map = ssimMapRef(x, y, width, height);
  let sum = 0;
  for (let i = 0; i < map.length; i++) sum += map[i];
  return sum / map.length;
}

/** PSNR in dB for images in [0, 1] (peak 1); Infinity for identical images. */
export function psnr(x: Image, y: Image): number {
  if (x.length !== y.length) throw new Error(`psnr: image sizes differ (${x.length} vs ${y.length} values)`);
  let se = 0;
  for (let i = 0; i < x.length; i++) se += (x[i] - y[i]) ** 2;
  const mse = se / x.length;
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}

export interface SsimL1Value {
  loss: number;
  l1: number;
  ssim: number;
}

/**
 * loss = (1 - λ)·L1 + λ·(1 - SSIM) of `rendered` against `target`. With per-pixel `weights` [H, W]
 * L1 and SSIM are weighted means Σ_p w_p Σ_c (...) / (3 Σ_p w_p) (all-zero weights: L1 0, SSIM 1).
 */
export function ssimL1LossRef(
  rendered: Image,
  target: Image,
  width: number,
  height: number,
  lambda = SSIM_LAMBDA,
  weights?: ArrayLike<number>,
): SsimL1Value {
  checkPair(rendered, target, width, height, weights);
  const map = ssimMapRef(rendered, target, width, height);
  let sumS = 0;
  let sumL1 = 0;
  let sumW = 0;
  for (let p = 0; p < width * height; p++) {
    const w = weights ? weights[p] : 1;
    sumW += w;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      sumS += w * map[i];
      sumL1 += w * Math.abs(rendered[i] - target[i]);
    }
  }
  const l1 = sumW > 0 ? sumL1 / (3 * sumW) : 0;
  const ssim = sumW > 0 ? sumS / (3 * sumW) : 1;
  return { loss: (1 - lambda) * l1 + lambda * (1 - ssim), l1, ssim };
}

/**
 * dLoss/dRendered [H, W, 3] of ssimL1LossRef. With Z = 3 Σ w and S(p) the SSIM map,
 *   dSSIM/dx(q) = (1/Z) Σ_p w_p w(p - q) [∂S/∂mu1(p) + 2 x(q) ∂S/∂E11(p) + y(q) ∂S/∂E12(p)],
 * i.e. the transposed blur of the three weighted partial maps; with zero padding and a symmetric
 * window the transpose is the same blur. L1 contributes w_q sign(x - y)/Z (0 where x == y, like
 * torch.abs). The weights are constants (no gradient flows into them).
 */
export function ssimL1LossBackwardRef(
  rendered: Image,
  target: Image,
  width: number,
  height: number,
  lambda = SSIM_LAMBDA,
  weights?: ArrayLike<number>,
): Float64Array {
  checkPair(rendered, target, width, height, weights);
  const n = rendered.length;
  const weightOf = (i: number) => (weights ? weights[Math.floor(i / 3)] : 1);
  let sumW = 0;
  for (let p = 0; p < width * height; p++) sumW += weights ? weights[p] : 1;
  const vRendered = new Float64Array(n);
  if (!(sumW > 0)) return vRendered;
  const m = momentsRef(rendered, target, width, height);
  const gMu1 = new Float64Array(n);
  const gE11 = new Float64Array(n);
  const gE12 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = ssimPointRef(m.mu1[i], m.mu2[i], m.e11[i], m.e22[i], m.e12[i]);
    gMu1[i] = weightOf(i) * p.dMu1;
    gE11[i] = weightOf(i) * p.dE11;
    gE12[i] = weightOf(i) * p.dE12;
  }
  const bMu1 = blurRef(gMu1, width, height);
  const bE11 = blurRef(gE11, width, height);
  const bE12 = blurRef(gE12, width, height);
  const z = 3 * sumW;
  for (let i = 0; i < n; i++) {
    const dSsim = (bMu1[i] + 2 * rendered[i] * bE11[i] + target[i] * bE12[i]) / z;
    vRendered[i] = ((1 - lambda) * weightOf(i) * Math.sign(rendered[i] - target[i])) / z - lambda * dSsim;
  }
  return vRendered;
}

function checkPair(x: Image, y: Image, width: number, height: number, weights?: ArrayLike<number>): void {
  const n = width * height * 3;
  if (x.length !== n || y.length !== n) throw new Error(`ssim: images must be [${height}, ${width}, 3] (${n} values), got ${x.length} and ${y.length}`);
  if (weights && weights.length !== width * height) throw new Error(`ssim: weights must be [${height}, ${width}] (${width * height} values), got ${weights.length}`);
}
