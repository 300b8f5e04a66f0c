/**
 * XFeat outputs -> keypoints, following the reference `XFeat.detectAndCompute`
 * (verlab/accelerated_features, modules/xfeat.py). The ONNX export stops at the raw
 * heads, so NMS, top-k and descriptor sampling/normalization all happen here:
 *   1. keypoint logits [65, h, w] -> softmax over the 65 channels, drop the dustbin,
 *      unfold each cell's 64 channels (channel = dy*8+dx) into a full-res heatmap [8h, 8w];
 *   2. NMS: a pixel is a keypoint if it equals the max of its 5x5 neighbourhood and
 *      exceeds 0.05 (the reference's defaults);
 *   3. score = heatmap(nearest) * reliability(bilinear); keep the top-k by score;
 *   4. descriptor = dense features [64, h, w] sampled bicubically at the keypoint, then
 *      L2-normalized (the reference normalizes the dense map and the samples; the
 *      second normalization makes the first redundant for the sampled vectors).
 * Sampling maps a full-res pixel centre u to the 1/8 grid as u/8 - 0.5 (exact geometry;
 * the reference's grid_sample normalization differs from this by under 0.07 cells).
 */
import type { Keypoints } from './features.js';
import { modelToOriginal, type Letterbox } from './xfeat-preprocess.js';

export interface XFeatRawOutputs {
  /** [64, gh, gw] dense descriptors */
  feats: Float32Array;
  /** [65, gh, gw] keypoint logits */
  logits: Float32Array;
  /** [gh, gw] reliability after sigmoid */
  reliability: Float32Array;
  gridH: number;
  gridW: number;
  descriptorDim: number;
}

export interface XFeatPostOptions {
  maxKeypoints: number;
  /** Minimum heatmap probability for a keypoint (reference: 0.05). */
  detectionThreshold?: number;
  /** NMS window side in pixels (reference: 5). */
  nmsSize?: number;
  /** Keypoints closer than this (model pixels) to the letterbox edge are dropped: the
   *  step edge between photo and padding is not scene structure. */
  borderMargin?: number;
}

/** [gh*8, gw*8] keypoint probability: softmax over 65 channels, dustbin dropped, cells unfolded. */
export function keypointHeatmap(logits: Float32Array, gh: number, gw: number): Float32Array {
  const W = gw * 8;
  const heat = new Float32Array(gh * 8 * W);
  const plane = gh * gw;
  for (let cy = 0; cy < gh; cy++) {
    for (let cx = 0; cx < gw; cx++) {
      const cell = cy * gw + cx;
      let max = -Infinity;
      for (let c = 0; c < 65; c++) max = Math.max(max, logits[c * plane + cell]);
      let sum = 0;
      for (let c = 0; c < 65; c++) sum += Math.exp(logits[c * plane + cell] - max);
      for (let c = 0; c < 64; c++) {
        const dy = c >> 3;
        const dx = c & 7;
        heat[(cy * 8 + dy) * W + cx * 8 + dx] = Math.exp(logits[c * plane + cell] - max) / sum;
      }
    }
  }
  return heat;
}

/**
 * Local maxima of `heat` [H, W] over a size x size window that exceed `threshold`,
 * restricted to the region [x0, x1) x [y0, y1). Returns [K, 2] integer pixel indices.
 */
export function nmsPeaks(
  heat: Float32Array,
  H: number,
  W: number,
  size: number,
  threshold: number,
  region = { x0: 0, y0: 0, x1: W, y1: H },
): Int32Array {
  const r = size >> 1;
  // Separable max filter (rows, then columns); out-of-image counts as -inf like max-pool padding.
  const rowMax = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let m = -Infinity;
      for (let k = Math.max(0, x - r); k <= Math.min(W - 1, x + r); k++) m = Math.max(m, heat[y * W + k]);
      rowMax[y * W + x] = m;
    }
  }
  const out: number[] = [];
  for (let y = Math.max(0, region.y0); y < Math.min(H, region.y1); y++) {
    for (let x = Math.max(0, region.x0); x < Math.min(W, region.x1); x++) {
      const v = heat[y * W + x];
      if (!(v > threshold)) continue;
      let m = -Infinity;
      for (let k = Math.max(0, y - r); k <= Math.min(H - 1, y + r); k++) m = Math.max(m, rowMax[k * W + x]);
      if (v === m) out.push(x, y);
    }
  }
  return Int32Array.from(out);
}

