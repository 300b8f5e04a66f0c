import { describe, expect, it } from 'vitest';
import { decodeGlb, encodeGlb } from '../../engine/io/gltf.js';
import { decodeSplat, encodeSplat } from '../../engine/io/splat.js';
import { SH_C0 } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { expectQuatsClose, opacities, randomScene, shBand } from './scenes.js';

describe('antimatter15 .splat', () => {
  it('round-trips within its 8-bit colour/opacity/rotation quantization', () => {
    const scene = randomScene(400, 2, 21);
    const bytes = encodeSplat(scene);
    expect(bytes.length).toBe(400 * 32);
    const back = decodeSplat(bytes, 'rt.splat');
    expect(back.shDegree).toBe(0);
    expectAllClose('means', back.means, scene.means, 0, 0); // float32 exact
    // log(float32(exp(x))): one float32 rounding of exp, relative 6e-8 -> absolute 6e-8 in log.
    expectAllClose('logScales', back.logScales, scene.logScales, 1e-6, 0);
    // colour byte: half a step of 1/255 in colour = 0.5/255/C0 in DC (colours of the fixture lie in [0.08, 0.92]).
    expectAllClose('dc', shBand(back, 0, 1), shBand(scene, 0, 1), 0.5 / 255 / SH_C0 + 1e-6, 0);
    expectAllClose('opacity', opacities(back.opacityLogits), opacities(scene.opacityLogits), 0.5 / 255 + 1e-6, 0);
    // byte = q*128 + 128: half step 1/256 per component, renormalizing at most doubles it (+ clamping at 255: 1/128).
    expectQuatsClose('quats', back.quats, scene.quats, 1 / 64);
  });

  it('rejects sizes that are not whole rows and non-positive scales', () => {
    expect(() => decodeSplat(new Uint8Array(33), 'x.splat')).toThrow(/^x\.splat: .splat size 33 is not a multiple of 32/);
    const bytes = encodeSplat(randomScene(2, 0, 1));
    new DataView(bytes.buffer).setFloat32(12, -1, true);
    expect(() => decodeSplat(bytes, 'x.splat')).toThrow(/scale of splat 0 is -1/);
  });
});

describe('glTF KHR_gaussian_splatting (GLB)', () => {
  for (const degree of [0, 1, 3]) {
    it(`round-trips SH degree ${degree} (float32 attributes)`, () => {
      const scene = randomScene(300, degree, 30 + degree);
      const bytes = encodeGlb(scene);
      const back = decodeGlb(bytes, 'rt.glb');
      expect(back.shDegree).toBe(degree);
      // Sign flips are exact; the frame change is its own inverse.
      expectAllClose('means', back.means, scene.means, 0, 0);
      expectAllClose('sh', back.sh, scene.sh, 0, 0);
      // Linear scale in float32: log(exp(x)) loses one float32 rounding.
      expectAllClose('logScales', back.logScales, scene.logScales, 1e-6, 0);
      // Opacity stored linear in float32: compare in opacity space (logit near 0/1 is ill-conditioned).
      expectAllClose('opacity', opacities(back.opacityLogits), opacities(scene.opacityLogits), 1e-6, 0);
      // Quaternion normalized in float32.
      expectQuatsClose('quats', back.quats, scene.quats, 1e-6);
    });
  }

  it('writes the release-candidate layout: POINTS primitive, xyzw rotation, linear scale, glTF y-up frame', () => {
    const scene = randomScene(3, 1, 2);
    scene.means.set([1, 2, 3], 0);
    const bytes = encodeGlb(scene);
    const view = new DataView(bytes.buffer);
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + view.getUint32(12, true))));
    const prim = json.meshes[0].primitives[0];
    expect(prim.mode).toBe(0);
    expect(prim.extensions.KHR_gaussian_splatting).toMatchObject({ kernel: 'ellipse', colorSpace: 'srgb_rec709_display' });
    expect(Object.keys(prim.attributes)).toEqual(expect.arrayContaining([
      'POSITION', 'KHR_gaussian_splatting:ROTATION', 'KHR_gaussian_splatting:SCALE', 'KHR_gaussian_splatting:OPACITY',
      'KHR_gaussian_splatting:SH_DEGREE_0_COEF_0', 'KHR_gaussian_splatting:SH_DEGREE_1_COEF_2',
    ]));
    const binStart = 20 + view.getUint32(12, true) + 8;
    const posView = json.bufferViews[json.accessors[prim.attributes.POSITION].bufferView];
    const p = new Float32Array(bytes.slice(binStart + posView.byteOffset, binStart + posView.byteOffset + 12).buffer);
    expect(Array.from(p)).toEqual([-1, -2, 3]); // 180 degrees about z: OpenCV y-down -> glTF y-up
    const sView = json.bufferViews[json.accessors[prim.attributes['KHR_gaussian_splatting:SCALE']].bufferView];
    const s0 = new Float32Array(bytes.slice(binStart + sView.byteOffset, binStart + sView.byteOffset + 4).buffer)[0];
    expect(s0).toBeCloseTo(Math.exp(scene.logScales[0]), 6);
  });

  it('rejects wrong magic, truncation and bad JSON', () => {
    const bytes = encodeGlb(randomScene(10, 0, 3));
    expect(() => decodeGlb(bytes.subarray(0, bytes.length - 8), 'a.glb')).toThrow(/^a\.glb: GLB header says/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => decodeGlb(bad, 'a.glb')).toThrow(/magic/);
    const badJson = bytes.slice();
    badJson[20] = 0x5d; // ']' where '{' was
    expect(() => decodeGlb(badJson, 'a.glb')).toThrow(/not valid JSON/);
  });
});
