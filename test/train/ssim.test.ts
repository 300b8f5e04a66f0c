import { describe, expect, it } from 'vitest';
import {
  blur2dDirectRef,
  blurRef,
  psnr,
  ssimL1LossBackwardRef,
  ssimL1LossRef,
  ssimRef,
} from '../../engine/train/reference/ssim-ref.js';
import { createStorage, readF32, uploadStorage } from '../../engine/gpu/buffers.js';
import { SsimL1Loss } from '../../engine/train/ssim.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

/** A smooth-ish random image [H, W, 3] in [0, 1]: a blurred pattern plus noise, like a render. */
function randomImage(width: number, height: number, seed: number, noise = 0.2): Float64Array {
  const rand = rng(seed);
  const img = new Float64Array(width * height * 3);
  const fx = 1 + rand() * 3;
  const fy = 1 + rand() * 3;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const base = 0.5 + 0.3 * Math.sin((fx * x) / width * 6.28 + c) * Math.cos((fy * y) / height * 6.28);
        img[(y * width + x) * 3 + c] = Math.min(1, Math.max(0, base + noise * (rand() - 0.5)));
      }
  return img;
}

describe('SSIM + L1 reference', () => {
  it('separable blur equals the direct 11x11 window (zero padding)', () => {
    const img = randomImage(23, 17, 1);
    // Same sums in a different order: float64 rounding only.
    expectAllClose('blur', blurRef(img, 23, 17), blur2dDirectRef(img, 23, 17), 1e-14, 1e-12);
  });

  it('SSIM is 1 for identical images and lower for different ones', () => {
    const a = randomImage(20, 16, 2);
    const b = randomImage(20, 16, 3);
    expect(ssimRef(a, a, 20, 16)).toBeCloseTo(1, 12);
    expect(ssimRef(a, b, 20, 16)).toBeLessThan(0.9);
    expect(psnr(a, a)).toBe(Infinity);
    // 0.1 everywhere: MSE 0.01 -> 20 dB.
    expect(psnr(new Float64Array(12).fill(0.1), new Float64Array(12))).toBeCloseTo(20, 10);
  });

  it('backward matches central finite differences of the loss', () => {
    const [w, h] = [14, 12];
    const x = randomImage(w, h, 4);
    const y = randomImage(w, h, 5);
    const grad = ssimL1LossBackwardRef(x, y, w, h);
    const rand = rng(6);
    const eps = 1e-6;
    const fd: number[] = [];
    const an: number[] = [];
    for (let s = 0; s < 60; s++) {
      const i = Math.floor(rand() * x.length);
      if (Math.abs(x[i] - y[i]) < 10 * eps) continue; // L1 kink: no derivative there
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[i] += eps;
      xm[i] -= eps;
      fd.push((ssimL1LossRef(xp, y, w, h).loss - ssimL1LossRef(xm, y, w, h).loss) / (2 * eps));
      an.push(grad[i]);
    }
    expect(fd.length).toBeGreaterThan(40);
    // Gradients are ~1/N = 2e-3; central differences with eps 1e-6 in float64 are good to ~1e-9.
    expectAllClose('vRendered vs FD', an, fd, 1e-8, 1e-5);
  });

  it('weighted backward matches finite differences; weights of 1 change nothing', () => {
    const [w, h] = [12, 10];
    const x = randomImage(w, h, 14);
    const y = randomImage(w, h, 15);
    const rand = rng(16);
    const weights = Float64Array.from({ length: w * h }, () => (rand() < 0.3 ? 0 : rand()));
    const grad = ssimL1LossBackwardRef(x, y, w, h, 0.2, weights);
    const eps = 1e-6;
    const fd: number[] = [];
    const an: number[] = [];
    for (let i = 0; i < x.length; i += 3) {
      if (Math.abs(x[i] - y[i]) < 10 * eps) continue; // L1 kink
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[i] += eps;
      xm[i] -= eps;
      fd.push((ssimL1LossRef(xp, y, w, h, 0.2, weights).loss - ssimL1LossRef(xm, y, w, h, 0.2, weights).loss) / (2 * eps));
      an.push(grad[i]);
    }
    // Zero-weight pixels still get SSIM gradient through their neighbours' windows.
    expectAllClose('weighted vRendered vs FD', an, fd, 1e-8, 1e-5);
    const ones = new Float64Array(w * h).fill(1);
    expect(ssimL1LossRef(x, y, w, h, 0.2, ones).loss).toBeCloseTo(ssimL1LossRef(x, y, w, h).loss, 14);
    expectAllClose('ones', ssimL1LossBackwardRef(x, y, w, h, 0.2, ones), ssimL1LossBackwardRef(x, y, w, h), 1e-18, 1e-12);
  });

  it('backward of the SSIM term alone (lambda = 1) matches finite differences near borders too', () => {
    const [w, h] = [9, 13]; // smaller than the window in x: every pixel sees the zero padding
    const x = randomImage(w, h, 7);
    const y = randomImage(w, h, 8);
    const grad = ssimL1LossBackwardRef(x, y, w, h, 1);
    const eps = 1e-6;
    const fd: number[] = [];
    for (let i = 0; i < x.length; i++) {
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[i] += eps;
      xm[i] -= eps;
      fd.push((ssimL1LossRef(xp, y, w, h, 1).loss - ssimL1LossRef(xm, y, w, h, 1).loss) / (2 * eps));
    }
    expectAllClose('vRendered (SSIM only) vs FD', grad, fd, 1e-8, 1e-5);
  });
});

