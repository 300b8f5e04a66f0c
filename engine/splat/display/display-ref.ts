/**
 * Float64 reference of the display path (shaders/display/*.wgsl): the per-splat display
 * records and keys (display_project) and the composited image (sort + gather + draw).
 * Plain loops; projection, culling and colours come from the engine's projectRef, so the
 * display and training paths cannot drift apart in the splat model.
 *
 * Per visible splat: 2-D covariance Sigma2 = conic^-1; support k = min(sqrt(2 ln(o / minAlpha)), maxSigma);
 * culled when k^2 <= 0 or the ellipse's box (k sqrt(Sigma2_xx), k sqrt(Sigma2_yy)) misses the image.
 * Image: background, then every visible splat back to front (key descending, ties by index
 * descending, i.e. the reverse of a stable ascending sort) blended with premultiplied "over";
 * at a pixel centre p, m^2 = d^T conic d (d = p - centre): skipped when m^2 > k^2 or
 * alpha = min(ALPHA_MAX, o exp(-m^2 / 2)) < ALPHA_MIN.
 */
import type { Camera } from '../camera.js';
import { ALPHA_MAX, ALPHA_MIN, SIGMA_EXTENT } from '../constants.js';
import { projectRef, type SceneArrays } from '../reference/project-ref.js';
import type { DepthKeyBits } from './display-params.js';

export interface DisplayRefOptions {
  background: number[];
  shDegree?: number;
  keyBits: DepthKeyBits;
  /** Needed for 16-bit keys (display-params.ts depthRange). */
  zMin?: number;
  zMax?: number;
  /** At most SIGMA_EXTENT: projectRef culls with the engine's 3-sigma tile rectangle first. */
  maxSigma?: number;
  /** Default ALPHA_MIN. */
  minAlpha?: number;
}

export interface DisplaySplatsRef {
  count: number;
  /** [N] 0 = culled, else the depth key (display_project.wgsl). */
  keys: Float64Array;
  xy: Float64Array; // [N, 2] centre in pixels
  /** [N, 3] k^2 Sigma2 (a, b, c): the support ellipse, independent of the eigenvector's sign. */
  supportCov: Float64Array;
  conic: Float64Array; // [N, 3] Sigma2^-1
  k: Float64Array; // [N]
  color: Float64Array; // [N, 3]
  opacity: Float64Array; // [N]
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function displayProjectRef(scene: SceneArrays, cam: Camera, opts: DisplayRefOptions): DisplaySplatsRef {
  const maxSigma = opts.maxSigma ?? SIGMA_EXTENT;
  if (maxSigma > SIGMA_EXTENT) throw new Error(`displayProjectRef: maxSigma ${maxSigma} exceeds the engine's extent ${SIGMA_EXTENT}`);
  const proj = projectRef(scene, cam, opts.shDegree ?? scene.shDegree);
  const N = scene.count;
  const out: DisplaySplatsRef = {
    count: N, keys: new Float64Array(N), xy: new Float64Array(N * 2), supportCov: new Float64Array(N * 3),
    conic: new Float64Array(N * 3), k: new Float64Array(N), color: new Float64Array(N * 3), opacity: new Float64Array(N),
  };
  for (let i = 0; i < N; i++) {
    if (!proj.visible[i]) continue;
    const o = proj.opacity[i];
    const k2 = 2 * Math.log(o / (opts.minAlpha ?? ALPHA_MIN));
    if (!(k2 > 0)) continue;
    const k = Math.min(Math.sqrt(k2), maxSigma);
    const [ca, cb, cc] = [proj.conic[i * 3], proj.conic[i * 3 + 1], proj.conic[i * 3 + 2]];
    const det = ca * cc - cb * cb;
    const [A, B, C] = [cc / det, -cb / det, ca / det];
    const [x, y] = [proj.xy[i * 2], proj.xy[i * 2 + 1]];
    const hx = k * Math.sqrt(A);
    const hy = k * Math.sqrt(C);
    if (x + hx <= 0 || y + hy <= 0 || x - hx >= cam.width || y - hy >= cam.height) continue;
    out.keys[i] = depthKeyRef(proj.depth[i], opts);
    out.xy.set([x, y], i * 2);
    out.supportCov.set([k * k * A, k * k * B, k * k * C], i * 3);
    out.conic.set([ca, cb, cc], i * 3);
    out.k[i] = k;
    out.color.set([proj.color[i * 3], proj.color[i * 3 + 1], proj.color[i * 3 + 2]], i * 3);
    out.opacity[i] = o;
  }
  return out;
}

export function depthKeyRef(z: number, opts: { keyBits: DepthKeyBits; zMin?: number; zMax?: number }): number {
  if (opts.keyBits === 32) {
    f32[0] = z;
    return u32[0];
  }
  const zMin = opts.zMin!, zMax = opts.zMax!;
  const s = Math.min(1, Math.max(0, Math.log(z / zMin) / Math.log(zMax / zMin)));
  return 1 + Math.floor(s * 65534);
}

/** Visible splats in draw order (back to front). */
export function drawOrderRef(d: DisplaySplatsRef): number[] {
  const ids: number[] = [];
  for (let i = 0; i < d.count; i++) if (d.keys[i] > 0) ids.push(i);
  return ids.sort((a, b) => d.keys[b] - d.keys[a] || b - a);
}

/** [H, W, 3] composited image. */
export function displayRenderRef(scene: SceneArrays, cam: Camera, opts: DisplayRefOptions): Float64Array {
  const d = displayProjectRef(scene, cam, opts);
  const order = drawOrderRef(d);
  const { width: W, height: H } = cam;
  const img = new Float64Array(W * H * 3);
  for (let p = 0; p < W * H; p++) img.set(opts.background.slice(0, 3), p * 3);
  for (const i of order) {
    const [a, b, c] = [d.conic[i * 3], d.conic[i * 3 + 1], d.conic[i * 3 + 2]];
    const k2 = d.k[i] * d.k[i];
    for (let py = 0; py < H; py++) {
      for (let px = 0; px < W; px++) {
        const dx = px + 0.5 - d.xy[i * 2];
        const dy = py + 0.5 - d.xy[i * 2 + 1];
        const m2 = a * dx * dx + 2 * b * dx * dy + c * dy * dy;
        if (m2 > k2) continue;
        const alpha = Math.min(ALPHA_MAX, d.opacity[i] * Math.exp(-0.5 * m2));
        if (alpha < ALPHA_MIN) continue;
        const o = (py * W + px) * 3;
        for (let ch = 0; ch < 3; ch++) img[o + ch] = alpha * d.color[i * 3 + ch] + (1 - alpha) * img[o + ch];
      }
    }
  }
  return img;
}
