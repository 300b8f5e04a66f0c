import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, decodeCompressedPly, encodeCompressedPly, mortonOrder } from '../../engine/io/compressed-ply.js';
import { SH_C0, shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { expectQuatsClose, opacities, permuteScene, randomScene } from './scenes.js';

/**
 * Per-element quantization bound of a field packed as unorm with `bits` inside the
 * min/max box of its 256-splat chunk: half a step of (max - min) / (2^bits - 1),
 * plus float32 rounding of the lerp.
 */
function chunkBound(values: ArrayLike<number>, stride: number, axis: number, bits: number, n: number): Float64Array {
  const bound = new Float64Array(n);
  for (let c = 0; c * CHUNK_SIZE < n; c++) {
    let lo = Infinity, hi = -Infinity;
    const end = Math.min(n, (c + 1) * CHUNK_SIZE);
    for (let i = c * CHUNK_SIZE; i < end; i++) {
      lo = Math.min(lo, values[i * stride + axis]);
      hi = Math.max(hi, values[i * stride + axis]);
    }
    for (let i = c * CHUNK_SIZE; i < end; i++) bound[i] = (hi - lo) / ((1 << bits) - 1) / 2 + 1e-6 * Math.max(Math.abs(lo), Math.abs(hi), 1);
  }
  return bound;
}

function expectWithin(name: string, got: ArrayLike<number>, ref: ArrayLike<number>, stride: number, axis: number, bound: Float64Array) {
  for (let i = 0; i < bound.length; i++) {
    const e = Math.abs(got[i * stride + axis] - ref[i * stride + axis]);
    if (!(e <= bound[i])) throw new Error(`${name}[${i}]: error ${e} > bound ${bound[i]} (got ${got[i * stride + axis]}, ref ${ref[i * stride + axis]})`);
  }
}

function checkRoundTrip(scene: GaussianScene) {
  const bytes = encodeCompressedPly(scene);
  const back = decodeCompressedPly(bytes, 'rt.compressed.ply');
  const ref = permuteScene(scene, mortonOrder(scene.means)); // the writer's order
  const n = scene.count;
  expect(back.count).toBe(n);
  expect(back.shDegree).toBe(scene.shDegree);
  const bits = [11, 10, 11];
  for (let a = 0; a < 3; a++) {
    expectWithin(`means axis ${a}`, back.means, ref.means, 3, a, chunkBound(ref.means, 3, a, bits[a], n));
    expectWithin(`logScales axis ${a}`, back.logScales, ref.logScales, 3, a, chunkBound(ref.logScales, 3, a, bits[a], n));
    // Colour = 0.5 + C0*dc is packed in 8 bits inside the chunk's colour box; dc error = colour error / C0.
    const colour = Float64Array.from({ length: n * 3 }, (_, j) => 0.5 + SH_C0 * ref.sh[Math.floor(j / 3) * shCoeffCount(ref.shDegree) * 3 + (j % 3)]);
    const dcBound = chunkBound(colour, 3, a, 8, n).map((b) => b / SH_C0);
    const K3 = shCoeffCount(ref.shDegree) * 3;
    const dcGot = Float64Array.from({ length: n * 3 }, (_, j) => back.sh[Math.floor(j / 3) * K3 + (j % 3)]);
    const dcRef = Float64Array.from({ length: n * 3 }, (_, j) => ref.sh[Math.floor(j / 3) * K3 + (j % 3)]);
    expectWithin(`dc channel ${a}`, dcGot, dcRef, 3, a, dcBound);
  }
  // Opacity: 8-bit sigmoid -> half a step, 0.5/255.
  expectAllClose('opacity', opacities(back.opacityLogits), opacities(ref.opacityLogits), 0.5 / 255 + 1e-6, 0);
  // Rotation: the three smallest components of the unit quaternion lie in [-1/sqrt2, 1/sqrt2] and get
  // 10 bits: half step sqrt2/1023/2 = 6.9e-4. The largest is recomputed from them:
  // |d largest| <= sum|q_k dq_k| / largest <= 3 * 0.707 * 6.9e-4 / 0.5 = 2.9e-3.
  expectQuatsClose('quats', back.quats, ref.quats, 3e-3);
  if (scene.shDegree > 0) {
    // SH: byte = trunc((v/8 + 0.5) * 256), read back at the bucket centre: error <= 8 / 256 / 2 = 1/64.
    const K = shCoeffCount(scene.shDegree);
    const rest = (s: GaussianScene) => Float64Array.from({ length: n * (K - 1) * 3 }, (_, j) => s.sh[Math.floor(j / ((K - 1) * 3)) * K * 3 + 3 + (j % ((K - 1) * 3))]);
    expectAllClose('sh rest', rest(back), rest(ref), 1 / 64 + 1e-6, 0);
  }
}

describe('PlayCanvas compressed PLY', () => {
  for (const degree of [0, 1, 2, 3]) {
    it(`round-trips SH degree ${degree} within the per-chunk quantization bounds`, () => {
      checkRoundTrip(randomScene(1000, degree, 40 + degree, { shRange: 3.5 }));
    });
  }

  it('has the element layout other readers expect', () => {
    const bytes = encodeCompressedPly(randomScene(600, 1, 5));
    const header = new TextDecoder('latin1').decode(bytes.subarray(0, 2000));
    expect(header).toMatch(/element chunk 3\n/);
    expect(header).toMatch(/element vertex 600\nproperty uint packed_position\nproperty uint packed_rotation\nproperty uint packed_scale\nproperty uint packed_color\n/);
    expect(header).toMatch(/element sh 600\nproperty uchar f_rest_0\n/);
  });

  it('Morton order is a permutation', () => {
    const order = mortonOrder(randomScene(2000, 0, 9).means);
    expect(new Set(order).size).toBe(2000);
  });

  it('rejects a chunk count that does not match the vertex count', () => {
    const bytes = encodeCompressedPly(randomScene(600, 0, 5));
    const text = new TextDecoder('latin1').decode(bytes);
    const bad = Uint8Array.from(text.replace('element chunk 3', 'element chunk 2'), (c) => c.charCodeAt(0));
    expect(() => decodeCompressedPly(bad, 'c.ply')).toThrow(/c\.ply: compressed PLY has 2 chunks for 600 splats/);
  });
});
