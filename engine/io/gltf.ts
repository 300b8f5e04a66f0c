/**
 * glTF 2.0 binary (GLB) with KHR_gaussian_splatting.
 *
 * Draft followed: the Khronos KHR_gaussian_splatting release candidate (KhronosGroup/glTF
 * PR #2490, as written by PlayCanvas splat-transform 3.x). One mesh primitive, mode 0
 * (POINTS), with the extension object { kernel: "ellipse", colorSpace:
 * "srgb_rec709_display", projection: "perspective", sortingMethod: "cameraDistance" } and
 * attributes (all float32 unless noted):
 *   POSITION                                     VEC3  (with min/max)
 *   COLOR_0                                      VEC4 uint8 normalized (fallback colour, alpha = opacity)
 *   KHR_gaussian_splatting:ROTATION              VEC4  unit quaternion (x, y, z, w)
 *   KHR_gaussian_splatting:SCALE                 VEC3  linear scale (exp of our log scale)
 *   KHR_gaussian_splatting:OPACITY               SCALAR linear opacity (sigmoid of our logit)
 *   KHR_gaussian_splatting:SH_DEGREE_l_COEF_m    VEC3  raw SH coefficients (l = 0..3, m = 0..2l)
 * Frame: glTF is y-up; we store our OpenCV-style world rotated 180 degrees about z
 * (x -> -x, y -> -y), the same transform splat-transform applies between PLY and glTF,
 * so a PLY converted by either tool lands in the same place.
 */
import { createScene, logit, shCoeffCount, sigmoid, type GaussianScene } from '../splat/scene.js';
import { FormatError, ensure, ensureFinite, ensureCountFits } from './format-error.js';
import { FLIP_XY, flipAxes, flipAxesInPlace } from './frames.js';

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const EXT = 'KHR_gaussian_splatting';
const FLOAT = 5126;
const UNSIGNED_BYTE = 5121;
const COMPONENTS: Record<string, number> = { SCALAR: 1, VEC3: 3, VEC4: 4 };

const align4 = (n: number) => (n + 3) & ~3;

interface Attribute {
  name: string;
  type: 'SCALAR' | 'VEC3' | 'VEC4';
  data: Float32Array | Uint8Array;
  normalized?: boolean;
  min?: number[];
  max?: number[];
}

export function encodeGlb(input: GaussianScene): Uint8Array {
  const scene = flipAxes(input, FLIP_XY);
  const n = scene.count;
  const K = shCoeffCount(scene.shDegree);
  const rot = new Float32Array(n * 4);
  const scale = new Float32Array(n * 3);
  const opacity = new Float32Array(n);
  const colour = new Uint8Array(n * 4);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const [w, x, y, z] = scene.quats.subarray(i * 4, i * 4 + 4);
    const len = Math.hypot(w, x, y, z);
    if (len > 0) rot.set([x / len, y / len, z / len, w / len], i * 4);
    else rot.set([0, 0, 0, 1], i * 4);
    for (let a = 0; a < 3; a++) {
      scale[i * 3 + a] = Math.exp(scene.logScales[i * 3 + a]);
      const p = scene.means[i * 3 + a];
      lo[a] = Math.min(lo[a], p);
      hi[a] = Math.max(hi[a], p);
      colour[i * 4 + a] = Math.min(255, Math.max(0, Math.round((0.5 + 0.28209479177387814 * scene.sh[i * K * 3 + a]) * 255)));
    }
    opacity[i] = sigmoid(scene.opacityLogits[i]);
    colour[i * 4 + 3] = Math.round(opacity[i] * 255);
  }
  const attrs: Attribute[] = [
    { name: 'POSITION', type: 'VEC3', data: scene.means, min: n ? lo : [0, 0, 0], max: n ? hi : [0, 0, 0] },
    { name: 'COLOR_0', type: 'VEC4', data: colour, normalized: true },
    { name: `${EXT}:ROTATION`, type: 'VEC4', data: rot },
    { name: `${EXT}:SCALE`, type: 'VEC3', data: scale },
    { name: `${EXT}:OPACITY`, type: 'SCALAR', data: opacity },
  ];
  for (let l = 0; l <= scene.shDegree; l++) {
    for (let m = 0; m <= 2 * l; m++) {
      const k = l * l + m;
      const data = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = scene.sh[(i * K + k) * 3 + c];
      attrs.push({ name: `${EXT}:SH_DEGREE_${l}_COEF_${m}`, type: 'VEC3', data });
    }
  }
  const offsets: number[] = [];
  let binLength = 0;
  for (const a of attrs) {
    offsets.push(binLength);
    binLength += align4(a.data.byteLength);
  }
  const gltf = {
    asset: { version: '2.0', generator: 'Sparrow' },
    extensionsUsed: [EXT],
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{
      mode: 0,
      attributes: Object.fromEntries(attrs.map((a, i) => [a.name, i])),
      extensions: { [EXT]: { kernel: 'ellipse', colorSpace: 'srgb_rec709_display', projection: 'perspective', sortingMethod: 'cameraDistance' } },
    }] }],
    buffers: [{ byteLength: binLength }],
    bufferViews: attrs.map((a, i) => ({ buffer: 0, byteOffset: offsets[i], byteLength: a.data.byteLength, target: 34962 })),
    accessors: attrs.map((a, i) => ({
      bufferView: i,
      componentType: a.data instanceof Float32Array ? FLOAT : UNSIGNED_BYTE,
      count: n,
      type: a.type,
      ...(a.normalized ? { normalized: true } : {}),
      ...(a.min ? { min: a.min, max: a.max } : {}),
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(gltf));
  const jsonLen = align4(json.length);
  const total = 12 + 8 + jsonLen + 8 + binLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, GLB_MAGIC, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLen, true);
  view.setUint32(16, CHUNK_JSON, true);
  out.set(json, 20);
  out.fill(0x20, 20 + json.length, 20 + jsonLen);
  const binStart = 20 + jsonLen;
  view.setUint32(binStart, binLength, true);
  view.setUint32(binStart + 4, CHUNK_BIN, true);
  attrs.forEach((a, i) => out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), binStart + 8 + offsets[i]));
  return out;
}

