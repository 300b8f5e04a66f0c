/**
 * Edge-aware hole filling of a depth map: every pixel without a confident depth looks
 * along 8 directions for the nearest confident pixel and takes the weighted median of
 * those candidates' depths, weighted by colour similarity and closeness, so a hole
 * takes the depth of the surface that looks like it rather than averaging across an edge.
 */

export interface HoleFillOptions {
  /** Longest search distance in pixels (default: a quarter of the longer side). */
  maxDistance?: number;
  /** Colour difference scale (RGB in [0, 1]; default 0.1). */
  sigmaColor?: number;
}

const DIRS = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];

/**
 * Returns a filled copy of `depth` and a mask of filled pixels. `valid`: [H, W] 1 = a
 * confident depth to keep and to fill from; `mask`: [H, W] pixels that should get a depth
 * at all (absent = all). Pixels with no candidate in range stay 0.
 */
export function fillHoles(
  width: number,
  height: number,
  depth: Float32Array,
  valid: Uint8Array,
  rgb: Float32Array,
  mask?: Uint8Array,
  opts: HoleFillOptions = {},
): { depth: Float32Array; filled: Uint8Array } {
  const maxDist = opts.maxDistance ?? Math.ceil(Math.max(width, height) / 4);
  const inv2s2 = 1 / (2 * (opts.sigmaColor ?? 0.1) ** 2);
  const out = new Float32Array(width * height);
  const filled = new Uint8Array(width * height);
  const cand: { d: number; w: number }[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (valid[p]) {
        out[p] = depth[p];
        continue;
      }
      if (mask && !mask[p]) continue;
      cand.length = 0;
      for (const [dx, dy] of DIRS) {
        for (let k = 1; k <= maxDist; k++) {
          const qx = x + dx * k;
          const qy = y + dy * k;
          if (qx < 0 || qy < 0 || qx >= width || qy >= height) break;
          const q = qy * width + qx;
          if (mask && !mask[q]) break; // do not fill across the mask boundary
          if (!valid[q]) continue;
          let c2 = 0;
          for (let c = 0; c < 3; c++) c2 += (rgb[p * 3 + c] - rgb[q * 3 + c]) ** 2;
          cand.push({ d: depth[q], w: Math.exp(-c2 * inv2s2) / (k * Math.hypot(dx, dy)) });
          break;
        }
      }
      if (cand.length === 0) continue;
      out[p] = weightedMedian(cand);
      filled[p] = 1;
    }
  }
  return { depth: out, filled };
}

function weightedMedian(c: { d: number; w: number }[]): number {
  c.sort((a, b) => a.d - b.d);
  let total = 0;
  for (const e of c) total += e.w;
  let acc = 0;
  for (const e of c) {
    acc += e.w;
    if (acc >= total / 2) return e.d;
  }
  return c[c.length - 1].d;
}
