/**
 * Robust scale-and-shift alignment of monocular depth to metric-consistent depth
 * (confident MVS pixels and/or sparse SfM points).
 *
 * Relative models predict affine-invariant INVERSE depth, so the fit y = s x + t is done
 * in inverse-depth space (x = prediction, y = 1 / target depth). Metric models predict
 * depth up to a global error; the same affine fit is done in depth space.
 *
 * Robustness: least median of squares over random 2-point hypotheses (tolerates up to
 * half outliers without a threshold), then the robust scale sigma = 1.4826 x median
 * |residual| sets the inlier band (2.5 sigma), then iteratively reweighted least squares
 * with Tukey biweights on that band refines (s, t).
 */
import type { Camera } from '../splat/camera.js';
import type { DepthMap } from './types.js';
import { mulberry32 } from '../math/random.js';

export type MonoOutputKind = 'relative-inverse-depth' | 'metric-depth';

export interface FitOptions {
  /** Random 2-point hypotheses (default 300). */
  hypotheses?: number;
  /** IRLS iterations (default 10). */
  irlsIterations?: number;
  seed?: number;
}

export interface LineFit {
  scale: number;
  shift: number;
  /** Robust residual scale (1.4826 x MAD) in the fit space. */
  sigma: number;
  /** inliers: [N] 1 within 2.5 sigma of the final fit */
  inliers: Uint8Array;
  inlierFraction: number;
  /** Median absolute residual over inliers, fit space. */
  medianAbsResidual: number;
}

/** Robust fit of y ~ scale * x + shift (see file comment). Needs >= 2 samples with distinct x. */
export function fitScaleShift(x: ArrayLike<number>, y: ArrayLike<number>, opts: FitOptions = {}): LineFit {
  const n = x.length;
  if (n !== y.length) throw new Error(`alignment: ${n} predictions but ${y.length} targets`);
  if (n < 2) throw new Error(`alignment needs at least 2 samples, got ${n}`);
  const rand = mulberry32(opts.seed ?? 1);
  const res = new Float64Array(n);
  const medAbs = (s: number, t: number) => {
    for (let i = 0; i < n; i++) res[i] = Math.abs(s * x[i] + t - y[i]);
    return quickMedian(res);
  };
  // 1. Least median of squares, scored on at most 4000 samples (the median of a random
  // subset estimates the full median well; sorting all pixels 300 times would not pay).
  const sub = n <= 4000 ? Uint32Array.from({ length: n }, (_, i) => i) : Uint32Array.from({ length: 4000 }, () => Math.floor(rand() * n));
  const subRes = new Float64Array(sub.length);
  const subMedAbs = (s: number, t: number) => {
    for (let k = 0; k < sub.length; k++) subRes[k] = Math.abs(s * x[sub[k]] + t - y[sub[k]]);
    return quickMedian(subRes);
  };
  let best = { s: 1, t: 0, med: Infinity };
  const tries = opts.hypotheses ?? 300;
  for (let k = 0; k < tries; k++) {
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    const dx = x[j] - x[i];
    if (i === j || Math.abs(dx) < 1e-12) continue;
    const s = (y[j] - y[i]) / dx;
    const t = y[i] - s * x[i];
    const med = subMedAbs(s, t);
    if (med < best.med) best = { s, t, med };
  }
  if (!Number.isFinite(best.med)) throw new Error('alignment: all predictions are equal; cannot fit a scale');
  // 2. IRLS with Tukey biweights, c = 4.685 sigma (95% efficiency under Gaussian noise).
  let { s, t } = best;
  // Floor on sigma: inputs are float32, so noise-free data still scatters ~1e-7 relative.
  const sigmaFloor = 1e-6 * quickMedian(Float64Array.from({ length: n }, (_, i) => Math.abs(y[i]))) + 1e-12;
  let sigma = Math.max(1.4826 * medAbs(s, t), sigmaFloor);
  for (let it = 0; it < (opts.irlsIterations ?? 10); it++) {
    let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    const c = 4.685 * sigma;
    for (let i = 0; i < n; i++) {
      const r = (s * x[i] + t - y[i]) / c;
      if (Math.abs(r) >= 1) continue;
      const w = (1 - r * r) ** 2;
      sw += w; sx += w * x[i]; sy += w * y[i]; sxx += w * x[i] * x[i]; sxy += w * x[i] * y[i];
    }
    const det = sw * sxx - sx * sx;
    if (sw <= 0 || Math.abs(det) < 1e-300) break;
    s = (sw * sxy - sx * sy) / det;
    t = (sy - s * sx) / sw;
    sigma = Math.max(1.4826 * medAbs(s, t), sigmaFloor);
  }
  const inliers = new Uint8Array(n);
  const inRes: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.abs(s * x[i] + t - y[i]);
    if (r <= 2.5 * sigma) {
      inliers[i] = 1;
      inRes.push(r);
    }
  }
  return { scale: s, shift: t, sigma, inliers, inlierFraction: inRes.length / n, medianAbsResidual: quickMedian(Float64Array.from(inRes)) };
}

