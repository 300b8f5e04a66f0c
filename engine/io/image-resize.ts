/**
 * Downscaling of 8-bit RGBA photos by exact area averaging (each output pixel is the
 * mean of the source area it covers, any factor), separable: one horizontal and one
 * vertical pass. Colours are averaged premultiplied by alpha, so a masked object's
 * edge is not darkened by the transparent black around it.
 */
import type { RgbaImage } from './image.js';

/** Per output index: the first source index, how many, and their weights (covered fraction / factor). */
function areaWeights(srcLen: number, dstLen: number): { start: Int32Array; count: Int32Array; w: Float32Array; taps: number } {
  const s = srcLen / dstLen;
  const taps = Math.ceil(s) + 1;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const w = new Float32Array(dstLen * taps);
  for (let o = 0; o < dstLen; o++) {
    const a = o * s;
    const b = Math.min(srcLen, (o + 1) * s);
    const i0 = Math.floor(a);
    start[o] = i0;
    let n = 0;
    for (let i = i0; i < b && n < taps; i++, n++) w[o * taps + n] = (Math.min(i + 1, b) - Math.max(i, a)) / (b - a);
    count[o] = n;
  }
  return { start, count, w, taps };
}

/**
 * `img` with its long side at most `maxSide` (aspect kept, sizes rounded), or `img`
 * itself when it is already that small. Never upscales.
 */
export function downscaleToMaxSide(img: RgbaImage, maxSide: number): RgbaImage {
  const long = Math.max(img.width, img.height);
  if (long <= maxSide) return img;
  const w = Math.max(1, Math.round((img.width * maxSide) / long));
  const h = Math.max(1, Math.round((img.height * maxSide) / long));
  return resizeRgbaArea(img, w, h);
}

/** Area-average resize of an RGBA image to w x h (w <= width, h <= height). */
export function resizeRgbaArea(img: RgbaImage, w: number, h: number): RgbaImage {
  const { width: W, height: H, data } = img;
  const hx = areaWeights(W, w);
  const vy = areaWeights(H, h);
  // Horizontal pass into premultiplied floats [H, w, 4].
  const mid = new Float32Array(H * w * 4);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      const base = x * hx.taps;
      for (let k = 0; k < hx.count[x]; k++) {
        const p = 4 * (row + hx.start[x] + k);
        const wt = hx.w[base + k];
        const al = data[p + 3] * wt;
        r += data[p] * al;
        g += data[p + 1] * al;
        b += data[p + 2] * al;
        a += al;
      }
      const o = 4 * (y * w + x);
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
      mid[o + 3] = a;
    }
  }
  // Vertical pass, then back to straight (un-premultiplied) 8-bit colour.
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const base = y * vy.taps;
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < vy.count[y]; k++) {
        const p = 4 * ((vy.start[y] + k) * w + x);
        const wt = vy.w[base + k];
        r += mid[p] * wt;
        g += mid[p + 1] * wt;
        b += mid[p + 2] * wt;
        a += mid[p + 3] * wt;
      }
      const o = 4 * (y * w + x);
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a);
    }
  }
  return { width: w, height: h, data: out };
}
