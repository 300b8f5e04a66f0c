import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeSpz, encodeSpz } from '../../engine/io/spz.js';
import { createScene, shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { expectQuatsClose, opacities, randomScene, shBand } from './scenes.js';

const COLOR_SCALE = 0.15;

function dc(s: GaussianScene): Float64Array {
  return shBand(s, 0, 1);
}

function checkRoundTrip(scene: GaussianScene, back: GaussianScene, version: number) {
  expect(back.count).toBe(scene.count);
  expect(back.shDegree).toBe(scene.shDegree);
  // 24-bit fixed point with 12 fractional bits: half a step is 0.5 / 4096.
  expectAllClose('means', back.means, scene.means, 0.5 / 4096 + 1e-6, 0);
  // Scales: byte = (log s + 10) * 16 -> half a step is 1/32.
  expectAllClose('logScales', back.logScales, scene.logScales, 1 / 32 + 1e-6, 0);
  // Alpha: 8 bits of sigmoid -> 0.5/255.
  expectAllClose('opacity', opacities(back.opacityLogits), opacities(scene.opacityLogits), 0.5 / 255 + 1e-6, 0);
  // DC: byte = dc * 0.15 * 255 + 127.5 -> half a step is 0.5 / (0.15 * 255) = 0.0131.
  expectAllClose('dc', dc(back), dc(scene), 0.5 / (COLOR_SCALE * 255) + 1e-6, 0);
  // Rotation v3+: 9-bit magnitudes over [0, 1/sqrt2]: half step 6.9e-4, largest derived (<= 2.9e-3).
  // v2: 8-bit xyz over [-1, 1] (half step 3.9e-3) and w = sqrt(1 - |xyz|^2), whose error grows as
  // w -> 0; compare v2 by rotation angle instead (below).
  if (version >= 3) expectQuatsClose('quats', back.quats, scene.quats, 3e-3);
  else {
    const a = new Float64Array(scene.count);
    for (let i = 0; i < scene.count; i++) {
      const p = scene.quats.subarray(i * 4, i * 4 + 4), q = back.quats.subarray(i * 4, i * 4 + 4);
      const np = Math.hypot(...p), nq = Math.hypot(...q);
      const dot = Math.abs(p[0] * q[0] + p[1] * q[1] + p[2] * q[2] + p[3] * q[3]) / (np * nq);
      a[i] = 2 * Math.acos(Math.min(1, dot));
    }
    // xyz error |d| <= sqrt(3) * 0.5 * 2/255 = 0.0068; w' = sqrt(1 - |xyz'|^2) is off by at most
    // sqrt(|w'^2 - w^2|) <= sqrt(2|d| + |d|^2) = 0.117 (the v2 weakness near w = 0 that v3 fixed);
    // angle <= 2 |q' - q| <= 2 (0.0068 + 0.117) = 0.25 rad.
    expectAllClose('v2 rotation angle', a, new Float64Array(scene.count), 0.25, 0);
  }
  if (scene.shDegree > 0) {
    // Degree 1: 5 bits of v*128+128 (bucket 8): error <= 4/128; degrees 2-3: 4 bits (bucket 16): 8/128.
    expectAllClose('sh degree 1', shBand(back, 1, 4), shBand(scene, 1, 4), 4 / 128 + 1e-6, 0);
    if (scene.shDegree > 1) expectAllClose('sh degree 2+', shBand(back, 4, shCoeffCount(scene.shDegree)), shBand(scene, 4, shCoeffCount(scene.shDegree)), 8 / 128 + 1e-6, 0);
  }
}

describe('Niantic SPZ', () => {
  for (const version of [2, 3, 4] as const) {
    for (const degree of [0, 1, 3]) {
      it(`v${version} round-trips SH degree ${degree} within quantization bounds`, async () => {
        // SH within the representable [-1, 0.87] (bucketed values are clamped at 255/128 - 1).
        const scene = randomScene(500, degree, version * 10 + degree, { shRange: 0.85 });
        const bytes = await encodeSpz(scene, { version });
        if (version < 4) expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
        else expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(4);
        const back = decodeSpz(bytes, 'rt.spz');
        expect(back.version).toBe(version);
        checkRoundTrip(scene, back, version);
      });
    }
  }

  it('reads v1 (float16 positions)', async () => {
    const scene = randomScene(200, 1, 77, { shRange: 0.85 });
    const raw = gunzipSync(await encodeSpz(scene, { version: 2 }));
    const n = scene.count;
    // Rebuild as v1: positions become float16 (6 bytes per point) instead of 24-bit fixed (9 bytes).
    const fixed = raw.subarray(16, 16 + n * 9);
    const v1 = new Uint8Array(raw.length - n * 3);
    v1.set(raw.subarray(0, 16));
    new DataView(v1.buffer).setUint32(4, 1, true);
    const view = new DataView(v1.buffer);
    for (let j = 0; j < n * 3; j++) {
      let v = fixed[j * 3] | (fixed[j * 3 + 1] << 8) | (fixed[j * 3 + 2] << 16);
      if (v & 0x800000) v |= ~0xffffff;
      view.setUint16(16 + j * 2, toHalf(v / 4096), true);
    }
    v1.set(raw.subarray(16 + n * 9), 16 + n * 6);
    const back = decodeSpz(gzipSync(v1), 'v1.spz');
    expect(back.version).toBe(1);
    // float16 has 11 significant bits: |x| <= 5 -> step 2^-8, half step 2^-9, plus the fixed-point step.
    expectAllClose('v1 means', back.means, scene.means, 2 ** -9 + 0.5 / 4096 + 1e-6, 0);
    expectQuatsClose('v1 quats', back.quats, decodeSpz(gzipSync(raw), 'v2.spz').quats, 0);
  });

  it('stores RUB: a point and rotation in our OpenCV world keep their world pose through SPZ', async () => {
    const s = createScene(1, 1);
    s.means.set([1, 2, 3]);
    // 90 degrees about +y in our frame: q = (cos 45, 0, sin 45, 0).
    s.quats.set([Math.SQRT1_2, 0, Math.SQRT1_2, 0]);
    s.sh.set([0, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    for (const version of [3, 4] as const) {
      const bytes = await encodeSpz(s, { version });
      // Inspect the stored blocks: v3 is gzip of header + blocks.
      if (version === 3) {
        const raw = gunzipSync(bytes);
        const pos = [0, 1, 2].map((a) => {
          let v = raw[16 + a * 3] | (raw[17 + a * 3] << 8) | (raw[18 + a * 3] << 16);
          if (v & 0x800000) v |= ~0xffffff;
          return v / 4096;
        });
        expect(pos).toEqual([1, -2, -3]); // RUB: y and z flipped
        // rotation: 180 degrees about x conjugates q -> (w, x, -y, -z); largest is w (index 3), y negative.
        const packed = (raw[16 + 9 + 1 + 3 + 3] | (raw[30] << 8) | (raw[31] << 16) | (raw[32] << 24)) >>> 0;
        expect(packed >>> 30).toBeLessThanOrEqual(3);
        // SH degree 1 (y, z, x): the y and z terms change sign, x stays.
        const shOff = 16 + 9 + 1 + 3 + 3 + 4;
        const sh = Array.from(raw.subarray(shOff, shOff + 9), (b) => (b - 128) / 128);
        expect(sh[0]).toBeLessThan(0); // k=1 (y) red: stored -0.1
        expect(sh[3]).toBeLessThan(0); // k=2 (z) red: stored -0.4
        expect(sh[6]).toBeGreaterThan(0); // k=3 (x) red: stored +0.7
      }
      const back = decodeSpz(bytes, 'frame.spz');
      expectAllClose('world position', back.means, s.means, 1e-6, 0);
      expectQuatsClose('world rotation', back.quats, s.quats, 3e-3);
      expectAllClose('world sh', shBand(back, 1, 4), shBand(s, 1, 4), 4 / 128, 0);
    }
  });

  it('rejects wrong magic, unknown versions, truncation and absurd counts', async () => {
    const good = await encodeSpz(randomScene(100, 1, 5), { version: 3 });
    const raw = gunzipSync(good);
    const mutate = (f: (r: Uint8Array) => void) => {
      const r = raw.slice();
      f(r);
      return gzipSync(r);
    };
    const err = (b: Uint8Array) => {
      try {
        decodeSpz(b, 'bad.spz');
      } catch (e) {
        expect((e as Error).name).toBe('FormatError');
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(mutate((r) => (r[0] = 0)))).toMatch(/^bad\.spz: not an SPZ file/);
    expect(err(mutate((r) => (r[4] = 9)))).toMatch(/unknown SPZ version 9/);
    expect(err(mutate((r) => new DataView(r.buffer).setUint32(8, 0x7fffffff, true)))).toMatch(/bad\.spz: .*count/);
    expect(err(good.subarray(0, good.length - 100))).toMatch(/bad\.spz/);
    expect(err(gzipSync(raw.subarray(0, raw.length - 10)))).toMatch(/expected|needs/);
    const v4 = await encodeSpz(randomScene(100, 1, 5), { version: 4 });
    expect(err(v4.subarray(0, v4.length - 10))).toMatch(/truncated|zstd/);
  });
});

/** float32 -> IEEE half (round to nearest), for building v1 fixtures. */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign | Math.round((mant | 0x800000) / 2 ** (14 - exp));
  let h = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) h += 1; // round half up
  return h;
}