/** Metric targets for one view: pixel indices and z-depths. */
export interface DepthTargets {
  pixels: Uint32Array;
  depth: Float32Array;
}

/** Confident pixels of an MVS depth map as targets (hole-filled pixels excluded). */
export function targetsFromDepthMap(map: DepthMap, minConfidence = 1e-6): DepthTargets {
  const pixels: number[] = [];
  const depth: number[] = [];
  for (let p = 0; p < map.depth.length; p++) {
    if (map.confidence[p] >= minConfidence && map.depth[p] > 0 && !map.filled[p]) {
      pixels.push(p);
      depth.push(map.depth[p]);
    }
  }
  return { pixels: Uint32Array.from(pixels), depth: Float32Array.from(depth) };
}

/** Sparse world points (xyz: [N, 3]) seen by `camera` as targets at their pixels. */
export function targetsFromPoints(camera: Camera, xyz: ArrayLike<number>): DepthTargets {
  const pixels: number[] = [];
  const depth: number[] = [];
  const { R, t } = camera;
  for (let i = 0; i + 2 < xyz.length; i += 3) {
    const X = xyz[i], Y = xyz[i + 1], Z = xyz[i + 2];
    const z = R[6] * X + R[7] * Y + R[8] * Z + t[2];
    if (!(z > 0)) continue;
    const u = (camera.fx * (R[0] * X + R[1] * Y + R[2] * Z + t[0])) / z + camera.cx;
    const v = (camera.fy * (R[3] * X + R[4] * Y + R[5] * Z + t[1])) / z + camera.cy;
    if (u < 0 || v < 0 || u >= camera.width || v >= camera.height) continue;
    pixels.push(Math.floor(v) * camera.width + Math.floor(u));
    depth.push(z);
  }
  return { pixels: Uint32Array.from(pixels), depth: Float32Array.from(depth) };
}

export interface AlignmentReport {
  kind: MonoOutputKind;
  space: 'inverse-depth' | 'depth';
  scale: number;
  shift: number;
  samples: number;
  inlierFraction: number;
  /** Median |residual| over inliers in the fit space. */
  medianAbsResidual: number;
  /** Median |aligned depth - target| / target over inliers. */
  medianRelDepthError: number;
}

/**
 * Align a monocular prediction ([H, W], model units) to metric targets. Returns the
 * aligned z-depth [H, W] (0 where the aligned inverse depth is not positive) and the report.
 */
export function alignMonoDepth(prediction: Float32Array, kind: MonoOutputKind, targets: DepthTargets, opts: FitOptions = {}): { depth: Float32Array; report: AlignmentReport } {
  const inverse = kind === 'relative-inverse-depth';
  const n = targets.pixels.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = prediction[targets.pixels[i]];
    y[i] = inverse ? 1 / targets.depth[i] : targets.depth[i];
  }
  const fit = fitScaleShift(x, y, opts);
  const depth = new Float32Array(prediction.length);
  for (let p = 0; p < prediction.length; p++) {
    const v = fit.scale * prediction[p] + fit.shift;
    depth[p] = inverse ? (v > 0 ? 1 / v : 0) : Math.max(v, 0);
  }
  const rel: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!fit.inliers[i]) continue;
    const d = depth[targets.pixels[i]];
    rel.push(Math.abs(d - targets.depth[i]) / targets.depth[i]);
  }
  return {
    depth,
    report: {
      kind,
      space: inverse ? 'inverse-depth' : 'depth',
      scale: fit.scale,
      shift: fit.shift,
      samples: n,
      inlierFraction: fit.inlierFraction,
      medianAbsResidual: fit.medianAbsResidual,
      medianRelDepthError: quickMedian(Float64Array.from(rel)),
    },
  };
}

/** Median of a copy (NaN for empty input). */
function quickMedian(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  const a = Float64Array.from(values).sort();
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]);
}
