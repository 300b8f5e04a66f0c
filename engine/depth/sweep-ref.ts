/**
 * Float64 CPU references of the plane-sweep kernels (shaders/depth/*.wgsl): plain loops,
 * same arithmetic, used by the tests to check the GPU kernels.
 */

export interface SweepInputs {
  width: number;
  height: number;
  /** ref: [H, W] */
  ref: ArrayLike<number>;
  /** src: [S, H, W] */
  src: ArrayLike<number>;
  /** warp: [S, 12] A (3x3) and b per source, see geometry.sweepWarp */
  warp: ArrayLike<number>;
  /** invDepth: [D] */
  invDepth: ArrayLike<number>;
  radius: number;
  bestK: number;
  minVar: number;
}

function sampleBilinear(img: ArrayLike<number>, base: number, w: number, h: number, x: number, y: number): number {
  const fx = Math.min(Math.max(x - 0.5, 0), w - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), h - 1);
  const x0 = Math.min(Math.floor(fx), w - 1);
  const y0 = Math.min(Math.floor(fy), h - 1);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = fx - x0;
  const ay = fy - y0;
  const top = img[base + y0 * w + x0] * (1 - ax) + img[base + y0 * w + x1] * ax;
  const bot = img[base + y1 * w + x0] * (1 - ax) + img[base + y1 * w + x1] * ax;
  return top * (1 - ay) + bot * ay;
}

/** Aggregated matching cost, [D, H, W] (see shaders/depth/sweep_cost.wgsl). */
export function sweepCostRef(inp: SweepInputs): Float64Array {
  const { width: w, height: h, ref, src, warp, invDepth, radius, bestK, minVar } = inp;
  const S = warp.length / 12;
  const D = invDepth.length;
  const out = new Float64Array(D * w * h);
  const taps = (2 * radius + 1) ** 2;
  const costs = new Float64Array(S);
  for (let d = 0; d < D; d++) {
    const rho = invDepth[d];
    for (let py = 0; py < h; py++) {
      for (let px = 0; px < w; px++) {
        for (let s = 0; s < S; s++) {
          const o = s * 12;
          const project = (u: number, v: number): [number, number, number] => {
            const z = warp[o + 6] * u + warp[o + 7] * v + warp[o + 8] + rho * warp[o + 11];
            const x = (warp[o] * u + warp[o + 1] * v + warp[o + 2] + rho * warp[o + 9]) / z;
            const y = (warp[o + 3] * u + warp[o + 4] * v + warp[o + 5] + rho * warp[o + 10]) / z;
            return [x, y, z];
          };
          costs[s] = 1;
          const [cx, cy, cz] = project(px + 0.5, py + 0.5);
          if (cz <= 0 || cx < 0 || cy < 0 || cx > w || cy > h) continue;
          let sr = 0, ss = 0, srr = 0, sss = 0, srs = 0;
          for (let dy = -radius; dy <= radius; dy++) {
            for (let dx = -radius; dx <= radius; dx++) {
              const qx = Math.min(Math.max(px + dx, 0), w - 1);
              const qy = Math.min(Math.max(py + dy, 0), h - 1);
              const r = ref[qy * w + qx];
              const [x, y] = project(qx + 0.5, qy + 0.5);
              const t = sampleBilinear(src, s * w * h, w, h, x, y);
              sr += r; ss += t; srr += r * r; sss += t * t; srs += r * t;
            }
          }
          const mr = sr / taps, ms = ss / taps;
          const varR = srr / taps - mr * mr;
          const varS = sss / taps - ms * ms;
          if (varR < minVar || varS < minVar) continue;
          const ncc = (srs / taps - mr * ms) / Math.sqrt(varR * varS);
          costs[s] = Math.min(Math.max(1 - ncc, 0), 2);
        }
        const sorted = Array.from(costs).sort((a, b) => a - b);
        const k = Math.min(bestK, S);
        let total = 0;
        for (let i = 0; i < k; i++) total += sorted[i];
        out[d * w * h + py * w + px] = total / Math.max(k, 1);
      }
    }
  }
  return out;
}

