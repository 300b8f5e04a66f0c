/**
 * PlayCanvas compressed PLY (`*.compressed.ply`, SuperSplat / splat-transform).
 *
 * Elements (binary little-endian):
 *   chunk  [ceil(N/256)]: float min_x min_y min_z max_x max_y max_z,
 *          min_scale_x.. max_scale_z (log scales), min_r.. max_b (colour 0.5 + C0*dc)
 *   vertex [N]: uint packed_position (x 11 | y 10 | z 11 bits, unorm within the chunk box),
 *               uint packed_rotation (2-bit index of the largest |component| of
 *               (w,x,y,z), made positive, then the other three in order, 10 bits each:
 *               unorm of v/sqrt(2) + 0.5),
 *               uint packed_scale (11 | 10 | 11 unorm within the chunk's log-scale box),
 *               uint packed_color (r 8 | g 8 | b 8 unorm within the chunk's colour box | alpha 8 = sigmoid(opacity))
 *   sh     [N] (optional): uchar f_rest_0..M-1, channel-major like the INRIA PLY,
 *          byte = trunc((v/8 + 0.5) * 256) clamped; read back as (byte+0.5)/256 (0 and 255 map to the ends)
 * Every 256 consecutive vertices share a chunk; the writer orders splats along a
 * Morton curve first so chunk boxes are tight. No frame conversion (same world as
 * the INRIA PLY).
 */
import { SH_C0, createScene, shCoeffCount, sigmoid, type GaussianScene } from '../splat/scene.js';
import { ensure, ensureFinite } from './format-error.js';
import { binaryElementOffsets, littleEndianHost, parsePlyHeader, plyHeaderText, readBinaryElement, type PlyElement } from './ply-header.js';

export const CHUNK_SIZE = 256;
const CHUNK_PROPS = [
  'min_x', 'min_y', 'min_z', 'max_x', 'max_y', 'max_z',
  'min_scale_x', 'min_scale_y', 'min_scale_z', 'max_scale_x', 'max_scale_y', 'max_scale_z',
  'min_r', 'min_g', 'min_b', 'max_r', 'max_g', 'max_b',
];
const VERTEX_PROPS = ['packed_position', 'packed_rotation', 'packed_scale', 'packed_color'];
/** Log scales are clamped to this range before packing (as SuperSplat does). */
const LOG_SCALE_LIMIT = 20;
const REST_COUNT_TO_DEGREE: Record<number, number> = { 0: 0, 9: 1, 24: 2, 45: 3 };

export function isCompressedPly(header: { elements: { name: string }[] }): boolean {
  return header.elements.some((e) => e.name === 'chunk') && header.elements.some((e) => e.name === 'vertex');
}

/** Order of splats along a 3-D Morton curve (10 bits per axis within the scene box). */
export function mortonOrder(means: Float32Array): Uint32Array {
  const n = means.length / 3;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) {
    lo[a] = Math.min(lo[a], means[i * 3 + a]);
    hi[a] = Math.max(hi[a], means[i * 3 + a]);
  }
  const spread = (v: number) => {
    let x = v & 0x3ff;
    x = (x | (x << 16)) & 0x030000ff;
    x = (x | (x << 8)) & 0x0300f00f;
    x = (x | (x << 4)) & 0x030c30c3;
    x = (x | (x << 2)) & 0x09249249;
    return x;
  };
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let code = 0;
    for (let a = 0; a < 3; a++) {
      const r = hi[a] - lo[a];
      const q = r > 0 ? Math.min(1023, Math.floor(((means[i * 3 + a] - lo[a]) / r) * 1024)) : 0;
      code |= spread(q) << a;
    }
    codes[i] = code >>> 0;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => codes[a] - codes[b] || a - b);
  return order;
}

const packUnorm = (t: number, bits: number) => {
  const m = (1 << bits) - 1;
  return Math.min(m, Math.max(0, Math.floor(t * m + 0.5)));
};
const unpackUnorm = (v: number, bits: number) => (v & ((1 << bits) - 1)) / ((1 << bits) - 1);
const norm01 = (v: number, lo: number, hi: number) => (hi > lo ? (v - lo) / (hi - lo) : 0);

export interface CompressedPlyOptions {
  /** Reorder splats along a Morton curve for tighter chunks (default true). */
  mortonSort?: boolean;
}

