/**
 * Lazy, cached access to a dataset's photos as float RGB in [0, 1]: decode on
 * first use, check the size against the camera, undistort to the pinhole
 * camera, downscale, and either composite alpha on the background or keep it as
 * a mask. A small LRU (bounded in bytes) keeps the most recent frames, so a
 * 300-photo set never sits in memory at once.
 */
import { readFile } from 'node:fs/promises';
import { decodeImage, type RgbaImage } from '../image.js';
import { DatasetError, type Frame } from './types.js';

export interface FrameImageOptions {
  /** 'composite': RGB = rgb·a + background·(1-a); 'mask': keep alpha as a separate mask. */
  alpha?: 'composite' | 'mask';
  /** Background for alpha compositing, linear [0, 1]. */
  background?: [number, number, number];
  /** Bytes of decoded frames to keep (default 256 MiB). */
  cacheBytes?: number;
  /** Where a frame's encoded photo comes from (default: read `frame.imagePath`); the browser app passes in-memory bytes. */
  readBytes?: (frame: Frame) => Promise<Uint8Array>;
}

export interface FrameImage {
  width: number;
  height: number;
  /** [H, W, 3] */
  rgb: Float32Array;
  /**
   * [H, W] alpha in [0, 1], present in 'mask' mode (then `rgb` is premultiplied, i.e. over black).
   * Zero where undistortion had no source pixel.
   */
  alpha?: Float32Array;
}

export class FrameImages {
  private readonly cache = new Map<number, FrameImage>();
  private readonly pending = new Map<number, Promise<FrameImage>>();
  private bytes = 0;
  private readonly opts: Required<Omit<FrameImageOptions, 'readBytes'>>;
  private readonly readBytes: (frame: Frame) => Promise<Uint8Array>;

  constructor(readonly frames: readonly Frame[], opts: FrameImageOptions = {}) {
    this.opts = { alpha: opts.alpha ?? 'composite', background: opts.background ?? [0, 0, 0], cacheBytes: opts.cacheBytes ?? 256 * 2 ** 20 };
    this.readBytes = opts.readBytes ?? ((frame) => readFile(frame.imagePath));
  }

  /** The same photos (same source of bytes) with alpha kept as a mask: what the visual hull carves. */
  asMasks(): FrameImages {
    return new FrameImages(this.frames, { ...this.opts, alpha: 'mask', readBytes: this.readBytes });
  }

  /** Number of frames currently decoded in memory. */
  get cachedCount(): number {
    return this.cache.size;
  }

  async get(index: number): Promise<FrameImage> {
    const hit = this.cache.get(index);
    if (hit) {
      // Refresh LRU order: Map iterates in insertion order.
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    let p = this.pending.get(index);
    if (!p) {
      p = this.load(index).finally(() => this.pending.delete(index));
      this.pending.set(index, p);
    }
    const img = await p;
    this.insert(index, img);
    return img;
  }

  private insert(index: number, img: FrameImage): void {
    if (this.cache.has(index)) return;
    const size = img.rgb.byteLength + (img.alpha?.byteLength ?? 0);
    this.cache.set(index, img);
    this.bytes += size;
    for (const [k, v] of this.cache) {
      if (this.bytes <= this.opts.cacheBytes || this.cache.size <= 1) break;
      this.cache.delete(k);
      this.bytes -= v.rgb.byteLength + (v.alpha?.byteLength ?? 0);
    }
  }

  private async load(index: number): Promise<FrameImage> {
    const frame = this.frames[index];
    if (!frame) throw new Error(`frame index ${index} out of range (${this.frames.length} frames)`);
    let bytes: Uint8Array;
    try {
      bytes = await this.readBytes(frame);
    } catch (e) {
      throw new DatasetError(frame.imagePath, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'image file does not exist' : `cannot read image (${(e as Error).message})`);
    }
    const img = await decodeImage(bytes, frame.imagePath);
    return prepareFrameImage(frame, img, this.opts.alpha, this.opts.background);
  }
}

/** Decoded RGBA8 photo -> float image matching `frame.camera` (exported for tests). */
export function prepareFrameImage(frame: Frame, img: RgbaImage, alphaMode: 'composite' | 'mask', background: [number, number, number]): FrameImage {
  const [sw, sh] = frame.imageSize;
  if (img.width !== sw || img.height !== sh) {
    throw new DatasetError(frame.imagePath, `image is ${img.width}x${img.height} but its camera expects ${sw}x${sh} (mixed image sizes need per-frame intrinsics)`);
  }
  // [H, W, 4] float at stored resolution
  // Premultiplied alpha, so resampling does not bleed the colour of transparent pixels.
  let rgba: Float32Array = new Float32Array(sw * sh * 4);
  for (let i = 0; i < sw * sh; i++) {
    const a = img.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = (img.data[i * 4 + c] / 255) * a;
    rgba[i * 4 + 3] = a;
  }
  let w = sw;
  let h = sh;
  if (frame.distortion) rgba = undistort(rgba, frame);
  const f = frame.downscale ?? 1;
  if (f > 1) {
    ({ data: rgba, width: w, height: h } = boxDownscale(rgba, sw, sh, f));
  }
  if (w !== frame.camera.width || h !== frame.camera.height) throw new Error(`${frame.imagePath}: internal size mismatch ${w}x${h} vs camera ${frame.camera.width}x${frame.camera.height}`);
  const n = w * h;
  const rgb = new Float32Array(n * 3);
  const alpha = alphaMode === 'mask' ? new Float32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3];
    for (let c = 0; c < 3; c++) {
      // Premultiplied colour: over the background, or (mask mode) over black.
      rgb[i * 3 + c] = alpha ? rgba[i * 4 + c] : rgba[i * 4 + c] + background[c] * (1 - a);
    }
    if (alpha) alpha[i] = a;
  }
  return { width: w, height: h, rgb, alpha };
}

