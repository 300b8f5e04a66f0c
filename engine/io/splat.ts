/**
 * antimatter15 `.splat`: headerless rows of 32 bytes, little-endian:
 *   float32 x, y, z | float32 scale x, y, z (linear, = exp(logScale)) |
 *   uint8 r, g, b, a (colour = 0.5 + C0*dc, a = sigmoid(opacity), *255) |
 *   uint8 rot w, x, y, z (normalized quaternion, byte = q*128 + 128).
 * No SH beyond DC, no header, no magic: the only structural check is the size.
 * No frame conversion (viewers treat it like the INRIA PLY it came from).
 */
import { SH_C0, createScene, logit, sigmoid, type GaussianScene } from '../splat/scene.js';
import { ensure, ensureCountFits, ensureFinite } from './format-error.js';

export const SPLAT_ROW_BYTES = 32;

const clampByte = (v: number) => Math.min(255, Math.max(0, Math.round(v)));

export function encodeSplat(scene: GaussianScene): Uint8Array {
  const out = new Uint8Array(scene.count * SPLAT_ROW_BYTES);
  const view = new DataView(out.buffer);
  const K3 = (scene.shDegree + 1) ** 2 * 3;
  for (let i = 0; i < scene.count; i++) {
    const o = i * SPLAT_ROW_BYTES;
    for (let a = 0; a < 3; a++) {
      view.setFloat32(o + a * 4, scene.means[i * 3 + a], true);
      view.setFloat32(o + 12 + a * 4, Math.exp(scene.logScales[i * 3 + a]), true);
      out[o + 24 + a] = clampByte((0.5 + SH_C0 * scene.sh[i * K3 + a]) * 255);
    }
    out[o + 27] = clampByte(sigmoid(scene.opacityLogits[i]) * 255);
    const q = scene.quats.subarray(i * 4, i * 4 + 4);
    const norm = Math.hypot(q[0], q[1], q[2], q[3]);
    for (let a = 0; a < 4; a++) out[o + 28 + a] = norm > 0 ? clampByte((q[a] / norm) * 128 + 128) : a === 0 ? 255 : 128;
  }
  return out;
}

export function decodeSplat(bytes: Uint8Array, file: string): GaussianScene {
  ensure(bytes.length % SPLAT_ROW_BYTES === 0, file, `.splat size ${bytes.length} is not a multiple of ${SPLAT_ROW_BYTES} bytes (truncated or not a .splat)`);
  const n = bytes.length / SPLAT_ROW_BYTES;
  ensureCountFits(n, SPLAT_ROW_BYTES, bytes.length, file, '.splat row');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scene = createScene(n, 0);
  for (let i = 0; i < n; i++) {
    const o = i * SPLAT_ROW_BYTES;
    for (let a = 0; a < 3; a++) {
      scene.means[i * 3 + a] = view.getFloat32(o + a * 4, true);
      const s = view.getFloat32(o + 12 + a * 4, true);
      ensure(s > 0 && Number.isFinite(s), file, () => `.splat scale of splat ${i} is ${s} (must be positive and finite)`);
      scene.logScales[i * 3 + a] = Math.log(s);
      scene.sh[i * 3 + a] = (bytes[o + 24 + a] / 255 - 0.5) / SH_C0;
    }
    // Opacity byte 0/255 -> logit clamps at 1e-6 from the asymptotes.
    scene.opacityLogits[i] = logit(bytes[o + 27] / 255);
    for (let a = 0; a < 4; a++) scene.quats[i * 4 + a] = (bytes[o + 28 + a] - 128) / 128;
    // All four bytes 128 is a zero quaternion: read it as the identity.
    if (scene.quats[i * 4] === 0 && scene.quats[i * 4 + 1] === 0 && scene.quats[i * 4 + 2] === 0 && scene.quats[i * 4 + 3] === 0) scene.quats[i * 4] = 1;
  }
  ensureFinite(scene.means, file, 'position', 3);
  return scene;
}