export function encodeCompressedPly(scene: GaussianScene, opts: CompressedPlyOptions = {}): Uint8Array {
  if (!littleEndianHost()) throw new Error('encodeCompressedPly assumes a little-endian host');
  const n = scene.count;
  const K = shCoeffCount(scene.shDegree);
  const M = 3 * (K - 1);
  const order = opts.mortonSort === false ? Uint32Array.from({ length: n }, (_, i) => i) : mortonOrder(scene.means);
  const chunks = Math.ceil(n / CHUNK_SIZE);
  const chunkData = new Float32Array(chunks * 18);
  const vertexData = new Uint32Array(n * 4);
  const shData = new Uint8Array(n * M);
  const logScale = (i: number, a: number) => Math.min(LOG_SCALE_LIMIT, Math.max(-LOG_SCALE_LIMIT, scene.logScales[i * 3 + a]));
  const colour = (i: number, a: number) => 0.5 + SH_C0 * scene.sh[i * K * 3 + a];
  for (let c = 0; c < chunks; c++) {
    const start = c * CHUNK_SIZE;
    const end = Math.min(n, start + CHUNK_SIZE);
    const b = chunkData.subarray(c * 18, c * 18 + 18);
    for (let a = 0; a < 3; a++) {
      b[a] = b[6 + a] = b[12 + a] = Infinity;
      b[3 + a] = b[9 + a] = b[15 + a] = -Infinity;
    }
    for (let j = start; j < end; j++) {
      const i = order[j];
      for (let a = 0; a < 3; a++) {
        const p = scene.means[i * 3 + a], s = logScale(i, a), col = colour(i, a);
        b[a] = Math.min(b[a], p); b[3 + a] = Math.max(b[3 + a], p);
        b[6 + a] = Math.min(b[6 + a], s); b[9 + a] = Math.max(b[9 + a], s);
        b[12 + a] = Math.min(b[12 + a], col); b[15 + a] = Math.max(b[15 + a], col);
      }
    }
    for (let j = start; j < end; j++) {
      const i = order[j];
      const px = packUnorm(norm01(scene.means[i * 3], b[0], b[3]), 11);
      const py = packUnorm(norm01(scene.means[i * 3 + 1], b[1], b[4]), 10);
      const pz = packUnorm(norm01(scene.means[i * 3 + 2], b[2], b[5]), 11);
      const sx = packUnorm(norm01(logScale(i, 0), b[6], b[9]), 11);
      const sy = packUnorm(norm01(logScale(i, 1), b[7], b[10]), 10);
      const sz = packUnorm(norm01(logScale(i, 2), b[8], b[11]), 11);
      const cr = packUnorm(norm01(colour(i, 0), b[12], b[15]), 8);
      const cg = packUnorm(norm01(colour(i, 1), b[13], b[16]), 8);
      const cb = packUnorm(norm01(colour(i, 2), b[14], b[17]), 8);
      const ca = packUnorm(sigmoid(scene.opacityLogits[i]), 8);
      vertexData[j * 4] = ((px << 21) | (py << 11) | pz) >>> 0;
      vertexData[j * 4 + 1] = packRotation(scene.quats, i);
      vertexData[j * 4 + 2] = ((sx << 21) | (sy << 11) | sz) >>> 0;
      vertexData[j * 4 + 3] = ((cr << 24) | (cg << 16) | (cb << 8) | ca) >>> 0;
      for (let ch = 0; ch < 3; ch++) {
        for (let k = 1; k < K; k++) {
          const v = scene.sh[(i * K + k) * 3 + ch] / 8 + 0.5;
          shData[j * M + ch * (K - 1) + (k - 1)] = Math.min(255, Math.max(0, Math.trunc(v * 256)));
        }
      }
    }
  }
  const elements: PlyElement[] = [
    { name: 'chunk', count: chunks, properties: CHUNK_PROPS.map((name) => ({ name, type: 'float' })) },
    { name: 'vertex', count: n, properties: VERTEX_PROPS.map((name) => ({ name, type: 'uint' })) },
  ];
  if (M > 0) elements.push({ name: 'sh', count: n, properties: Array.from({ length: M }, (_, r) => ({ name: `f_rest_${r}`, type: 'uchar' })) });
  const header = new TextEncoder().encode(plyHeaderText(elements, ['generated by Sparrow']));
  const out = new Uint8Array(header.length + chunkData.byteLength + vertexData.byteLength + shData.byteLength);
  let off = 0;
  for (const part of [header, new Uint8Array(chunkData.buffer), new Uint8Array(vertexData.buffer), shData]) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

function packRotation(quats: Float32Array, i: number): number {
  let q = [quats[i * 4], quats[i * 4 + 1], quats[i * 4 + 2], quats[i * 4 + 3]];
  let len = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!(len > 0)) {
    // A zero quaternion (degenerate input) is stored as the identity.
    q = [1, 0, 0, 0];
    len = 1;
  }
  let largest = 0;
  for (let k = 1; k < 4; k++) if (Math.abs(q[k]) > Math.abs(q[largest])) largest = k;
  const sign = q[largest] < 0 ? -1 : 1;
  let packed = largest;
  for (let k = 0; k < 4; k++) {
    if (k === largest) continue;
    packed = (packed << 10) | packUnorm(((sign * q[k]) / len) * Math.SQRT1_2 + 0.5, 10);
  }
  return packed >>> 0;
}

