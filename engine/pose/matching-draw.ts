/**
 * Picture of the matches of one pair: the two images side by side (top-aligned, the
 * gap filled dark), a line per match from a keypoint in the left image to its partner
 * in the right one. Inliers green, outliers (when drawn) red.
 */
import type { RgbaImage } from '../io/image.js';
import type { Keypoints, Matches } from './features.js';

export type Rgb = [number, number, number];

export function sideBySide(a: RgbaImage, b: RgbaImage): RgbaImage {
  const width = a.width + b.width;
  const height = Math.max(a.height, b.height);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([24, 24, 24, 255], 4 * i);
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const s = 4 * (y * a.width + x);
      data.set([a.data[s], a.data[s + 1], a.data[s + 2], 255], 4 * (y * width + x));
    }
  }
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const s = 4 * (y * b.width + x);
      data.set([b.data[s], b.data[s + 1], b.data[s + 2], 255], 4 * (y * width + a.width + x));
    }
  }
  return { width, height, data };
}

/** Alpha-blend `color` into pixel (x, y) if inside. */
function plot(img: RgbaImage, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const p = 4 * (y * img.width + x);
  for (let c = 0; c < 3; c++) img.data[p + c] = Math.round(img.data[p + c] * (1 - alpha) + color[c] * alpha);
}

/** Bresenham line between pixel indices (x0, y0) and (x1, y1), both ends included. */
export function drawLine(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
  x0 = Math.round(x0);
  y0 = Math.round(y0);
  x1 = Math.round(x1);
  y1 = Math.round(y1);
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    plot(img, x0, y0, color, alpha);
    if (x0 === x1 && y0 === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/** A small filled square marker centred on (x, y). */
function drawMarker(img: RgbaImage, x: number, y: number, color: Rgb): void {
  const cx = Math.floor(x);
  const cy = Math.floor(y);
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) plot(img, cx + dx, cy + dy, color, 1);
}

export interface DrawMatchesOptions {
  /** [M] 1 for inliers; without it every match counts as an inlier. */
  inlierMask?: Uint8Array;
  /** Also draw rejected matches (red). Default false. */
  showOutliers?: boolean;
  /** Draw at most this many inlier lines (evenly subsampled) so the picture stays readable. */
  maxLines?: number;
}

export function drawMatches(a: RgbaImage, b: RgbaImage, ka: Keypoints, kb: Keypoints, m: Matches, opts: DrawMatchesOptions = {}): RgbaImage {
  const img = sideBySide(a, b);
  const M = m.pairs.length / 2;
  const isInlier = (k: number) => !opts.inlierMask || opts.inlierMask[k] === 1;
  const green: Rgb = [40, 230, 80];
  const red: Rgb = [235, 50, 50];
  const inl: number[] = [];
  const out: number[] = [];
  for (let k = 0; k < M; k++) (isInlier(k) ? inl : out).push(k);
  const pick = (list: number[]) => {
    const max = opts.maxLines ?? 400;
    if (list.length <= max) return list;
    const step = list.length / max;
    return Array.from({ length: max }, (_, i) => list[Math.floor(i * step)]);
  };
  const draw = (k: number, color: Rgb, alpha: number) => {
    const i = m.pairs[2 * k];
    const j = m.pairs[2 * k + 1];
    // Keypoints are continuous coordinates (pixel centre at +0.5): floor gives the pixel.
    const xa = Math.floor(ka.xy[2 * i]);
    const ya = Math.floor(ka.xy[2 * i + 1]);
    const xb = Math.floor(kb.xy[2 * j]) + a.width;
    const yb = Math.floor(kb.xy[2 * j + 1]);
    drawLine(img, xa, ya, xb, yb, color, alpha);
    drawMarker(img, xa, ya, color);
    drawMarker(img, xb, yb, color);
  };
  if (opts.showOutliers) for (const k of pick(out)) draw(k, red, 0.5);
  for (const k of pick(inl)) draw(k, green, 0.8);
  return img;
}
