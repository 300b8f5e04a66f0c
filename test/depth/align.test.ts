/** Robust scale-and-shift alignment recovers known parameters under heavy outliers. */
import { describe, expect, it } from 'vitest';
import { alignMonoDepth, fitScaleShift, targetsFromPoints } from '../../engine/depth/align.js';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';

describe('fitScaleShift', () => {
  it('recovers scale and shift with 30% gross outliers and small noise', () => {
    const rand = rng(3);
    const n = 2000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const outlier = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = rand() * 10;
      if (rand() < 0.3) {
        outlier[i] = 1;
        y[i] = 40 * rand() - 10; // uniform garbage over the whole target range
      } else y[i] = 2.5 * x[i] - 1.25 + 0.01 * gaussian(rand);
    }
    const fit = fitScaleShift(x, y);
    // Noise sigma 0.01 over 1400 inliers: standard error of the slope ~1e-4; 2e-3 is loose.
    expect(Math.abs(fit.scale - 2.5)).toBeLessThan(2e-3);
    expect(Math.abs(fit.shift + 1.25)).toBeLessThan(1e-2);
    expect(fit.sigma).toBeGreaterThan(0.005);
    expect(fit.sigma).toBeLessThan(0.02);
    // The inlier set is the clean set, except outliers that happen to land in the band.
    let wrong = 0;
    for (let i = 0; i < n; i++) if (!outlier[i] && !fit.inliers[i]) wrong++;
    expect(wrong / n).toBeLessThan(0.02);
    expect(fit.inlierFraction).toBeGreaterThan(0.68);
    expect(fit.inlierFraction).toBeLessThan(0.72);
  });

  it('plain least squares would fail the same data (the test discriminates)', () => {
    const rand = rng(4);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 500; i++) {
      x.push(rand());
      y.push(rand() < 0.3 ? 50 : 3 * x[i] + 1);
    }
    const mx = x.reduce((a, b) => a + b) / x.length;
    const my = y.reduce((a, b) => a + b) / y.length;
    let sxy = 0, sxx = 0;
    x.forEach((v, i) => { sxy += (v - mx) * (y[i] - my); sxx += (v - mx) ** 2; });
    const lsShift = my - (sxy / sxx) * mx;
    expect(Math.abs(lsShift - 1)).toBeGreaterThan(5);
    const fit = fitScaleShift(x, y);
    expect(fit.scale).toBeCloseTo(3, 6);
    expect(fit.shift).toBeCloseTo(1, 6);
  });

  it('rejects degenerate input with a clear message', () => {
    expect(() => fitScaleShift([1, 1, 1], [1, 2, 3])).toThrow(/all predictions are equal/);
    expect(() => fitScaleShift([1], [1])).toThrow(/at least 2/);
  });
});

describe('alignMonoDepth', () => {
  it('aligns relative inverse depth in inverse-depth space to sparse points', () => {
    const W = 40, H = 30;
    const cam = lookAtCamera([0, 0, -5], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 40, fy: 40 });
    const rand = rng(9);
    // Ground truth: a tilted plane; the "model" outputs 0.2 / depth + 0.05 (affine in inverse depth).
    const gtDepth = new Float32Array(W * H);
    const pred = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const d = 4 + 0.05 * x + 0.02 * y;
      gtDepth[y * W + x] = d;
      pred[y * W + x] = 0.2 / d + 0.05;
    }
    // Sparse points: unprojected ground truth at random pixels, 30% of them displaced.
    const xyz: number[] = [];
    let clean = 0;
    for (let k = 0; k < 300; k++) {
      const px = Math.floor(rand() * W), py = Math.floor(rand() * H);
      let d = gtDepth[py * W + px];
      if (rand() < 0.3) d *= rand() < 0.5 ? 0.5 + 0.4 * rand() : 1.1 + 0.4 * rand();
      else clean++;
      const xc = ((px + 0.5 - cam.cx) / cam.fx) * d, yc = ((py + 0.5 - cam.cy) / cam.fy) * d;
      // camera-to-world: X = R^T (x - t)
      const c = [xc - cam.t[0], yc - cam.t[1], d - cam.t[2]];
      xyz.push(
        cam.R[0] * c[0] + cam.R[3] * c[1] + cam.R[6] * c[2],
        cam.R[1] * c[0] + cam.R[4] * c[1] + cam.R[7] * c[2],
        cam.R[2] * c[0] + cam.R[5] * c[1] + cam.R[8] * c[2],
      );
    }
    const targets = targetsFromPoints(cam, xyz);
    expect(targets.pixels.length).toBe(300);
    const { depth, report } = alignMonoDepth(pred, 'relative-inverse-depth', targets);
    expect(report.space).toBe('inverse-depth');
    expect(report.scale).toBeCloseTo(1 / 0.2, 3);
    expect(report.shift).toBeCloseTo(-0.05 / 0.2, 3);
    let worst = 0;
    for (let p = 0; p < W * H; p++) worst = Math.max(worst, Math.abs(depth[p] - gtDepth[p]) / gtDepth[p]);
    expect(worst).toBeLessThan(1e-4);
    // Every clean point is an inlier; displaced points (>= 10% off) are not.
    expect(report.inlierFraction).toBeCloseTo(clean / 300, 6);
    expect(clean).toBeLessThan(240);
    expect(report.medianRelDepthError).toBeLessThan(1e-4);
  });
});