export interface WtaResult {
  /** depth: [H, W] */
  depth: Float64Array;
  /** confidence: [H, W] */
  confidence: Float64Array;
  /** bestCost: [H, W] */
  bestCost: Float64Array;
}

/** Winner-take-all + parabolic refinement (see shaders/depth/wta_refine.wgsl). */
export function wtaRefineRef(cost: ArrayLike<number>, invDepth: ArrayLike<number>, width: number, height: number): WtaResult {
  const hw = width * height;
  const D = invDepth.length;
  const depth = new Float64Array(hw);
  const confidence = new Float64Array(hw);
  const bestCost = new Float64Array(hw);
  for (let p = 0; p < hw; p++) {
    let iMin = 0;
    let cMin = cost[p];
    for (let i = 1; i < D; i++) {
      if (cost[i * hw + p] < cMin) {
        cMin = cost[i * hw + p];
        iMin = i;
      }
    }
    let cSecond = 2;
    for (let i = 0; i < D; i++) {
      if (Math.abs(i - iMin) <= 1) continue;
      const c = cost[i * hw + p];
      const leftOk = i === 0 || c < cost[(i - 1) * hw + p];
      const rightOk = i === D - 1 || c <= cost[(i + 1) * hw + p];
      if (leftOk && rightOk) cSecond = Math.min(cSecond, c);
    }
    let rho = invDepth[iMin];
    let conf = clamp01(1 - cMin) * clamp01(1 - cMin / Math.max(cSecond, 1e-6));
    if (iMin === 0 || iMin === D - 1) conf = 0;
    else {
      const cm = cost[(iMin - 1) * hw + p];
      const cp = cost[(iMin + 1) * hw + p];
      const curv = cm - 2 * cMin + cp;
      if (curv > 1e-6) {
        const off = Math.min(Math.max((0.5 * (cm - cp)) / curv, -0.5), 0.5);
        rho += off > 0 ? off * (invDepth[iMin + 1] - invDepth[iMin]) : off * (invDepth[iMin] - invDepth[iMin - 1]);
      }
    }
    depth[p] = 1 / rho;
    confidence[p] = conf;
    bestCost[p] = cMin;
  }
  return { depth, confidence, bestCost };
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}

export interface ConsistencyInputs {
  width: number;
  height: number;
  /** refDepth: [H, W] */
  refDepth: ArrayLike<number>;
  /** srcDepth: [S, H, W] */
  srcDepth: ArrayLike<number>;
  /** cams: [S, 32], see shaders/depth/consistency.wgsl */
  cams: ArrayLike<number>;
  maxReprojPx: number;
  maxRelDepth: number;
}

/**
 * Round trip of reference pixel centre (u, v) at depth d through source s's depth map (see
 * shaders/depth/round_trip.wgsl): [error in pixels, depth back in the reference frame], or
 * null when it falls behind a camera, outside the source image or on an unknown depth.
 */
function roundTripRef(cams: ArrayLike<number>, srcDepth: ArrayLike<number>, w: number, h: number, s: number, u: number, v: number, d: number): [number, number] | null {
  const o = s * 32;
  const rigid = (b: number, x: number[]) => [
    cams[b] * x[0] + cams[b + 1] * x[1] + cams[b + 2] * x[2] + cams[b + 9],
    cams[b + 3] * x[0] + cams[b + 4] * x[1] + cams[b + 5] * x[2] + cams[b + 10],
    cams[b + 6] * x[0] + cams[b + 7] * x[1] + cams[b + 8] * x[2] + cams[b + 11],
  ];
  const [rfx, rfy, rcx, rcy] = [cams[o + 28], cams[o + 29], cams[o + 30], cams[o + 31]];
  const [sfx, sfy, scx, scy] = [cams[o + 24], cams[o + 25], cams[o + 26], cams[o + 27]];
  const xs = rigid(o, [((u - rcx) / rfx) * d, ((v - rcy) / rfy) * d, d]);
  if (xs[2] <= 0) return null;
  const us = (sfx * xs[0]) / xs[2] + scx;
  const vs = (sfy * xs[1]) / xs[2] + scy;
  if (us < 0 || vs < 0 || us >= w || vs >= h) return null;
  const ds = srcDepth[s * w * h + Math.floor(vs) * w + Math.floor(us)];
  if (!(ds > 0)) return null;
  const xr = rigid(o + 12, [((us - scx) / sfx) * ds, ((vs - scy) / sfy) * ds, ds]);
  if (xr[2] <= 0) return null;
  return [Math.hypot((rfx * xr[0]) / xr[2] + rcx - u, (rfy * xr[1]) / xr[2] + rcy - v), xr[2]];
}

