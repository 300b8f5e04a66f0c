/**
 * Host side of `RenderUniforms` (shaders/splat/render_uniforms.wgsl) and the cut-off defines
 * every splat kernel is compiled with.
 */
import type { Defines } from '../gpu/kernel.js';
import { cameraCenter, type Camera } from './camera.js';
import { ALPHA_MAX, ALPHA_MIN, FRUSTUM_MARGIN, LOW_PASS, NEAR_PLANE, SIGMA_EXTENT, TRANSMITTANCE_MIN, tileGrid } from './constants.js';

/** 11 vec4s. */
export const RENDER_UNIFORMS_BYTES = 176;

export const SPLAT_DEFINES: Defines = {
  LOW_PASS: floatLiteral(LOW_PASS),
  SIGMA_EXTENT: floatLiteral(SIGMA_EXTENT),
  ALPHA_MIN: floatLiteral(ALPHA_MIN),
  ALPHA_MAX: floatLiteral(ALPHA_MAX),
  T_MIN: floatLiteral(TRANSMITTANCE_MIN),
};

function floatLiteral(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

export interface UniformInputs {
  camera: Camera;
  background: number[];
  count: number;
  /** SH degree evaluated (<= the scene's). */
  shDegree: number;
  /** SH coefficients per splat stored in the buffer. */
  shStride: number;
  intersections: number;
}

export function packRenderUniforms(x: UniformInputs): ArrayBuffer {
  const buf = new ArrayBuffer(RENDER_UNIFORMS_BYTES);
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  const { R, t, fx, fy, cx, cy, width, height } = x.camera;
  f.set([R[0], R[1], R[2], 0, R[3], R[4], R[5], 0, R[6], R[7], R[8], 0], 0);
  f.set([t[0], t[1], t[2], NEAR_PLANE], 12);
  f.set([fx, fy, cx, cy], 16);
  f.set([...cameraCenter(x.camera), 0], 20);
  f.set([x.background[0], x.background[1], x.background[2], 0], 24);
  const halfX = FRUSTUM_MARGIN * ((0.5 * width) / fx);
  const halfY = FRUSTUM_MARGIN * ((0.5 * height) / fy);
  f.set([(width - cx) / fx + halfX, cx / fx + halfX, (height - cy) / fy + halfY, cy / fy + halfY], 28);
  const { tilesX, tilesY } = tileGrid(width, height);
  u.set([width, height, tilesX, tilesY], 32);
  u.set([x.count, x.shDegree, x.shStride, x.intersections], 36);
  return buf;
}
