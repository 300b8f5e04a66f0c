/**
 * Fast path for the common PNG (8-bit gray / gray+alpha / RGB / RGBA, not interlaced, no
 * tRNS) in Node: inflated by node:zlib (native) instead of fast-png's JavaScript inflate.
 * In a cold process fast-png took ~0.45 s of CPU for the three 504x378 fern photos, zlib
 * ~0.02 s (bench/results/poses.md, 2026-11-29): the pose stage's largest start-up cost
 * after opencv.js. Returns exactly what `decodeImage` returns for these files
 * (test/io/png-native.test.ts), and null for anything else — other PNG kinds, corrupt
 * data, no node:zlib (browser) — so that the caller falls back to `decodeImage`, which
 * also reports the errors.
 */
import type { RgbaImage } from './image.js';

type Zlib = { inflateSync(b: Uint8Array): Uint8Array };

function nodeZlib(): Zlib | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('node:zlib') as Zlib | undefined) ?? null;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour type -> channels, for the types this path decodes (8 bits per channel). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePngNative(bytes: Uint8Array): RgbaImage | null {
  const zlib = nodeZlib();
  if (!zlib || bytes.length < 33 || SIGNATURE.some((v, i) => bytes[i] !== v)) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 12 <= bytes.length; ) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    const body = o + 8;
    if (body + len + 4 > bytes.length) return null;
    if (type === 'IHDR') {
      width = dv.getUint32(body);
      height = dv.getUint32(body + 4);
      const [depth, colour, compression, filter, interlace] = bytes.subarray(body + 8, body + 13);
      channels = CHANNELS[colour] ?? 0;
      if (depth !== 8 || !channels || compression !== 0 || filter !== 0 || interlace !== 0) return null;
    } else if (type === 'tRNS' || type === 'PLTE') return null;
    else if (type === 'IDAT') idat.push(bytes.subarray(body, body + len));
    else if (type === 'IEND') break;
    o = body + len + 4;
  }
  if (!width || !height || !idat.length) return null;
  let raw: Uint8Array;
  try {
    const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
    idat.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
    raw = zlib.inflateSync(joined);
  } catch {
    return null;
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) return null;
  // Unfilter scanline by scanline (filter byte, then the row), into [H, stride]: one small
  // function per filter type, called per row, so that V8 optimizes each after a few rows
  // of the first photo (a cold process runs ~1000 rows of 1.5 KB) and no per-byte branch
  // on the filter, row or column remains.
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    if (filter === 0 || (filter === 2 && y === 0)) px.set(raw.subarray(src, src + stride), row);
    else if (filter === 1) unfilterSub(px, raw, src, row, stride, channels);
    else if (filter === 2) unfilterUp(px, raw, src, row, stride);
    else if (filter === 3) unfilterAverage(px, raw, src, row, stride, channels, y > 0);
    else if (filter === 4) {
      // Paeth on the first row (b = c = 0) predicts a: Sub.
      if (y === 0) unfilterSub(px, raw, src, row, stride, channels);
      else unfilterPaeth(px, raw, src, row, stride, channels);
    } else return null;
  }
  return { width, height, data: channels === 4 ? px : toRgba(px, width * height, channels) };
}

/**
 * [N, channels] gray / gray+alpha / RGB -> [N, 4] RGBA (alpha 255 where absent). Its own
 * function: inside decodePngNative, V8's on-stack-replaced code for the unfilter loop
 * reached this loop without type feedback and deoptimized once per photo.
 */
function toRgba(px: Uint8Array, n: number, channels: number): Uint8Array {
  const out = new Uint8Array(n * 4);
  if (channels === 3) {
    for (let i = 0, s = 0, o = 0; i < n; i++, s += 3, o += 4) {
      out[o] = px[s];
      out[o + 1] = px[s + 1];
      out[o + 2] = px[s + 2];
      out[o + 3] = 255;
    }
  } else {
    for (let i = 0, s = 0, o = 0; i < n; i++, s += channels, o += 4) {
      out[o] = out[o + 1] = out[o + 2] = px[s];
      out[o + 3] = channels === 2 ? px[s + 1] : 255;
    }
  }
  return out;

}

/*
 * Scanline unfilters (PNG spec 9.2): px[row + x] = raw[src + x] + prediction (mod 256)
 * from a = left, b = up, c = up-left (0 outside the image), into the unfiltered `px`.
 */
function unfilterSub(px: Uint8Array, raw: Uint8Array, src: number, row: number, stride: number, channels: number): void {
  for (let x = 0; x < channels; x++) px[row + x] = raw[src + x];
  for (let x = channels; x < stride; x++) px[row + x] = (raw[src + x] + px[row + x - channels]) & 0xff;
}

function unfilterUp(px: Uint8Array, raw: Uint8Array, src: number, row: number, stride: number): void {
  const up = row - stride;
  for (let x = 0; x < stride; x++) px[row + x] = (raw[src + x] + px[up + x]) & 0xff;
}

function unfilterAverage(px: Uint8Array, raw: Uint8Array, src: number, row: number, stride: number, channels: number, hasUp: boolean): void {
  const up = row - stride;
  for (let x = 0; x < channels; x++) px[row + x] = (raw[src + x] + ((hasUp ? px[up + x] : 0) >> 1)) & 0xff;
  for (let x = channels; x < stride; x++) px[row + x] = (raw[src + x] + ((px[row + x - channels] + (hasUp ? px[up + x] : 0)) >> 1)) & 0xff;
}

/** Paeth below the first row. */
function unfilterPaeth(px: Uint8Array, raw: Uint8Array, src: number, row: number, stride: number, channels: number): void {
  const up = row - stride;
  // x < channels: a = c = 0, so the prediction is b.
  for (let x = 0; x < channels; x++) px[row + x] = (raw[src + x] + px[up + x]) & 0xff;
  for (let x = channels; x < stride; x++) {
    const a = px[row + x - channels];
    const b = px[up + x];
    const c = px[up + x - channels];
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    px[row + x] = (raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
  }
}
