/**
 * XFeat input preparation: the ONNX export has a FIXED square input (1x3x640x640), so
 * each upright photo (EXIF orientation already applied by decodeImage) is resized
 * keeping its aspect ratio until its long side fills the input, then padded
 * ("letterboxed"), centred. Portrait and landscape photos both fit without cropping.
 *
 * Coordinates are continuous pixel coordinates, pixel i covering [i, i+1):
 *   model = original * scale + offset,   original = (model - offset) / scale.
 */
import type { RgbaImage } from '../io/image.js';

export interface Letterbox {
  /** Side of the square model input in pixels. */
  size: number;
  /** Original (upright) image size. */
  width: number;
  height: number;
  /** Model pixels per original pixel. */
  scale: number;
  /** Where the resized image starts inside the model input (pixels). */
  offsetX: number;
  offsetY: number;
  /** Size of the resized image inside the model input (pixels). */
  innerWidth: number;
  innerHeight: number;
}

export function letterboxFor(width: number, height: number, size: number): Letterbox {
  const scale = size / Math.max(width, height);
  const innerWidth = Math.min(size, Math.round(width * scale));
  const innerHeight = Math.min(size, Math.round(height * scale));
  return {
    size,
    width,
    height,
    scale,
    offsetX: Math.floor((size - innerWidth) / 2),
    offsetY: Math.floor((size - innerHeight) / 2),
    innerWidth,
    innerHeight,
  };
}

/** Model-input coordinates -> original image coordinates (continuous pixels). */
export function modelToOriginal(box: Letterbox, mx: number, my: number): [number, number] {
  return [(mx - box.offsetX) / box.scale, (my - box.offsetY) / box.scale];
}

export function originalToModel(box: Letterbox, x: number, y: number): [number, number] {
  return [x * box.scale + box.offsetX, y * box.scale + box.offsetY];
}

/**
 * 1-D resampling weights: output pixel o covers source [o/scale, (o+1)/scale). A
 * triangle (tent) filter widened by 1/scale when shrinking, so a 4000-pixel photo
 * going to 640 is averaged (anti-aliased), not point-sampled.
 */
function resampleWeights(srcLen: number, dstLen: number, scale: number): { start: Int32Array; count: Int32Array; w: Float32Array; taps: number } {
  const support = Math.max(1, 1 / scale);
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const w = new Float32Array(dstLen * taps);
  for (let o = 0; o < dstLen; o++) {
    const centre = (o + 0.5) / scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(srcLen - 1, Math.floor(centre + support));
    let sum = 0;
    let n = 0;
    for (let s = lo; s <= hi && n < taps; s++, n++) {
      const v = Math.max(0, 1 - Math.abs(s - centre) / support);
      w[o * taps + n] = v;
      sum += v;
    }
    if (sum <= 0) {
      // Degenerate (can only happen at the very edge): nearest pixel.
      start[o] = Math.min(srcLen - 1, Math.max(0, Math.round(centre)));
      count[o] = 1;
      w[o * taps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) w[o * taps + k] /= sum;
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, w, taps };
}

/**
 * Grey level in [0, 1]: the mean of R, G, B, which is what the graph computes first
 * (ReduceMean). Transparent pixels are composited over white, the NeRF-synthetic
 * convention (and what the classical backend in orb.ts does).
 */
function greyOf(image: RgbaImage): Float32Array {
  const { width, height, data } = image;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const a = data[4 * i + 3] / 255;
    grey[i] = (a * (data[4 * i] + data[4 * i + 1] + data[4 * i + 2])) / (3 * 255) + (1 - a);
  }
  return grey;
}

/**
 * The model input [1, 3, size, size] for an upright RGBA image, and the letterbox to
 * map keypoints back. All three channels carry the grey image: the graph averages the
 * channels anyway, and resampling commutes with that average.
 * The padding is the mean grey of the image, so the graph's InstanceNorm statistics
 * (computed over the whole input) keep the image's mean, and the border is a plain
 * step edge rather than a black frame.
 */
export function letterboxImage(image: RgbaImage, size: number): { input: Float32Array; box: Letterbox } {
  const box = letterboxFor(image.width, image.height, size);
  const grey = greyOf(image);
  const { width: W, height: H } = image;
  const { innerWidth: w, innerHeight: h } = box;
  // Horizontal pass: [H, W] -> [H, w]
  const hx = resampleWeights(W, w, w / W);
  const tmp = new Float32Array(H * w);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      const s0 = hx.start[x];
      for (let k = 0; k < hx.count[x]; k++) acc += hx.w[x * hx.taps + k] * grey[y * W + s0 + k];
      tmp[y * w + x] = acc;
    }
  }
  // Vertical pass: [H, w] -> [h, w], written into the padded plane.
  const vy = resampleWeights(H, h, h / H);
  const plane = new Float32Array(size * size);
  let sum = 0;
  for (let y = 0; y < h; y++) {
    const s0 = vy.start[y];
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = 0; k < vy.count[y]; k++) acc += vy.w[y * vy.taps + k] * tmp[(s0 + k) * w + x];
      plane[(y + box.offsetY) * size + x + box.offsetX] = acc;
      sum += acc;
    }
  }
  const pad = sum / (w * h);
  for (let y = 0; y < size; y++) {
    const inside = y >= box.offsetY && y < box.offsetY + h;
    for (let x = 0; x < size; x++) {
      if (!inside || x < box.offsetX || x >= box.offsetX + w) plane[y * size + x] = pad;
    }
  }
  const input = new Float32Array(3 * size * size);
  input.set(plane, 0);
  input.set(plane, size * size);
  input.set(plane, 2 * size * size);
  return { input, box };
}
