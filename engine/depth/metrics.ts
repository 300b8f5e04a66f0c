/**
 * Accuracy measures of depth maps that need no ground truth: cross-view consistency of the
 * confident pixels (each one reprojected into every other view and compared with that
 * view's confident depth). Used by the benches to check that more confident pixels did not
 * come from accepting wrong depth.
 */
import { relativePose } from './geometry.js';
import type { DepthMap, DepthView } from './types.js';

export interface CrossViewConsistency {
  /** Ordered view pairs with at least one compared pixel. */
  pairs: number;
  /** Median |z_i->j - z_j| / z_j over confident pixels of i landing on confident pixels of j. */
  medianRel: number;
  /** Fractions of compared pixels within 1% and 5%. */
  within1: number;
  within5: number;
  samples: number;
}

/** Reproject every confident pixel (at `stride`) of each view into every other view and compare depths. */
export function crossViewConsistency(views: DepthView[], maps: DepthMap[], stride = 2): CrossViewConsistency {
  const rel: number[] = [];
  let pairs = 0;
  for (let i = 0; i < views.length; i++) {
    for (let j = 0; j < views.length; j++) {
      if (i === j) continue;
      const a = views[i].camera, b = views[j].camera;
      const { R, t } = relativePose(a, b);
      let hits = 0;
      for (let y = 0; y < a.height; y += stride) for (let x = 0; x < a.width; x += stride) {
        const p = y * a.width + x;
        if (!(maps[i].confidence[p] > 0)) continue;
        const d = maps[i].depth[p];
        const xc = ((x + 0.5 - a.cx) / a.fx) * d, yc = ((y + 0.5 - a.cy) / a.fy) * d;
        const X = R[0] * xc + R[1] * yc + R[2] * d + t[0];
        const Y = R[3] * xc + R[4] * yc + R[5] * d + t[1];
        const Z = R[6] * xc + R[7] * yc + R[8] * d + t[2];
        if (Z <= 0) continue;
        const u = Math.floor((b.fx * X) / Z + b.cx), v = Math.floor((b.fy * Y) / Z + b.cy);
        if (u < 0 || v < 0 || u >= b.width || v >= b.height) continue;
        const q = v * b.width + u;
        if (!(maps[j].confidence[q] > 0)) continue;
        // Occluded points legitimately land behind j's surface; compare only where i's point is not hidden.
        if (Z > maps[j].depth[q] * 1.1) continue;
        rel.push(Math.abs(Z - maps[j].depth[q]) / maps[j].depth[q]);
        hits++;
      }
      if (hits > 0) pairs++;
    }
  }
  rel.sort((x, y) => x - y);
  const frac = (th: number) => rel.filter((e) => e < th).length / Math.max(rel.length, 1);
  return { pairs, medianRel: rel[rel.length >> 1] ?? Number.NaN, within1: frac(0.01), within5: frac(0.05), samples: rel.length };
}

/** Pixel observations with a known depth in one view (e.g. triangulated feature tracks). */
export interface DepthSamples {
  /** xy: [M, 2] pixel coordinates in the view's working camera */
  xy: ArrayLike<number>;
  /** depth: [M] z-depth in world units */
  depth: ArrayLike<number>;
  /**
   * pxPerInvDepth: [M] optional, pixels the point moves in its other view(s) per unit of
   * inverse depth: turns a depth difference into the disparity error it amounts to, the
   * fair measure for small baselines (where a 1 px error is many % of depth).
   */
  pxPerInvDepth?: ArrayLike<number>;
}

export interface DepthAccuracy {
  /** Samples that fell on a confident pixel. */
  compared: number;
  /** Fraction of all samples on a confident pixel (completeness where the reference exists). */
  covered: number;
  medianRel: number;
  /** Fraction of compared samples within 2% / 5% relative depth error, and beyond 10% (gross errors). */
  within2: number;
  within5: number;
  beyond10: number;
  /** With pxPerInvDepth: median disparity error (working px) and fraction within 1 px / beyond 3 px. */
  medianPx?: number;
  within1Px?: number;
  beyond3Px?: number;
}

/** Relative depth error of a map's confident pixels at reference samples (nearest pixel). */
export function depthAccuracyAt(map: DepthMap, samples: DepthSamples): DepthAccuracy {
  const rel: number[] = [];
  const px: number[] = [];
  const m = samples.depth.length;
  for (let k = 0; k < m; k++) {
    const x = Math.floor(samples.xy[2 * k]), y = Math.floor(samples.xy[2 * k + 1]);
    if (x < 0 || y < 0 || x >= map.width || y >= map.height) continue;
    const p = y * map.width + x;
    if (!(map.confidence[p] > 0)) continue;
    rel.push(Math.abs(map.depth[p] - samples.depth[k]) / samples.depth[k]);
    if (samples.pxPerInvDepth) px.push(Math.abs(1 / map.depth[p] - 1 / samples.depth[k]) * samples.pxPerInvDepth[k]);
  }
  rel.sort((a, b) => a - b);
  px.sort((a, b) => a - b);
  const n = Math.max(rel.length, 1);
  return {
    compared: rel.length,
    covered: rel.length / Math.max(m, 1),
    medianRel: rel[rel.length >> 1] ?? Number.NaN,
    within2: rel.filter((e) => e <= 0.02).length / n,
    within5: rel.filter((e) => e <= 0.05).length / n,
    beyond10: rel.filter((e) => e > 0.1).length / n,
    ...(samples.pxPerInvDepth ? { medianPx: px[px.length >> 1] ?? Number.NaN, within1Px: px.filter((e) => e <= 1).length / n, beyond3Px: px.filter((e) => e > 3).length / n } : {}),
  };
}
