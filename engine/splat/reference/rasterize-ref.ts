/**
 * Float64 reference of tile rasterization (shaders/splat/rasterize_forward.wgsl and
 * rasterize_backward.wgsl). Plain loops: for every pixel, every splat in depth order whose
 * tile rectangle contains the pixel's tile, with the GPU's cut-offs:
 *   alpha = min(ALPHA_MAX, opacity * exp(-0.5 d^T conic d)), d = mean - pixelCentre;
 *   skipped when alpha < ALPHA_MIN; the pixel stops (without blending) at the first splat
 *   that would take transmittance below TRANSMITTANCE_MIN.
 * Outputs: color = sum w_i c_i + T_final * background, alpha = 1 - T_final,
 *          depth = sum w_i z_i (expected depth, not normalised by alpha), w_i = alpha_i T_i.
 */
import { ALPHA_MAX, ALPHA_MIN, TILE_SIZE, TRANSMITTANCE_MIN } from '../constants.js';
import type { Projected2D, Projected2DGrads } from './project-ref.js';

export interface RasterOutputRef {
  color: Float64Array; // [H, W, 3]
  alpha: Float64Array; // [H, W]
  depth: Float64Array; // [H, W]
}

export interface RasterCotangents {
  vColor: ArrayLike<number>; // [H, W, 3]
  vAlpha?: ArrayLike<number>; // [H, W]
  vDepth?: ArrayLike<number>; // [H, W]
}

/**
 * Visible splats front to back: by depth rounded to float32 (what the GPU sorts on), ties by
 * index (the GPU sort is stable over an identity-initialised index list).
 */
export function depthOrderRef(proj: Projected2D): number[] {
  const ids: number[] = [];
  for (let i = 0; i < proj.count; i++) if (proj.visible[i]) ids.push(i);
  return ids.sort((a, b) => Math.fround(proj.depth[a]) - Math.fround(proj.depth[b]) || a - b);
}

interface Blend {
  id: number;
  alpha: number;
  T: number; // transmittance in front of this splat
  gauss: number; // exp(power)
  clamped: boolean;
  dx: number;
  dy: number;
}

/** The splats blended at pixel (px, py), front to back, and the final transmittance. */
function blendList(proj: Projected2D, order: number[], px: number, py: number): { list: Blend[]; T: number } {
  const tx = Math.floor(px / TILE_SIZE);
  const ty = Math.floor(py / TILE_SIZE);
  const list: Blend[] = [];
  let T = 1;
  for (const id of order) {
    const r = proj.tileRect;
    if (tx < r[id * 4] || tx >= r[id * 4 + 2] || ty < r[id * 4 + 1] || ty >= r[id * 4 + 3]) continue;
    const dx = proj.xy[id * 2] - (px + 0.5);
    const dy = proj.xy[id * 2 + 1] - (py + 0.5);
    const [a, b, c] = [proj.conic[id * 3], proj.conic[id * 3 + 1], proj.conic[id * 3 + 2]];
    const power = -0.5 * (a * dx * dx + c * dy * dy) - b * dx * dy;
    if (power > 0) continue;
    const gauss = Math.exp(power);
    const raw = proj.opacity[id] * gauss;
    const alpha = Math.min(ALPHA_MAX, raw);
    if (alpha < ALPHA_MIN) continue;
    const next = T * (1 - alpha);
    if (next < TRANSMITTANCE_MIN) break;
    list.push({ id, alpha, T, gauss, clamped: raw > ALPHA_MAX, dx, dy });
    T = next;
  }
  return { list, T };
}

export function rasterizeForwardRef(
  proj: Projected2D,
  width: number,
  height: number,
  background: number[],
  order = depthOrderRef(proj),
): RasterOutputRef {
  const color = new Float64Array(width * height * 3);
  const alpha = new Float64Array(width * height);
  const depth = new Float64Array(width * height);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const pix = py * width + px;
      const { list, T } = blendList(proj, order, px, py);
      for (const e of list) {
        const w = e.alpha * e.T;
        for (let c = 0; c < 3; c++) color[pix * 3 + c] += w * proj.color[e.id * 3 + c];
        depth[pix] += w * proj.depth[e.id];
      }
      for (let c = 0; c < 3; c++) color[pix * 3 + c] += T * background[c];
      alpha[pix] = 1 - T;
    }
  }
  return { color, alpha, depth };
}

/** Gradients of <cotangents, outputs> with respect to the projected splats. */
export function rasterizeBackwardRef(
  proj: Projected2D,
  width: number,
  height: number,
  background: number[],
  cot: RasterCotangents,
  order = depthOrderRef(proj),
): Projected2DGrads {
  const N = proj.count;
  const g: Projected2DGrads = {
    vXy: new Float64Array(N * 2),
    vConic: new Float64Array(N * 3),
    vOpacity: new Float64Array(N),
    vDepth: new Float64Array(N),
    vColor: new Float64Array(N * 3),
  };
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const pix = py * width + px;
      const { list } = blendList(proj, order, px, py);
      const dC = [cot.vColor[pix * 3], cot.vColor[pix * 3 + 1], cot.vColor[pix * 3 + 2]];
      const dA = cot.vAlpha ? cot.vAlpha[pix] : 0;
      const dD = cot.vDepth ? cot.vDepth[pix] : 0;
      // What lies behind splat j, as seen through it (normalised by the transmittance behind j).
      const behindColor = [...background];
      let behindAlpha = 0;
      let behindDepth = 0;
      for (let j = list.length - 1; j >= 0; j--) {
        const e = list[j];
        const c = [proj.color[e.id * 3], proj.color[e.id * 3 + 1], proj.color[e.id * 3 + 2]];
        const z = proj.depth[e.id];
        const w = e.alpha * e.T;
        for (let k = 0; k < 3; k++) g.vColor[e.id * 3 + k] += w * dC[k];
        g.vDepth[e.id] += w * dD;
        let vAlpha = 0;
        for (let k = 0; k < 3; k++) vAlpha += (c[k] - behindColor[k]) * dC[k];
        vAlpha += (1 - behindAlpha) * dA + (z - behindDepth) * dD;
        vAlpha *= e.T;
        if (!e.clamped) {
          g.vOpacity[e.id] += e.gauss * vAlpha;
          const vPower = e.alpha * vAlpha;
          const [a, b, cc] = [proj.conic[e.id * 3], proj.conic[e.id * 3 + 1], proj.conic[e.id * 3 + 2]];
          g.vConic[e.id * 3] += -0.5 * e.dx * e.dx * vPower;
          g.vConic[e.id * 3 + 1] += -e.dx * e.dy * vPower;
          g.vConic[e.id * 3 + 2] += -0.5 * e.dy * e.dy * vPower;
          g.vXy[e.id * 2] += -(a * e.dx + b * e.dy) * vPower;
          g.vXy[e.id * 2 + 1] += -(b * e.dx + cc * e.dy) * vPower;
        }
        for (let k = 0; k < 3; k++) behindColor[k] = e.alpha * c[k] + (1 - e.alpha) * behindColor[k];
        behindAlpha = e.alpha + (1 - e.alpha) * behindAlpha;
        behindDepth = e.alpha * z + (1 - e.alpha) * behindDepth;
      }
    }
  }
  return g;
}