/** Forward-backward reprojection check (see shaders/depth/consistency.wgsl). */
export function consistencyRef(inp: ConsistencyInputs): { count: Float64Array; minError: Float64Array } {
  const { width: w, height: h, refDepth, srcDepth, cams, maxReprojPx, maxRelDepth } = inp;
  const S = cams.length / 32;
  const count = new Float64Array(w * h);
  const minError = new Float64Array(w * h).fill(1e9);
  for (let p = 0; p < w * h; p++) {
    const u = (p % w) + 0.5;
    const v = Math.floor(p / w) + 0.5;
    const d = refDepth[p];
    if (!(d > 0)) continue;
    for (let s = 0; s < S; s++) {
      const rt = roundTripRef(cams, srcDepth, w, h, s, u, v, d);
      if (!rt) continue;
      minError[p] = Math.min(minError[p], rt[0]);
      if (rt[0] < maxReprojPx && Math.abs(rt[1] - d) < maxRelDepth * d) count[p]++;
    }
  }
  return { count, minError };
}

/** One box-filter pass along `axis` (0 = x, 1 = y) over each plane (see shaders/depth/cost_filter.wgsl). */
export function costFilterRef(cost: ArrayLike<number>, width: number, height: number, planes: number, radius: number, axis: 0 | 1): Float64Array {
  const out = new Float64Array(width * height * planes);
  for (let d = 0; d < planes; d++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let total = 0;
        let n = 0;
        for (let k = -radius; k <= radius; k++) {
          const qx = axis === 0 ? x + k : x;
          const qy = axis === 1 ? y + k : y;
          if (qx < 0 || qy < 0 || qx >= width || qy >= height) continue;
          total += cost[d * width * height + qy * width + qx];
          n++;
        }
        out[d * width * height + y * width + x] = total / n;
      }
    }
  }
  return out;
}

export interface GeomCostInputs {
  width: number;
  height: number;
  /** srcDepth: [S, H, W], <= 0 = unknown */
  srcDepth: ArrayLike<number>;
  /** cams: [S, 32], see shaders/depth/consistency.wgsl */
  cams: ArrayLike<number>;
  /** invDepth: [D] */
  invDepth: ArrayLike<number>;
  weight: number;
  maxPx: number;
}

/** Cost volume [D, H, W] plus the geometric-consistency term (see shaders/depth/geom_cost.wgsl). */
export function geomCostRef(cost: ArrayLike<number>, inp: GeomCostInputs): Float64Array {
  const { width: w, height: h, srcDepth, cams, invDepth, weight, maxPx } = inp;
  const S = cams.length / 32;
  const out = Float64Array.from(cost);
  for (let k = 0; k < invDepth.length; k++) {
    const d = 1 / invDepth[k];
    for (let p = 0; p < w * h; p++) {
      const u = (p % w) + 0.5;
      const v = Math.floor(p / w) + 0.5;
      let best = maxPx;
      for (let s = 0; s < S; s++) {
        const rt = roundTripRef(cams, srcDepth, w, h, s, u, v, d);
        if (rt) best = Math.min(best, rt[0]);
      }
      out[k * w * h + p] += weight * best;
    }
  }
  return out;
}
