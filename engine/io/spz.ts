/**
 * Niantic SPZ (github.com/nianticlabs/spz), versions 1-4.
 *
 * Header (little-endian): u32 magic 0x5053474e ("NGSP"), u32 version, u32 numPoints,
 * u8 shDegree, u8 fractionalBits, u8 flags (0x1 antialiased, 0x2 extensions),
 * u8 reserved (v1-3) / numStreams (v4); v4 adds u32 tocByteOffset and 12 reserved
 * bytes (32-byte header).
 * Attribute blocks, in this order, N = numPoints:
 *   positions  v1: float16 [N,3]; v2+: signed 24-bit fixed point [N,3], value / 2^fractionalBits
 *   alphas     u8 [N]        sigmoid(opacity) * 255
 *   colors     u8 [N,3]      dc * 0.15 * 255 + 127.5  (SH DC, not colour: 0.15 is SPZ's scale)
 *   scales     u8 [N,3]      (logScale + 10) * 16
 *   rotations  v1/v2: u8 [N,3] xyz of the unit quaternion with w >= 0, byte = v*127.5 + 127.5;
 *              v3+: u32 [N] smallest-three: 2-bit index of the largest of (x,y,z,w) in the top
 *              bits, then for the other three in order, 1 sign bit + 9-bit magnitude over [0, 1/sqrt 2]
 *   sh         u8 [N, K-1, 3] coefficient-major, channel inner; byte = v*128 + 128, rounded
 *              to 5 bits (degree 1) / 4 bits (degrees 2, 3) as Niantic's writer does
 * v1-3: the header and blocks are one gzip stream. v4: plaintext header, optional
 * extensions, a table of contents at tocByteOffset of numStreams x (u64 compressed,
 * u64 uncompressed) sizes, then one zstd stream per block (5 streams, 6 with SH).
 *
 * Frame: SPZ stores RUB (x right, y up, z back = OpenGL). Our world is OpenCV-style
 * (x right, y down, z forward), so both directions flip y and z (frames.ts FLIP_YZ).
 */
import { gunzipSync, gzipSync } from 'fflate';
import { createScene, shCoeffCount, sigmoid, type GaussianScene } from '../splat/scene.js';
import { FormatError, ensure, ensureCountFits, ensureFinite } from './format-error.js';
import { FLIP_YZ, flipAxes, flipAxesInPlace } from './frames.js';
import { ZSTD_MAX_RATIO, zstdCompress, zstdDecompress } from './zstd.js';

export const SPZ_MAGIC = 0x5053474e;
const COLOR_SCALE = 0.15;
/** Deflate never expands more than 1032:1. */
const DEFLATE_MAX_RATIO = 1032;
const FLAG_ANTIALIASED = 0x1;

export type SpzVersion = 1 | 2 | 3 | 4;

export interface SpzWriteOptions {
  /**
   * Default 3 (gzip): Spark 2.2 and other current web viewers read v2/v3 but not yet the
   * zstd streams of v4.
   */
  version?: 2 | 3 | 4;
  /** Default: 12, lowered automatically so the largest coordinate fits in 24 bits. */
  fractionalBits?: number;
}

function blockSizes(version: number, n: number, shDegree: number): number[] {
  return [
    n * (version === 1 ? 6 : 9),
    n,
    n * 3,
    n * 3,
    n * (version >= 3 ? 4 : 3),
    n * (shCoeffCount(shDegree) - 1) * 3,
  ];
}

const toByte = (v: number) => Math.min(255, Math.max(0, Math.round(v)));