describe('SsimL1Loss (GPU) vs the float64 reference', () => {
  async function runGpu(x: Float64Array, y: Float64Array, w: number, h: number, backward = true, weights?: Float64Array) {
    const gpu = await testGpu();
    const loss = new SsimL1Loss(gpu, w, h);
    const r = uploadStorage(gpu, Float32Array.from(x));
    const t = uploadStorage(gpu, Float32Array.from(y));
    const wb = weights ? uploadStorage(gpu, Float32Array.from(weights)) : undefined;
    const v = createStorage(gpu, x.length * 4);
    const out = createStorage(gpu, 16);
    const enc = gpu.device.createCommandEncoder();
    if (backward) loss.encodeForwardBackward(enc, r, t, v, out, wb);
    else loss.encodeForward(enc, r, t, out, wb);
    gpu.device.queue.submit([enc.finish()]);
    const values = await readF32(gpu, out, 3);
    const grad = await readF32(gpu, v, x.length);
    loss.dispose();
    for (const b of [r, t, v, out, wb]) b?.destroy();
    return { values, grad };
  }

  for (const [w, h] of [[64, 48], [37, 21], [5, 3]] as const) {
    it(`forward and backward match on random ${w}x${h} images`, async () => {
      // Reference on the f32-rounded inputs the GPU sees.
      const x = Float64Array.from(Float32Array.from(randomImage(w, h, 10 + w)));
      const y = Float64Array.from(Float32Array.from(randomImage(w, h, 20 + w, 0.5)));
      const ref = ssimL1LossRef(x, y, w, h);
      const refGrad = ssimL1LossBackwardRef(x, y, w, h);
      const { values, grad } = await runGpu(x, y, w, h);
      // f32 moments and f32 sums over 3HW terms: measured ~1e-7 relative on llvmpipe; 10x margin.
      expectAllClose('loss, l1, ssim', values, [ref.loss, ref.l1, ref.ssim], 1e-6, 1e-6);
      // Gradients are ~1/N (N = 3HW), so atol scales with the largest one. The SSIM partials divide by
      // (sigma² + C2) >= C2 = 9e-4, which amplifies f32 error in E[x²] - mu²; measured within
      // 1e-6 of max here, 1e-5 leaves room for flatter images / other adapters.
      let max = 0;
      for (const g of refGrad) max = Math.max(max, Math.abs(g));
      expectAllClose('vRendered', grad, refGrad, 1e-5 * max, 1e-4);
    });
  }

  it('per-pixel weights (a mask with soft edges) match the reference', async () => {
    const [w, h] = [40, 30];
    const x = Float64Array.from(Float32Array.from(randomImage(w, h, 41)));
    const y = Float64Array.from(Float32Array.from(randomImage(w, h, 42, 0.5)));
    // A disc of weight 1 fading to 0: f32-exact values so the reference sees what the GPU sees.
    const weights = Float64Array.from(
      Float32Array.from({ length: w * h }, (_v, p) => Math.min(1, Math.max(0, 12 - Math.hypot((p % w) - 20, Math.floor(p / w) - 15)) / 4)),
    );
    const ref = ssimL1LossRef(x, y, w, h, 0.2, weights);
    const refGrad = ssimL1LossBackwardRef(x, y, w, h, 0.2, weights);
    const { values, grad } = await runGpu(x, y, w, h, true, weights);
    // Same budgets as the unweighted case (the weights are exact in f32).
    expectAllClose('weighted loss, l1, ssim', values, [ref.loss, ref.l1, ref.ssim], 1e-6, 1e-6);
    let max = 0;
    for (const g of refGrad) max = Math.max(max, Math.abs(g));
    expectAllClose('weighted vRendered', grad, refGrad, 1e-5 * max, 1e-4);
    // The mask matters: the unweighted loss differs.
    expect(Math.abs(ssimL1LossRef(x, y, w, h).loss - ref.loss)).toBeGreaterThan(1e-3);
  });

  it('all-zero weights give loss 0, SSIM 1 and a zero gradient (no NaN)', async () => {
    const [w, h] = [17, 9];
    const x = Float64Array.from(Float32Array.from(randomImage(w, h, 51)));
    const y = Float64Array.from(Float32Array.from(randomImage(w, h, 52)));
    const { values, grad } = await runGpu(x, y, w, h, true, new Float64Array(w * h));
    expectAllClose('zero-weight loss', values, [0, 0, 1], 0, 0);
    expectAllClose('zero-weight grad', grad, new Float64Array(x.length), 0, 0);
  });

  it('forward-only gives the same loss, and identical images give loss 0 and SSIM 1', async () => {
    const [w, h] = [20, 18];
    const x = Float64Array.from(Float32Array.from(randomImage(w, h, 31)));
    const { values } = await runGpu(x, x, w, h, false);
    expectAllClose('identical', values, [0, 0, 1], 1e-6, 0);
  });
});
