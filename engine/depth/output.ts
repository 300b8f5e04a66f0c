/**
 * Depth outputs for the user: 16-bit PNG depth with a JSON sidecar holding the scale
 * (depth = value * scale + offset, 0 = unknown), a float32 .bin with the same sidecar,
 * a colour-mapped preview PNG (near = warm), and a coloured point-cloud PLY.
 */
import { encodePng, encodePng16, type RgbaImage } from '../io/image.js';
import type { DepthMap } from './types.js';

export interface DepthSidecar {
  width: number;
  height: number;
  /** 'png16': depth = value * scale + offset for value > 0; 'f32': raw little-endian float32 [H, W]. */
  encoding: 'png16' | 'f32';
  scale: number;
  offset: number;
  /** Depth is z along the optical axis in world units of the dataset's poses. */
  kind: 'z-depth';
  near: number;
  far: number;
  /** Fraction of pixels with a confident depth. */
  confidentFraction: number;
}

/** Quantize to 16 bits over [min, max] of the known depths; 0 stays "unknown". */
export function encodeDepthPng16(map: DepthMap): { png: Uint8Array; sidecar: DepthSidecar } {
  const { near, far } = knownRange(map.depth);
  // Values 1..65535 cover [near, far]; 0 is reserved for unknown.
  const scale = far > near ? (far - near) / 65534 : 1;
  const offset = near - scale;
  const q = new Uint16Array(map.width * map.height);
  for (let i = 0; i < q.length; i++) {
    const d = map.depth[i];
    q[i] = d > 0 ? Math.min(65535, Math.max(1, Math.round((d - offset) / scale))) : 0;
  }
  return { png: encodePng16(map.width, map.height, q), sidecar: sidecar(map, 'png16', scale, offset, near, far) };
}

/** Decode a 16-bit depth PNG's values with its sidecar (inverse of encodeDepthPng16). */
export function decodeDepthValues(values: ArrayLike<number>, side: DepthSidecar): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] > 0 ? values[i] * side.scale + side.offset : 0;
  return out;
}

export function encodeDepthF32(map: DepthMap): { bin: Uint8Array; sidecar: DepthSidecar } {
  const { near, far } = knownRange(map.depth);
  return { bin: new Uint8Array(map.depth.slice().buffer), sidecar: sidecar(map, 'f32', 1, 0, near, far) };
}

function sidecar(map: DepthMap, encoding: 'png16' | 'f32', scale: number, offset: number, near: number, far: number): DepthSidecar {
  let conf = 0;
  for (let i = 0; i < map.confidence.length; i++) if (map.confidence[i] > 0) conf++;
  return { width: map.width, height: map.height, encoding, scale, offset, kind: 'z-depth', near, far, confidentFraction: conf / map.confidence.length };
}

function knownRange(depth: Float32Array): { near: number; far: number } {
  let near = Infinity;
  let far = 0;
  for (const d of depth) {
    if (d > 0) {
      near = Math.min(near, d);
      far = Math.max(far, d);
    }
  }
  return Number.isFinite(near) ? { near, far } : { near: 0, far: 0 };
}

/**
 * Preview: inverse depth through the turbo colour map (near = red, far = blue); unknown
 * pixels black; hole-filled pixels darkened so the user sees what was matched.
 */
export function depthPreview(map: DepthMap): RgbaImage {
  const { near, far } = knownRange(map.depth);
  const data = new Uint8Array(map.width * map.height * 4);
  for (let i = 0; i < map.width * map.height; i++) {
    const d = map.depth[i];
    data[i * 4 + 3] = 255;
    if (!(d > 0)) continue;
    const t = far > near ? (1 / d - 1 / far) / (1 / near - 1 / far) : 0.5;
    const [r, g, b] = turbo(t);
    const k = map.filled[i] ? 0.45 : 1;
    data[i * 4] = Math.round(255 * r * k);
    data[i * 4 + 1] = Math.round(255 * g * k);
    data[i * 4 + 2] = Math.round(255 * b * k);
  }
  return { width: map.width, height: map.height, data };
}

export function depthPreviewPng(map: DepthMap): Uint8Array {
  return encodePng(depthPreview(map));
}

/** Turbo colour map, polynomial approximation (Mikhailov 2019), t in [0, 1]. */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(Math.max(t, 0), 1);
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  const c = (v: number) => Math.min(Math.max(v, 0), 1);
  return [c(r), c(g), c(b)];
}