/** Pack the scene (already in RUB) into the six raw blocks. */
function packBlocks(s: GaussianScene, version: number, fractionalBits: number): Uint8Array[] {
  const n = s.count;
  const K = shCoeffCount(s.shDegree);
  const [posB, alphaB, colorB, scaleB, rotB, shB] = blockSizes(version, n, s.shDegree).map((b) => new Uint8Array(b));
  const fixedScale = 2 ** fractionalBits;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const f = Math.round(s.means[i * 3 + a] * fixedScale);
      const o = (i * 3 + a) * 3;
      posB[o] = f & 0xff;
      posB[o + 1] = (f >> 8) & 0xff;
      posB[o + 2] = (f >> 16) & 0xff;
      colorB[i * 3 + a] = toByte(s.sh[i * K * 3 + a] * (COLOR_SCALE * 255) + 127.5);
      scaleB[i * 3 + a] = toByte((s.logScales[i * 3 + a] + 10) * 16);
    }
    alphaB[i] = toByte(sigmoid(s.opacityLogits[i]) * 255);
    // Quaternion in SPZ order (x, y, z, w), normalized.
    const w0 = s.quats[i * 4], x0 = s.quats[i * 4 + 1], y0 = s.quats[i * 4 + 2], z0 = s.quats[i * 4 + 3];
    const norm = Math.hypot(w0, x0, y0, z0);
    // A zero quaternion (degenerate input) is stored as the identity.
    const q = norm > 0 ? [x0 / norm, y0 / norm, z0 / norm, w0 / norm] : [0, 0, 0, 1];
    if (version >= 3) {
      let largest = 0;
      for (let k = 1; k < 4; k++) if (Math.abs(q[k]) > Math.abs(q[largest])) largest = k;
      const negate = q[largest] < 0;
      let packed = largest;
      for (let k = 0; k < 4; k++) {
        if (k === largest) continue;
        const neg = (q[k] < 0) !== negate ? 1 : 0;
        const mag = Math.min(511, Math.round(511 * (Math.abs(q[k]) / Math.SQRT1_2)));
        packed = (packed << 10) | (neg << 9) | mag;
      }
      const o = i * 4;
      rotB[o] = packed & 0xff;
      rotB[o + 1] = (packed >>> 8) & 0xff;
      rotB[o + 2] = (packed >>> 16) & 0xff;
      rotB[o + 3] = (packed >>> 24) & 0xff;
    } else {
      const sign = q[3] < 0 ? -1 : 1;
      for (let a = 0; a < 3; a++) rotB[i * 3 + a] = toByte(sign * q[a] * 127.5 + 127.5);
    }
    for (let k = 1; k < K; k++) {
      const bucket = k < 4 ? 8 : 16; // 5 bits for degree 1, 4 bits above
      for (let c = 0; c < 3; c++) {
        const v = s.sh[(i * K + k) * 3 + c] * 128 + 128;
        shB[((i * (K - 1)) + (k - 1)) * 3 + c] = Math.min(255, Math.max(0, Math.round(v / bucket) * bucket));
      }
    }
  }
  return [posB, alphaB, colorB, scaleB, rotB, shB];
}

function chooseFractionalBits(scene: GaussianScene, requested?: number): number {
  let maxAbs = 0;
  for (let i = 0; i < scene.means.length; i++) maxAbs = Math.max(maxAbs, Math.abs(scene.means[i]));
  let bits = requested ?? 12;
  // 24-bit signed: |round(v * 2^bits)| <= 2^23 - 1.
  while (bits > 0 && Math.round(maxAbs * 2 ** bits) > 0x7fffff) bits--;
  if (Math.round(maxAbs * 2 ** bits) > 0x7fffff) throw new Error(`SPZ cannot store coordinate ${maxAbs} (24-bit fixed point limit ${0x7fffff})`);
  return bits;
}

export async function encodeSpz(scene: GaussianScene, opts: SpzWriteOptions = {}): Promise<Uint8Array> {
  const version = opts.version ?? 3;
  const rub = flipAxes(scene, FLIP_YZ);
  const fractionalBits = chooseFractionalBits(rub, opts.fractionalBits);
  const blocks = packBlocks(rub, version, fractionalBits);
  const n = scene.count;
  if (version <= 3) {
    const total = 16 + blocks.reduce((a, b) => a + b.length, 0);
    const raw = new Uint8Array(total);
    const view = new DataView(raw.buffer);
    view.setUint32(0, SPZ_MAGIC, true);
    view.setUint32(4, version, true);
    view.setUint32(8, n, true);
    raw[12] = scene.shDegree;
    raw[13] = fractionalBits;
    raw[14] = 0;
    raw[15] = 0;
    let off = 16;
    for (const b of blocks) {
      raw.set(b, off);
      off += b.length;
    }
    return gzipSync(raw, { level: 6 });
  }
  const streams = scene.shDegree > 0 ? blocks : blocks.slice(0, 5);
  const compressed = await Promise.all(streams.map((b) => zstdCompress(b)));
  const tocOffset = 32;
  const dataOffset = tocOffset + streams.length * 16;
  const total = dataOffset + compressed.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, SPZ_MAGIC, true);
  view.setUint32(4, 4, true);
  view.setUint32(8, n, true);
  out[12] = scene.shDegree;
  out[13] = fractionalBits;
  out[14] = 0;
  out[15] = streams.length;
  view.setUint32(16, tocOffset, true);
  let off = dataOffset;
  streams.forEach((b, k) => {
    view.setBigUint64(tocOffset + k * 16, BigInt(compressed[k].length), true);
    view.setBigUint64(tocOffset + k * 16 + 8, BigInt(b.length), true);
    out.set(compressed[k], off);
    off += compressed[k].length;
  });
  return out;
}