export function decodeCompressedPly(bytes: Uint8Array, file: string): GaussianScene {
  const header = parsePlyHeader(bytes, file);
  ensure(header.encoding === 'binary_little_endian', file, `compressed PLY must be binary_little_endian, got ${header.encoding}`);
  const ci = header.elements.findIndex((e) => e.name === 'chunk');
  const vi = header.elements.findIndex((e) => e.name === 'vertex');
  const si = header.elements.findIndex((e) => e.name === 'sh');
  ensure(ci >= 0 && vi >= 0, file, "compressed PLY needs 'chunk' and 'vertex' elements");
  const chunkEl = header.elements[ci];
  const vertexEl = header.elements[vi];
  const n = vertexEl.count;
  ensure(chunkEl.count === Math.ceil(n / CHUNK_SIZE), file, `compressed PLY has ${chunkEl.count} chunks for ${n} splats, expected ${Math.ceil(n / CHUNK_SIZE)}`);
  const chunkNames = chunkEl.properties.map((p) => p.name);
  for (const p of CHUNK_PROPS.slice(0, 12)) ensure(chunkNames.includes(p), file, `compressed PLY chunk has no '${p}'`);
  for (const p of VERTEX_PROPS) {
    const prop = vertexEl.properties.find((q) => q.name === p);
    ensure(prop?.type === 'uint', file, `compressed PLY vertex needs 'uint ${p}'`);
  }
  const hasColourBox = ['min_r', 'min_g', 'min_b', 'max_r', 'max_g', 'max_b'].every((p) => chunkNames.includes(p));
  let M = 0;
  if (si >= 0) {
    const shEl = header.elements[si];
    ensure(shEl.count === n, file, `compressed PLY sh element has ${shEl.count} rows for ${n} splats`);
    M = shEl.properties.length;
    ensure(shEl.properties.every((p, r) => p.name === `f_rest_${r}` && p.type === 'uchar'), file, 'compressed PLY sh element must be uchar f_rest_0..M-1');
  }
  const shDegree = REST_COUNT_TO_DEGREE[M];
  ensure(shDegree !== undefined, file, `compressed PLY has ${M} SH bytes per splat; expected 0, 9, 24 or 45`);
  const offsets = binaryElementOffsets(header, bytes.length, file);
  const chunkCols = readBinaryElement(bytes, header, ci, offsets[ci], CHUNK_PROPS);
  const cb = CHUNK_PROPS.map((p) => chunkCols.get(p) as Float32Array | undefined);
  for (let p = 0; p < CHUNK_PROPS.length; p++) if (cb[p]) ensureFinite(cb[p]!, file, `chunk bound ${CHUNK_PROPS[p]}`);
  const vcols = readBinaryElement(bytes, header, vi, offsets[vi], VERTEX_PROPS);
  const [pp, pr, ps, pc] = VERTEX_PROPS.map((p) => vcols.get(p) as Uint32Array);
  const shCols = si >= 0 ? readBinaryElement(bytes, header, si, offsets[si], Array.from({ length: M }, (_, r) => `f_rest_${r}`)) : undefined;
  const scene = createScene(n, shDegree);
  const K = shCoeffCount(shDegree);
  const lerp = (lo: number, hi: number, t: number) => lo * (1 - t) + hi * t;
  const box = (p: number, c: number) => cb[p]![c];
  const shifts = [21, 11, 0];
  const bits = [11, 10, 11];
  const restCols = Array.from({ length: M }, (_, r) => shCols?.get(`f_rest_${r}`) as Uint8Array);
  const small = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / CHUNK_SIZE);
    for (let a = 0; a < 3; a++) {
      scene.means[i * 3 + a] = lerp(box(a, c), box(3 + a, c), unpackUnorm(pp[i] >>> shifts[a], bits[a]));
      scene.logScales[i * 3 + a] = lerp(box(6 + a, c), box(9 + a, c), unpackUnorm(ps[i] >>> shifts[a], bits[a]));
      const t = unpackUnorm(pc[i] >>> (24 - 8 * a), 8);
      const colour = hasColourBox ? lerp(box(12 + a, c), box(15 + a, c), t) : t;
      scene.sh[i * K * 3 + a] = (colour - 0.5) / SH_C0;
    }
    const alpha = Math.min(Math.max(unpackUnorm(pc[i], 8), 1e-6), 1 - 1e-6);
    scene.opacityLogits[i] = Math.log(alpha / (1 - alpha));
    const largest = pr[i] >>> 30;
    for (let k = 0; k < 3; k++) small[k] = (unpackUnorm(pr[i] >>> (20 - 10 * k), 10) - 0.5) * Math.SQRT2;
    const rest = Math.sqrt(Math.max(0, 1 - small[0] ** 2 - small[1] ** 2 - small[2] ** 2));
    let s = 0;
    for (let k = 0; k < 4; k++) scene.quats[i * 4 + k] = k === largest ? rest : small[s++];
    if (shCols) {
      for (let ch = 0; ch < 3; ch++) {
        for (let k = 1; k < K; k++) {
          const byte = restCols[ch * (K - 1) + (k - 1)][i];
          const t = byte === 0 ? 0 : byte === 255 ? 1 : (byte + 0.5) / 256;
          scene.sh[(i * K + k) * 3 + ch] = (t - 0.5) * 8;
        }
      }
    }
  }
  // Finite bounds can still lerp to Inf at float32's edge.
  ensureFinite(scene.means, file, 'position', 3);
  ensureFinite(scene.logScales, file, 'scale', 3);
  return scene;
}
