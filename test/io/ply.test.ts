import { describe, expect, it } from 'vitest';
import { decodePly, encodePly, inriaPropertyNames } from '../../engine/io/ply.js';
import { shCoeffCount } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { randomScene } from './scenes.js';

/** Re-encode one of our binary LE PLYs with a different body layout (for reader tests). */
function reencode(bytes: Uint8Array, shDegree: number, mode: 'be' | 'ascii' | 'shuffled'): Uint8Array {
  const names = inriaPropertyNames(shDegree);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4000));
  const headerLen = text.indexOf('end_header\n') + 'end_header\n'.length;
  const n = Number(/element vertex (\d+)/.exec(text)![1]);
  const P = names.length;
  const body = new Float32Array(bytes.slice(headerLen).buffer);
  if (mode === 'ascii') {
    const lines = [];
    for (let i = 0; i < n; i++) lines.push(Array.from(body.subarray(i * P, i * P + P), (v) => v.toPrecision(9)).join(' '));
    const h = `ply\nformat ascii 1.0\nelement vertex ${n}\n${names.map((p) => `property float ${p}`).join('\n')}\nend_header\n`;
    return new TextEncoder().encode(h + lines.join('\n') + '\n');
  }
  if (mode === 'be') {
    const h = new TextEncoder().encode(`ply\nformat binary_big_endian 1.0\nelement vertex ${n}\n${names.map((p) => `property float ${p}`).join('\n')}\nend_header\n`);
    const out = new Uint8Array(h.length + n * P * 4);
    out.set(h);
    const view = new DataView(out.buffer, h.length);
    for (let j = 0; j < n * P; j++) view.setFloat32(j * 4, body[j], false);
    return out;
  }
  // Shuffled order (reversed), an extra double property and a uchar property first.
  const order = names.map((_, p) => P - 1 - p);
  const h = new TextEncoder().encode(
    `ply\nformat binary_little_endian 1.0\ncomment shuffled\nelement vertex ${n}\nproperty uchar flag\n` +
      order.map((p) => `property float ${names[p]}`).join('\n') + '\nproperty double extra\nend_header\n',
  );
  const row = 1 + P * 4 + 8;
  const out = new Uint8Array(h.length + n * row);
  out.set(h);
  const view = new DataView(out.buffer, h.length);
  for (let i = 0; i < n; i++) {
    view.setUint8(i * row, 7);
    order.forEach((p, k) => view.setFloat32(i * row + 1 + k * 4, body[i * P + p], true));
    view.setFloat64(i * row + 1 + P * 4, 123.5, true);
  }
  return out;
}

describe('INRIA 3DGS PLY', () => {
  for (const degree of [0, 1, 2, 3]) {
    it(`round-trips SH degree ${degree} bit-exactly (float32 in, float32 out)`, () => {
      const scene = randomScene(300, degree, 10 + degree);
      const bytes = encodePly(scene);
      const header = new TextDecoder().decode(bytes.subarray(0, 3000));
      expect(header).toContain('format binary_little_endian 1.0');
      expect((header.match(/property float f_rest_/g) ?? []).length).toBe(3 * (shCoeffCount(degree) - 1));
      const back = decodePly(bytes, 'rt.ply');
      expect(back.shDegree).toBe(degree);
      expect(back.count).toBe(300);
      // PLY stores float32 exactly: tolerance 0.
      expectAllClose('means', back.means, scene.means, 0, 0);
      expectAllClose('logScales', back.logScales, scene.logScales, 0, 0);
      expectAllClose('quats', back.quats, scene.quats, 0, 0);
      expectAllClose('opacity', back.opacityLogits, scene.opacityLogits, 0, 0);
      expectAllClose('sh', back.sh, scene.sh, 0, 0);
    });
  }

  it('maps channel-major f_rest to our coefficient-major SH', () => {
    const scene = randomScene(1, 1, 3);
    const bytes = encodePly(scene);
    const names = inriaPropertyNames(1);
    const headerLen = new TextDecoder('latin1').decode(bytes).indexOf('end_header\n') + 11;
    const row = new Float32Array(bytes.slice(headerLen).buffer);
    // f_rest_r = 100 * channel + coefficient k: red k1..k3 are f_rest_0..2, green 3..5, blue 6..8.
    for (let r = 0; r < 9; r++) row[names.indexOf(`f_rest_${r}`)] = 100 * Math.floor(r / 3) + (r % 3) + 1;
    const patched = new Uint8Array(headerLen + row.byteLength);
    patched.set(bytes.subarray(0, headerLen));
    patched.set(new Uint8Array(row.buffer), headerLen);
    const back = decodePly(patched, 'layout.ply');
    for (let k = 1; k < 4; k++) for (let c = 0; c < 3; c++) expect(back.sh[k * 3 + c]).toBe(100 * c + k);
  });

  it('reads big-endian, ASCII and shuffled/extra-property PLYs', () => {
    const scene = randomScene(50, 2, 7);
    const bytes = encodePly(scene);
    for (const mode of ['be', 'shuffled'] as const) {
      const back = decodePly(reencode(bytes, 2, mode), `${mode}.ply`);
      expectAllClose(`${mode} means`, back.means, scene.means, 0, 0);
      expectAllClose(`${mode} sh`, back.sh, scene.sh, 0, 0);
      expectAllClose(`${mode} quats`, back.quats, scene.quats, 0, 0);
    }
    const ascii = decodePly(reencode(bytes, 2, 'ascii'), 'ascii.ply');
    // 9 significant digits print float32 exactly.
    expectAllClose('ascii means', ascii.means, scene.means, 0, 0);
    expectAllClose('ascii sh', ascii.sh, scene.sh, 0, 0);
    expectAllClose('ascii scales', ascii.logScales, scene.logScales, 0, 0);
  });

  it('rejects bad files with FormatError naming the file and problem', () => {
    const bytes = encodePly(randomScene(20, 1, 1));
    const bad = (b: Uint8Array) => {
      try {
        decodePly(b, 'bad.ply');
      } catch (e) {
        expect((e as Error).name).toBe('FormatError');
        expect((e as Error).message.startsWith('bad.ply: ')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('no error thrown');
    };
    expect(bad(bytes.subarray(0, bytes.length - 5))).toMatch(/truncated/);
    expect(bad(new TextEncoder().encode('plx\n'))).toMatch(/magic/);
    const huge = new TextDecoder('latin1').decode(bytes).replace('element vertex 20', 'element vertex 99999999');
    expect(bad(Uint8Array.from(huge, (c) => c.charCodeAt(0)))).toMatch(/needs \d+ bytes/);
    const nan = bytes.slice();
    const headerLen = new TextDecoder('latin1').decode(bytes).indexOf('end_header\n') + 11;
    new DataView(nan.buffer).setFloat32(headerLen, NaN, true);
    expect(bad(nan)).toMatch(/position of splat 0 is NaN/);
    const v2 = new TextDecoder('latin1').decode(bytes).replace('format binary_little_endian 1.0', 'format binary_little_endian 2.0');
    expect(bad(Uint8Array.from(v2, (c) => c.charCodeAt(0)))).toMatch(/unknown PLY version/);
  });
});