/** Bilinear sample of a single-channel map [h, w] at grid coordinates (gx, gy), edge-clamped. */
export function sampleBilinear(map: Float32Array, h: number, w: number, gx: number, gy: number): number {
  const x = Math.min(Math.max(gx, 0), w - 1);
  const y = Math.min(Math.max(gy, 0), h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = x - x0;
  const fy = y - y0;
  return (
    (1 - fy) * ((1 - fx) * map[y0 * w + x0] + fx * map[y0 * w + x1]) + fy * ((1 - fx) * map[y1 * w + x0] + fx * map[y1 * w + x1])
  );
}

/** Keys' cubic convolution weights with A = -0.75 (PyTorch's bicubic) for fractional offset t. */
function cubicWeights(t: number): [number, number, number, number] {
  const A = -0.75;
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** Bicubic sample of every channel of `map` [C, h, w] at (gx, gy) into out[0..C). Taps outside are zero (grid_sample's padding). */
export function sampleBicubic(map: Float32Array, C: number, h: number, w: number, gx: number, gy: number, out: Float32Array, outOffset = 0): void {
  const ix = Math.floor(gx);
  const iy = Math.floor(gy);
  const wx = cubicWeights(gx - ix);
  const wy = cubicWeights(gy - iy);
  const plane = h * w;
  for (let c = 0; c < C; c++) out[outOffset + c] = 0;
  for (let j = 0; j < 4; j++) {
    const y = iy - 1 + j;
    if (y < 0 || y >= h) continue;
    for (let i = 0; i < 4; i++) {
      const x = ix - 1 + i;
      if (x < 0 || x >= w) continue;
      const wgt = wx[i] * wy[j];
      const base = y * w + x;
      for (let c = 0; c < C; c++) out[outOffset + c] += wgt * map[c * plane + base];
    }
  }
}

/** Raw network outputs + letterbox -> Keypoints in the original image, best first. */
export function xfeatPostprocess(raw: XFeatRawOutputs, box: Letterbox, opts: XFeatPostOptions): Keypoints {
  const { gridH: gh, gridW: gw, descriptorDim: D } = raw;
  const H = gh * 8;
  const W = gw * 8;
  const heat = keypointHeatmap(raw.logits, gh, gw);
  const margin = opts.borderMargin ?? 4;
  const peaks = nmsPeaks(heat, H, W, opts.nmsSize ?? 5, opts.detectionThreshold ?? 0.05, {
    x0: Math.ceil(box.offsetX + margin),
    y0: Math.ceil(box.offsetY + margin),
    x1: Math.floor(box.offsetX + box.innerWidth - margin),
    y1: Math.floor(box.offsetY + box.innerHeight - margin),
  });
  const n = peaks.length / 2;
  const scores = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const px = peaks[2 * k];
    const py = peaks[2 * k + 1];
    // Pixel centre (px + 0.5) on the 1/8 grid: (px + 0.5) / 8 - 0.5.
    scores[k] = heat[py * W + px] * sampleBilinear(raw.reliability, gh, gw, (px + 0.5) / 8 - 0.5, (py + 0.5) / 8 - 0.5);
  }
  const order = Array.from({ length: n }, (_, k) => k)
    .filter((k) => scores[k] > 0)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, opts.maxKeypoints);
  const K = order.length;
  const xy = new Float32Array(2 * K);
  const outScores = new Float32Array(K);
  const desc = new Float32Array(K * D);
  for (let r = 0; r < K; r++) {
    const k = order[r];
    const mx = peaks[2 * k] + 0.5;
    const my = peaks[2 * k + 1] + 0.5;
    const [ox, oy] = modelToOriginal(box, mx, my);
    xy[2 * r] = ox;
    xy[2 * r + 1] = oy;
    outScores[r] = scores[k];
    sampleBicubic(raw.feats, D, gh, gw, mx / 8 - 0.5, my / 8 - 0.5, desc, r * D);
    let norm = 0;
    for (let c = 0; c < D; c++) norm += desc[r * D + c] * desc[r * D + c];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < D; c++) desc[r * D + c] *= inv;
  }
  return { width: box.width, height: box.height, xy, scores: outScores, descriptors: desc, descriptorDim: D, descriptorKind: 'float' };
}