interface GltfJson {
  asset?: { version?: string };
  meshes?: { primitives?: { attributes?: Record<string, number>; extensions?: Record<string, unknown> }[] }[];
  accessors?: { bufferView?: number; byteOffset?: number; componentType?: number; count?: number; type?: string; normalized?: boolean }[];
  bufferViews?: { buffer?: number; byteOffset?: number; byteLength?: number; byteStride?: number }[];
}

export function decodeGlb(bytes: Uint8Array, file: string): GaussianScene {
  ensure(bytes.length >= 20, file, `GLB needs at least 20 bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  ensure(view.getUint32(0, true) === GLB_MAGIC, file, "not a GLB file (missing 'glTF' magic)");
  ensure(view.getUint32(4, true) === 2, file, `unknown GLB version ${view.getUint32(4, true)} (expected 2)`);
  const total = view.getUint32(8, true);
  ensure(total <= bytes.length, file, `GLB header says ${total} bytes, file has ${bytes.length} (truncated)`);
  let json: GltfJson | undefined;
  let bin: Uint8Array | undefined;
  let off = 12;
  while (off + 8 <= total) {
    const len = view.getUint32(off, true);
    const type = view.getUint32(off + 4, true);
    ensure(off + 8 + len <= total, file, `GLB chunk at ${off} (${len} bytes) runs past the end (truncated)`);
    const body = bytes.subarray(off + 8, off + 8 + len);
    if (type === CHUNK_JSON && !json) {
      try {
        json = JSON.parse(new TextDecoder().decode(body)) as GltfJson;
      } catch (e) {
        throw new FormatError(file, `GLB JSON chunk is not valid JSON: ${(e as Error).message}`);
      }
    } else if (type === CHUNK_BIN && !bin) bin = body;
    off += 8 + align4(len);
  }
  ensure(json !== undefined && typeof json === 'object' && json !== null, file, 'GLB has no JSON chunk');
  ensure(bin !== undefined, file, 'GLB has no binary chunk');
  const prim = json.meshes?.flatMap((m) => m.primitives ?? []).find((p) => p?.extensions && EXT in p.extensions);
  ensure(prim !== undefined, file, `GLB has no primitive with ${EXT}`);
  const attributes = prim.attributes ?? {};
  const readAccessor = (name: string, type: string, required: boolean): Float32Array | undefined => {
    const idx = attributes[name];
    if (idx === undefined) {
      ensure(!required, file, `GLB ${EXT} primitive has no ${name} attribute`);
      return undefined;
    }
    const acc = json!.accessors?.[idx];
    ensure(acc !== undefined && acc.type === type, file, `GLB accessor for ${name} must be ${type}`);
    ensure(acc.componentType === FLOAT, file, `GLB accessor for ${name} must be float32 (componentType ${FLOAT}), got ${acc.componentType}`);
    const bv = json!.bufferViews?.[acc.bufferView ?? -1];
    ensure(bv !== undefined && (bv.buffer ?? 0) === 0, file, `GLB accessor for ${name} has no buffer view in the binary chunk`);
    const comps = COMPONENTS[type];
    ensure(!bv.byteStride || bv.byteStride === comps * 4, file, `GLB interleaved buffer view for ${name} is not supported`);
    const count = acc.count ?? -1;
    const start = (bv.byteOffset ?? 0) + (acc.byteOffset ?? 0);
    ensure(Number.isInteger(start) && start >= 0 && start % 4 === 0, file, `GLB accessor for ${name} has bad offset ${start}`);
    ensureCountFits(count, comps * 4, Math.min(bin!.length - start, (bv.byteLength ?? 0) - (acc.byteOffset ?? 0)), file, `GLB ${name}`);
    // Copy into a fresh buffer: the chunk need not be 4-byte aligned (and a Node Buffer's slice is a view).
    return new Float32Array(new Uint8Array(bin!.subarray(start, start + count * comps * 4)).buffer);
  };
  const pos = readAccessor('POSITION', 'VEC3', true)!;
  const n = pos.length / 3;
  const rot = readAccessor(`${EXT}:ROTATION`, 'VEC4', true)!;
  const scale = readAccessor(`${EXT}:SCALE`, 'VEC3', true)!;
  const opacity = readAccessor(`${EXT}:OPACITY`, 'SCALAR', true)!;
  const sh: Float32Array[] = [];
  let degree = -1;
  for (let l = 0; l <= 3; l++) {
    const coefs = Array.from({ length: 2 * l + 1 }, (_, m) => readAccessor(`${EXT}:SH_DEGREE_${l}_COEF_${m}`, 'VEC3', l === 0));
    if (coefs.some((c) => c === undefined)) {
      ensure(coefs.every((c) => c === undefined), file, `GLB SH degree ${l} is incomplete`);
      break;
    }
    sh.push(...(coefs as Float32Array[]));
    degree = l;
  }
  for (const [name, arr, comps] of [['ROTATION', rot, 4], ['SCALE', scale, 3], ['OPACITY', opacity, 1]] as const) {
    ensure(arr.length === n * comps, file, `GLB ${name} has ${arr.length / comps} entries, POSITION has ${n}`);
  }
  for (const c of sh) ensure(c.length === n * 3, file, `GLB SH accessor has ${c.length / 3} entries, POSITION has ${n}`);
  const scene = createScene(n, degree);
  const K = shCoeffCount(degree);
  scene.means.set(pos);
  for (let i = 0; i < n; i++) {
    scene.quats[i * 4] = rot[i * 4 + 3];
    scene.quats[i * 4 + 1] = rot[i * 4];
    scene.quats[i * 4 + 2] = rot[i * 4 + 1];
    scene.quats[i * 4 + 3] = rot[i * 4 + 2];
    for (let a = 0; a < 3; a++) {
      const s = scale[i * 3 + a];
      ensure(s > 0, file, () => `GLB scale of splat ${i} is ${s} (must be positive)`);
      scene.logScales[i * 3 + a] = Math.log(s);
    }
    const o = opacity[i];
    ensure(o >= 0 && o <= 1, file, () => `GLB opacity of splat ${i} is ${o} (must be in [0, 1])`);
    scene.opacityLogits[i] = logit(o);
    for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) scene.sh[(i * K + k) * 3 + c] = sh[k][i * 3 + c];
  }
  ensureFinite(scene.means, file, 'position', 3);
  ensureFinite(scene.logScales, file, 'scale', 3);
  ensureFinite(scene.quats, file, 'rotation', 4);
  ensureFinite(scene.sh, file, 'SH coefficient', K * 3);
  return flipAxesInPlace(scene, FLIP_XY);
}