interface SpzHeader {
  version: number;
  n: number;
  shDegree: number;
  fractionalBits: number;
  flags: number;
}

function parseHeader(view: DataView, file: string): SpzHeader {
  ensure(view.byteLength >= 16, file, `SPZ header needs 16 bytes, file has ${view.byteLength}`);
  ensure(view.getUint32(0, true) === SPZ_MAGIC, file, `not an SPZ file (magic 0x${view.getUint32(0, true).toString(16)}, expected 0x${SPZ_MAGIC.toString(16)} 'NGSP')`);
  const version = view.getUint32(4, true);
  ensure(version >= 1 && version <= 4, file, `unknown SPZ version ${version} (this reader knows 1-4)`);
  const shDegree = view.getUint8(12);
  ensure(shDegree <= 3, file, `SPZ SH degree ${shDegree} not supported (0-3)`);
  const fractionalBits = view.getUint8(13);
  ensure(fractionalBits <= 23, file, `SPZ fractional bits ${fractionalBits} out of range (0-23)`);
  return { version, n: view.getUint32(8, true), shDegree, fractionalBits, flags: view.getUint8(14) };
}

/** Split the file into the six raw blocks (decompressing as needed), with sizes checked before allocation. */
function unpackContainer(bytes: Uint8Array, file: string): { h: SpzHeader; blocks: Uint8Array[] } {
  const isGzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!isGzip) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const h = parseHeader(view, file);
    ensure(h.version >= 4, file, `SPZ version ${h.version} must be gzip-compressed, but the file is not gzip`);
    ensure(bytes.length >= 32, file, `SPZ v4 header needs 32 bytes, file has ${bytes.length}`);
    const numStreams = bytes[15];
    const sizes = blockSizes(4, 1, h.shDegree);
    const expectedStreams = h.shDegree > 0 ? 6 : 5;
    ensure(numStreams === expectedStreams, file, `SPZ v4 has ${numStreams} streams, expected ${expectedStreams} for SH degree ${h.shDegree}`);
    const toc = view.getUint32(16, true);
    ensure(toc >= 32 && toc + numStreams * 16 <= bytes.length, file, `SPZ v4 table of contents at ${toc} lies outside the file (${bytes.length} bytes)`);
    let off = toc + numStreams * 16;
    const blocks: Uint8Array[] = [];
    for (let k = 0; k < numStreams; k++) {
      const comp = Number(view.getBigUint64(toc + k * 16, true));
      const raw = Number(view.getBigUint64(toc + k * 16 + 8, true));
      ensureCountFits(h.n, sizes[k], raw, file, `SPZ v4 stream ${k} (${raw} bytes) vs point`);
      ensure(raw === h.n * sizes[k], file, `SPZ v4 stream ${k} holds ${raw} bytes, expected ${h.n * sizes[k]} for ${h.n} points`);
      ensure(off + comp <= bytes.length, file, `SPZ v4 stream ${k} (${comp} bytes at ${off}) runs past the end of the file (${bytes.length} bytes; truncated)`);
      ensure(raw <= comp * ZSTD_MAX_RATIO, file, `SPZ v4 stream ${k} claims ${raw} bytes from ${comp} compressed (impossible for zstd)`);
      try {
        blocks.push(raw === 0 ? new Uint8Array(0) : zstdDecompress(bytes.subarray(off, off + comp), raw));
      } catch (e) {
        throw new FormatError(file, `SPZ v4 stream ${k} is not valid zstd: ${(e as Error).message}`);
      }
      off += comp;
    }
    if (blocks.length === 5) blocks.push(new Uint8Array(0));
    return { h, blocks };
  }
  // gzip: the trailer's ISIZE is the decompressed size mod 2^32; bound it by
  // deflate's maximum ratio before allocating, then check it against the header.
  ensure(bytes.length >= 18, file, `gzip stream of ${bytes.length} bytes is truncated`);
  const isize = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  ensure(isize >= 16 && isize <= bytes.length * DEFLATE_MAX_RATIO, file, `gzip trailer claims ${isize} bytes from ${bytes.length} (truncated or corrupt)`);
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes, { out: new Uint8Array(isize) });
  } catch (e) {
    throw new FormatError(file, `SPZ gzip stream is corrupt: ${(e as Error).message}`);
  }
  ensure(raw.length === isize, file, `SPZ gzip stream decoded to ${raw.length} bytes, trailer says ${isize} (truncated)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const h = parseHeader(view, file);
  ensure(h.version <= 3, file, `SPZ version ${h.version} inside gzip (v4 uses zstd streams)`);
  const sizes = blockSizes(h.version, 1, h.shDegree);
  const per = sizes.reduce((a, b) => a + b, 0);
  ensureCountFits(h.n, per, raw.length - 16, file, 'SPZ point');
  ensure(16 + h.n * per === raw.length, file, `SPZ payload is ${raw.length - 16} bytes, expected ${h.n * per} for ${h.n} points`);
  const blocks: Uint8Array[] = [];
  let off = 16;
  for (const s of sizes) {
    blocks.push(raw.subarray(off, off + s * h.n));
    off += s * h.n;
  }
  return { h, blocks };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export function decodeSpz(bytes: Uint8Array, file: string): GaussianScene & { antialiased: boolean; version: number } {
  const { h, blocks } = unpackContainer(bytes, file);
  const [posB, alphaB, colorB, scaleB, rotB, shB] = blocks;
  const n = h.n;
  const K = shCoeffCount(h.shDegree);
  const s = createScene(n, h.shDegree);
  const fixedScale = 1 / 2 ** h.fractionalBits;
  const q = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      if (h.version === 1) {
        const o = (i * 3 + a) * 2;
        s.means[i * 3 + a] = halfToFloat(posB[o] | (posB[o + 1] << 8));
      } else {
        const o = (i * 3 + a) * 3;
        let v = posB[o] | (posB[o + 1] << 8) | (posB[o + 2] << 16);
        if (v & 0x800000) v |= ~0xffffff; // sign-extend 24 -> 32 bits
        s.means[i * 3 + a] = v * fixedScale;
      }
      s.logScales[i * 3 + a] = scaleB[i * 3 + a] / 16 - 10;
      s.sh[i * K * 3 + a] = (colorB[i * 3 + a] / 255 - 0.5) / COLOR_SCALE;
    }
    const alpha = Math.min(Math.max(alphaB[i] / 255, 1e-6), 1 - 1e-6);
    s.opacityLogits[i] = Math.log(alpha / (1 - alpha));
    if (h.version >= 3) {
      let packed = (rotB[i * 4] | (rotB[i * 4 + 1] << 8) | (rotB[i * 4 + 2] << 16) | (rotB[i * 4 + 3] << 24)) >>> 0;
      const largest = packed >>> 30;
      let sum = 0;
      for (let k = 3; k >= 0; k--) {
        if (k === largest) continue;
        const mag = packed & 0x1ff;
        const neg = (packed >>> 9) & 1;
        packed >>>= 10;
        const v = (Math.SQRT1_2 * mag) / 511;
        q[k] = neg ? -v : v;
        sum += v * v;
      }
      q[largest] = Math.sqrt(Math.max(0, 1 - sum));
    } else {
      let sum = 0;
      for (let a = 0; a < 3; a++) {
        q[a] = rotB[i * 3 + a] / 127.5 - 1;
        sum += q[a] * q[a];
      }
      q[3] = Math.sqrt(Math.max(0, 1 - sum));
    }
    // SPZ (x, y, z, w) -> ours (w, x, y, z)
    s.quats[i * 4] = q[3];
    s.quats[i * 4 + 1] = q[0];
    s.quats[i * 4 + 2] = q[1];
    s.quats[i * 4 + 3] = q[2];
    for (let k = 1; k < K; k++) {
      for (let c = 0; c < 3; c++) s.sh[(i * K + k) * 3 + c] = (shB[(i * (K - 1) + (k - 1)) * 3 + c] - 128) / 128;
    }
  }
  ensureFinite(s.means, file, 'position', 3);
  flipAxesInPlace(s, FLIP_YZ);
  return Object.assign(s, { antialiased: (h.flags & FLAG_ANTIALIASED) !== 0, version: h.version });
}
