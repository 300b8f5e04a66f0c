/**
 * Bilinear upscaling of an RGBA image by an integer factor: makes "phone-sized" photos
 * from the reference scenes for the large-photo tests and bench (bench/poses-photos.ts).
 */
import type { RgbaImage } from '../../engine/io/image.js';

export function upscaleBilinear(img: RgbaImage, factor: number): RgbaImage {
  const { width: W, height: H, data: src } = img;
  const [w, h] = [W * factor, H * factor];
  const out = new Uint8Array(w * h * 4);
  // Per column / row: the left (top) source pixel and the weight of the next one.
  const axis = (n: number, len: number) => {
    const i0 = new Int32Array(n);
    const a = new Float32Array(n);
    for (let o = 0; o < n; o++) {
      const f = Math.min(len - 1.001, Math.max(0, (o + 0.5) / factor - 0.5));
      i0[o] = Math.floor(f);
      a[o] = f - i0[o];
    }
    return { i0, a };
  };
  const cx = axis(w, W);
  const cy = axis(h, H);
  for (let y = 0; y < h; y++) {
    const r0 = cy.i0[y] * W;
    const r1 = r0 + W;
    const ay = cy.a[y];
    for (let x = 0; x < w; x++) {
      const x0 = cx.i0[x];
      const ax = cx.a[x];
      const p00 = 4 * (r0 + x0);
      const p10 = p00 + 4;
      const p01 = 4 * (r1 + x0);
      const p11 = p01 + 4;
      const o = 4 * (y * w + x);
      for (let c = 0; c < 4; c++) {
        const top = src[p00 + c] + ax * (src[p10 + c] - src[p00 + c]);
        const bottom = src[p01 + c] + ax * (src[p11 + c] - src[p01 + c]);
        out[o + c] = Math.round(top + ay * (bottom - top));
      }
    }
  }
  return { width: w, height: h, data: out };
}
