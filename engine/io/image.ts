/**
 * Image decode/encode for the engine: PNG (fast-png) and JPEG (jpeg-js), with EXIF
 * orientation applied (exifr) so pixels are upright as the photographer saw them.
 *
 * Decoded images are always RGBA8 (grayscale expanded, 16-bit reduced to 8-bit),
 * row-major, top row first.
 */
import { decode as decodePngRaw, encode as encodePngRaw } from 'fast-png';
import { decodePngNative } from './png-native.js';
import jpeg from 'jpeg-js';

export interface RgbaImage {
  width: number;
  height: number;
  /** [H, W, 4] RGBA8 */
  data: Uint8Array;
}

export class ImageDecodeError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ImageDecodeError';
  }
}

export function sniffImageKind(bytes: Uint8Array): 'png' | 'jpeg' | 'unknown' {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return 'unknown';
}

/** Decode PNG/JPEG bytes to RGBA8. `file` only names the source in errors. */
export async function decodeImage(bytes: Uint8Array, file = '<memory>'): Promise<RgbaImage> {
  const kind = sniffImageKind(bytes);
  let img: RgbaImage;
  try {
    // Common 8-bit PNGs inflate through node:zlib where it exists (png-native.ts: ~20x
    // faster than fast-png's JavaScript inflate, same pixels); everything else through fast-png.
    if (kind === 'png') img = decodePngNative(bytes) ?? decodePngPortable(bytes);
    else if (kind === 'jpeg') {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      img = { width: j.width, height: j.height, data: j.data };
    } else throw new Error('not a PNG or JPEG file');
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(file, `cannot decode image (${(e as Error).message})`);
  }
  if (img.width <= 0 || img.height <= 0) throw new ImageDecodeError(file, 'image has zero size');
  const orientation = kind === 'jpeg' ? await exifOrientation(bytes) : 1;
  return orientation > 1 ? applyOrientation(img, orientation) : img;
}

/** Any PNG through fast-png (JavaScript inflate: runs in the browser too). */
export function decodePngPortable(bytes: Uint8Array): RgbaImage {
  const p = decodePngRaw(bytes);
  const { width, height, channels } = p;
  const src = p.data;
  const out = new Uint8Array(width * height * 4);
  const scale = p.depth === 16 ? 1 / 257 : 1;
  const palette = p.palette;
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, b: number, a: number;
    if (palette) {
      const e = palette[src[i]] ?? [0, 0, 0];
      [r, g, b] = e;
      a = e.length > 3 ? (e[3] as number) : 255;
    } else if (channels === 1) {
      r = g = b = src[i] * scale;
      a = 255;
    } else if (channels === 2) {
      r = g = b = src[i * 2] * scale;
      a = src[i * 2 + 1] * scale;
    } else if (channels === 3) {
      r = src[i * 3] * scale;
      g = src[i * 3 + 1] * scale;
      b = src[i * 3 + 2] * scale;
      a = 255;
    } else {
      r = src[i * 4] * scale;
      g = src[i * 4 + 1] * scale;
      b = src[i * 4 + 2] * scale;
      a = src[i * 4 + 3] * scale;
    }
    out[i * 4] = Math.round(r);
    out[i * 4 + 1] = Math.round(g);
    out[i * 4 + 2] = Math.round(b);
    out[i * 4 + 3] = Math.round(a);
  }
  return { width, height, data: out };
}

async function exifOrientation(bytes: Uint8Array): Promise<number> {
  try {
    const exifr = (await import('exifr')).default;
    const o = await exifr.orientation(bytes);
    return typeof o === 'number' ? o : 1;
  } catch {
    return 1;
  }
}

/** Apply EXIF orientation 1..8 so the result is upright. */
export function applyOrientation(img: RgbaImage, orientation: number): RgbaImage {
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx: number, sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        case 8: sx = w - 1 - y; sy = x; break;
        default: sx = x; sy = y;
      }
      const si = (sy * w + sx) * 4;
      const di = (y * W + x) * 4;
      out[di] = data[si];
      out[di + 1] = data[si + 1];
      out[di + 2] = data[si + 2];
      out[di + 3] = data[si + 3];
    }
  }
  return { width: W, height: H, data: out };
}

export function encodePng(img: RgbaImage): Uint8Array {
  return encodePngRaw({ width: img.width, height: img.height, data: img.data, channels: 4, depth: 8 });
}

/** 16-bit grayscale PNG (e.g. depth maps). */
export function encodePng16(width: number, height: number, values: Uint16Array): Uint8Array {
  return encodePngRaw({ width, height, data: values, channels: 1, depth: 16 });
}

/** Float RGB [H, W, 3] in [0,1] -> RGBA8 image (clamped). */
export function rgbFloatToImage(width: number, height: number, rgb: ArrayLike<number>): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.round(Math.min(Math.max(rgb[i * 3 + c], 0), 1) * 255);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
