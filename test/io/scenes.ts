/** Random scenes and field-wise comparisons shared by the format tests. */
import { createScene, sigmoid, shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';

export interface RandomSceneOptions {
  /** Half-extent of the positions box. */
  extent?: number;
  /** Range of the higher-order SH coefficients: uniform in [-shRange, shRange]. */
  shRange?: number;
}

export function randomScene(n: number, shDegree: number, seed: number, opts: RandomSceneOptions = {}): GaussianScene {
  const rand = rng(seed);
  const s = createScene(n, shDegree);
  const K = shCoeffCount(shDegree);
  const extent = opts.extent ?? 5;
  const shRange = opts.shRange ?? 0.8;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = (rand() * 2 - 1) * extent;
      s.logScales[i * 3 + a] = -6 + 7 * rand();
    }
    for (let a = 0; a < 4; a++) s.quats[i * 4 + a] = gaussian(rand);
    s.opacityLogits[i] = -4 + 8 * rand();
    for (let c = 0; c < 3; c++) {
      s.sh[i * K * 3 + c] = (rand() * 2 - 1) * 1.5;
      for (let k = 1; k < K; k++) s.sh[(i * K + k) * 3 + c] = (rand() * 2 - 1) * shRange;
    }
  }
  return s;
}

/** Rows of `scene` in `order` (order[j] = source row of output row j). */
export function permuteScene(scene: GaussianScene, order: ArrayLike<number>): GaussianScene {
  const K3 = shCoeffCount(scene.shDegree) * 3;
  const out = createScene(scene.count, scene.shDegree);
  for (let j = 0; j < scene.count; j++) {
    const i = order[j];
    out.means.set(scene.means.subarray(i * 3, i * 3 + 3), j * 3);
    out.logScales.set(scene.logScales.subarray(i * 3, i * 3 + 3), j * 3);
    out.quats.set(scene.quats.subarray(i * 4, i * 4 + 4), j * 4);
    out.opacityLogits[j] = scene.opacityLogits[i];
    out.sh.set(scene.sh.subarray(i * K3, i * K3 + K3), j * K3);
  }
  return out;
}

/** Unit quaternions with the sign chosen so that w >= 0 (q and -q are the same rotation). */
export function canonicalQuats(quats: Float32Array): Float64Array {
  const out = new Float64Array(quats.length);
  for (let i = 0; i < quats.length / 4; i++) {
    const q = quats.subarray(i * 4, i * 4 + 4);
    const len = Math.hypot(q[0], q[1], q[2], q[3]);
    const s = q[0] < 0 ? -1 / len : 1 / len;
    for (let a = 0; a < 4; a++) out[i * 4 + a] = q[a] * s;
  }
  return out;
}

/** Same as canonicalQuats but aligned in sign to `ref` (robust when w is near 0). */
export function alignedQuats(got: Float32Array, ref: Float32Array): { got: Float64Array; ref: Float64Array } {
  const g = canonicalQuats(got);
  const r = canonicalQuats(ref);
  for (let i = 0; i < g.length / 4; i++) {
    let dot = 0;
    for (let a = 0; a < 4; a++) dot += g[i * 4 + a] * r[i * 4 + a];
    if (dot < 0) for (let a = 0; a < 4; a++) g[i * 4 + a] = -g[i * 4 + a];
  }
  return { got: g, ref: r };
}

export function expectQuatsClose(name: string, got: Float32Array, ref: Float32Array, atol: number): void {
  const a = alignedQuats(got, ref);
  expectAllClose(name, a.got, a.ref, atol, 0);
}

export function opacities(logits: Float32Array): Float64Array {
  return Float64Array.from(logits, sigmoid);
}

/** SH coefficient k of all splats (all three channels), as a flat array [N, 3]. */
export function shBand(scene: GaussianScene, kFrom: number, kTo: number): Float64Array {
  const K = shCoeffCount(scene.shDegree);
  const out: number[] = [];
  for (let i = 0; i < scene.count; i++) for (let k = kFrom; k < kTo; k++) for (let c = 0; c < 3; c++) out.push(scene.sh[(i * K + k) * 3 + c]);
  return Float64Array.from(out);
}

/** World covariances R S^2 R^T of all splats, [N, 9] (row-major): the frame-independent meaning of (quat, scale). */
export function covariances(s: GaussianScene): Float64Array {
  const out = new Float64Array(s.count * 9);
  for (let i = 0; i < s.count; i++) {
    const q = s.quats.subarray(i * 4, i * 4 + 4);
    const len = Math.hypot(q[0], q[1], q[2], q[3]);
    const [w, x, y, z] = Array.from(q, (v) => v / len);
    const R = [
      1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
    ];
    const s2 = [0, 1, 2].map((a) => Math.exp(2 * s.logScales[i * 3 + a]));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += R[r * 3 + k] * s2[k] * R[c * 3 + k];
      out[i * 9 + r * 3 + c] = v;
    }
  }
  return out;
}