/**
 * Resample a distorted photo to the pinhole camera with the same intrinsics (COLMAP
 * radial-tangential model): for each output pixel centre, distort its normalized
 * coordinates and bilinearly sample the source. Pixels with no source get alpha 0.
 */
function undistort(src: Float32Array, frame: Frame): Float32Array {
  const d = frame.distortion!;
  const s = d.source;
  const [w, h] = frame.imageSize;
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5 - s.cx) / s.fx;
      const v = (y + 0.5 - s.cy) / s.fy;
      const r2 = u * u + v * v;
      const radial = d.k1 * r2 + d.k2 * r2 * r2;
      const ud = u + u * radial + 2 * d.p1 * u * v + d.p2 * (r2 + 2 * u * u);
      const vd = v + v * radial + 2 * d.p2 * u * v + d.p1 * (r2 + 2 * v * v);
      bilinear(src, w, h, s.fx * ud + s.cx - 0.5, s.fy * vd + s.cy - 0.5, out, (y * w + x) * 4);
    }
  }
  return out;
}

function bilinear(src: Float32Array, w: number, h: number, px: number, py: number, out: Float32Array, o: number): void {
  if (!(px >= -0.5 && py >= -0.5 && px <= w - 0.5 && py <= h - 0.5)) return; // stays 0 (alpha 0)
  const x0 = Math.min(Math.max(Math.floor(px), 0), w - 1);
  const y0 = Math.min(Math.max(Math.floor(py), 0), h - 1);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = Math.min(Math.max(px - x0, 0), 1);
  const fy = Math.min(Math.max(py - y0, 0), 1);
  for (let c = 0; c < 4; c++) {
    const a = src[(y0 * w + x0) * 4 + c] * (1 - fx) + src[(y0 * w + x1) * 4 + c] * fx;
    const b = src[(y1 * w + x0) * 4 + c] * (1 - fx) + src[(y1 * w + x1) * 4 + c] * fx;
    out[o + c] = a * (1 - fy) + b * fy;
  }
}

/** Average f x f blocks (the remainder rows/columns are cropped, matching the scaled camera). */
function boxDownscale(src: Float32Array, w: number, h: number, f: number): { data: Float32Array; width: number; height: number } {
  const W = Math.floor(w / f);
  const H = Math.floor(h / f);
  const out = new Float32Array(W * H * 4);
  const inv = 1 / (f * f);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let dy = 0; dy < f; dy++) {
        for (let dx = 0; dx < f; dx++) {
          const si = ((y * f + dy) * w + x * f + dx) * 4;
          const di = (y * W + x) * 4;
          for (let c = 0; c < 4; c++) out[di + c] += src[si + c] * inv;
        }
      }
    }
  }
  return { data: out, width: W, height: H };
}
