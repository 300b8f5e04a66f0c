/**
 * INRIA 3DGS PLY (the format of graphdeco-inria/gaussian-splatting `point_cloud.ply`).
 *
 * Vertex properties, all float32: x y z, nx ny nz (unused, written as 0),
 * f_dc_0..2 (SH DC per channel), f_rest_0..M-1 (channel-major: all
 * coefficients k = 1..K-1 of red, then green, then blue; M = 3(K-1) = 0/9/24/45
 * for SH degree 0/1/2/3), opacity (logit), scale_0..2 (log), rot_0..3 (w x y z).
 * No frame conversion: the PLY holds the scene in our (OpenCV-style) world.
 *
 * Reader: binary LE/BE or ASCII, any property order, extra properties ignored,
 * any numeric property type; a plain point cloud with red/green/blue (uchar)
 * instead of f_dc_* is accepted as degree-0 colour.
 */
import { createScene, rgbToShDc, shCoeffCount, type GaussianScene } from '../splat/scene.js';
import { ensure, ensureFinite } from './format-error.js';
import {
  binaryElementOffsets, littleEndianHost, parsePlyHeader, plyHeaderText, readAsciiElements, readBinaryElement,
  type PlyColumns,
} from './ply-header.js';

const REST_COUNT_TO_DEGREE: Record<number, number> = { 0: 0, 9: 1, 24: 2, 45: 3 };

export function decodePly(bytes: Uint8Array, file: string): GaussianScene {
  const header = parsePlyHeader(bytes, file);
  const vi = header.elements.findIndex((e) => e.name === 'vertex');
  ensure(vi >= 0, file, "PLY has no 'vertex' element");
  const vertex = header.elements[vi];
  ensure(!header.elements.some((e) => e.name === 'chunk'), file, "this is a compressed PLY ('chunk' element); read it with the compressed-ply reader");
  const names = new Set(vertex.properties.map((p) => p.name));
  const restNames = vertex.properties.map((p) => p.name).filter((n) => /^f_rest_\d+$/.test(n));
  const shDegree = REST_COUNT_TO_DEGREE[restNames.length];
  ensure(shDegree !== undefined, file, `PLY has ${restNames.length} f_rest_* properties; expected 0, 9, 24 or 45`);
  for (let r = 0; r < restNames.length; r++) ensure(names.has(`f_rest_${r}`), file, `PLY f_rest_* properties are not f_rest_0..${restNames.length - 1}`);
  const hasDc = ['f_dc_0', 'f_dc_1', 'f_dc_2'].every((n) => names.has(n));
  const hasRgb = ['red', 'green', 'blue'].every((n) => names.has(n));
  const required = ['x', 'y', 'z', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'];
  for (const n of required) ensure(names.has(n), file, `PLY vertex has no '${n}' property (not a 3DGS PLY)`);
  ensure(hasDc || hasRgb, file, "PLY vertex has neither f_dc_0..2 nor red/green/blue");
  const wanted = [...required, ...restNames, ...(hasDc ? ['f_dc_0', 'f_dc_1', 'f_dc_2'] : ['red', 'green', 'blue'])];

  let cols: PlyColumns;
  if (header.encoding === 'ascii') {
    cols = readAsciiElements(bytes, header, file, wanted)[vi];
  } else {
    const offsets = binaryElementOffsets(header, bytes.length, file);
    cols = readBinaryElement(bytes, header, vi, offsets[vi], wanted);
  }
  const n = vertex.count;
  const scene = createScene(n, shDegree);
  const K = shCoeffCount(shDegree);
  const col = (name: string) => cols.get(name)!;
  const rgbScale = vertex.properties.find((p) => p.name === 'red')?.type === 'float' ? 1 : 1 / 255;
  const dc = hasDc ? [col('f_dc_0'), col('f_dc_1'), col('f_dc_2')] : [col('red'), col('green'), col('blue')];
  const rest = restNames.map((_, r) => col(`f_rest_${r}`));
  const [x, y, z, op, s0, s1, s2, r0, r1, r2, r3] = required.map(col);
  for (let i = 0; i < n; i++) {
    scene.means[i * 3] = x[i];
    scene.means[i * 3 + 1] = y[i];
    scene.means[i * 3 + 2] = z[i];
    scene.logScales[i * 3] = s0[i];
    scene.logScales[i * 3 + 1] = s1[i];
    scene.logScales[i * 3 + 2] = s2[i];
    scene.quats[i * 4] = r0[i];
    scene.quats[i * 4 + 1] = r1[i];
    scene.quats[i * 4 + 2] = r2[i];
    scene.quats[i * 4 + 3] = r3[i];
    scene.opacityLogits[i] = op[i];
    for (let c = 0; c < 3; c++) {
      scene.sh[i * K * 3 + c] = hasDc ? dc[c][i] : rgbToShDc(dc[c][i] * rgbScale);
      for (let k = 1; k < K; k++) scene.sh[(i * K + k) * 3 + c] = rest[c * (K - 1) + (k - 1)][i];
    }
  }
  ensureFinite(scene.means, file, 'position', 3);
  ensureFinite(scene.logScales, file, 'scale', 3);
  ensureFinite(scene.quats, file, 'rotation', 4);
  ensureFinite(scene.opacityLogits, file, 'opacity', 1);
  ensureFinite(scene.sh, file, 'SH coefficient', K * 3);
  return scene;
}

/** Property names of an INRIA PLY of the given SH degree, in the canonical order. */
export function inriaPropertyNames(shDegree: number): string[] {
  const rest = 3 * (shCoeffCount(shDegree) - 1);
  return [
    'x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2',
    ...Array.from({ length: rest }, (_, r) => `f_rest_${r}`),
    'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3',
  ];
}

export function encodePly(scene: GaussianScene): Uint8Array {
  if (!littleEndianHost()) throw new Error('encodePly assumes a little-endian host');
  const names = inriaPropertyNames(scene.shDegree);
  const header = new TextEncoder().encode(
    plyHeaderText([{ name: 'vertex', count: scene.count, properties: names.map((name) => ({ name, type: 'float' })) }], ['generated by Sparrow']),
  );
  const P = names.length;
  const K = shCoeffCount(scene.shDegree);
  const body = new Float32Array(scene.count * P);
  for (let i = 0; i < scene.count; i++) {
    const o = i * P;
    body[o] = scene.means[i * 3];
    body[o + 1] = scene.means[i * 3 + 1];
    body[o + 2] = scene.means[i * 3 + 2];
    // o+3..5: normals stay 0
    for (let c = 0; c < 3; c++) {
      body[o + 6 + c] = scene.sh[i * K * 3 + c];
      for (let k = 1; k < K; k++) body[o + 9 + c * (K - 1) + (k - 1)] = scene.sh[(i * K + k) * 3 + c];
    }
    const t = o + 9 + 3 * (K - 1);
    body[t] = scene.opacityLogits[i];
    body[t + 1] = scene.logScales[i * 3];
    body[t + 2] = scene.logScales[i * 3 + 1];
    body[t + 3] = scene.logScales[i * 3 + 2];
    body[t + 4] = scene.quats[i * 4];
    body[t + 5] = scene.quats[i * 4 + 1];
    body[t + 6] = scene.quats[i * 4 + 2];
    body[t + 7] = scene.quats[i * 4 + 3];
  }
  const out = new Uint8Array(header.length + body.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(body.buffer), header.length);
  return out;
}
