/**
 * Adaptive density control (3DGS §5.2). The decision runs on the host from the small
 * fields (means, scales, rotations, opacities) and the accumulated statistics; it yields
 * an index map that the GPU gathers SH and Adam moments with (train/gather.ts), so every
 * moment row follows its Gaussian:
 * - clone: mean view-space gradient > threshold and max scale <= percentDense·extent
 *   -> one copy (same parameters, zero moments, as 3DGS);
 * - split: gradient > threshold and larger -> two children sampled from the Gaussian,
 *   scales / 1.6, the original removed;
 * - prune: opacity < pruneOpacity, and (after the first opacity reset) world scale >
 *   pruneWorldSize·extent (no screen-size pruning: the rasterizer keeps no max radius; gsplat's
 *   default also prunes by world size only);
 * - cap: when the result would exceed maxGaussians, the highest-gradient candidates win,
 *   and if survivors alone exceed it the least opaque are pruned.
 * Output row order: survivors (original order), clones, split children.
 */
import { logit, sigmoid, type GaussianScene } from '../splat/scene.js';
import { gatherRows, PARAM_NAMES, rowWidths, type AdamMoments, type ParamName } from './params.js';
import { normal } from '../math/random.js';

/** Per-Gaussian statistics accumulated between densification steps (host copies). */
export interface RefineStats {
  /** [N] sum over views of the view-space positional gradient norm (NDC units) */
  gradAccum: Float32Array;
  /** [N] number of views the Gaussian was visible in */
  visCount: Float32Array;
}

/** The small per-Gaussian fields densification decides on and rewrites. */
export interface Geometry {
  count: number;
  means: Float32Array; // [N, 3]
  logScales: Float32Array; // [N, 3]
  quats: Float32Array; // [N, 4]
  opacityLogits: Float32Array; // [N]
}

export interface DensifyParams {
  gradThreshold: number;
  percentDense: number;
  extent: number;
  pruneOpacity: number;
  /** World-size pruning (after the first opacity reset): scale > pruneWorldSize * extent; 0 disables. */
  pruneWorldSize: number;
  /** Hard cap on the count (0: none). */
  maxGaussians: number;
  /** Whether clone/split run, or only prune. */
  grow: boolean;
}

export interface DensifyReport {
  before: number;
  after: number;
  cloned: number;
  split: number;
  pruned: number;
}

/**
 * What one densification does: new row r < keep.length is old row keep[r]; rows after are
 * copies of old rows append[r - keep.length] (clones, then two children per split) with
 * fresh (zero) Adam moments. `geometry` holds the new rows' small fields in full (split
 * children already moved and shrunk); SH rows follow the same index map.
 */
export interface DensifyPlan {
  keep: Uint32Array;
  append: Uint32Array;
  geometry: Geometry;
  report: DensifyReport;
}

export function planDensify(geom: Geometry, stats: RefineStats, p: DensifyParams, rand: () => number): DensifyPlan {
  const N = geom.count;
  const maxScale = (i: number) => Math.exp(Math.max(geom.logScales[i * 3], geom.logScales[i * 3 + 1], geom.logScales[i * 3 + 2]));
  const prune = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const op = sigmoid(geom.opacityLogits[i]);
    const big = p.pruneWorldSize > 0 && maxScale(i) > p.pruneWorldSize * p.extent;
    // NaN parameters are pruned too: they can only poison the optimizer.
    if (!(op >= p.pruneOpacity) || big || !Number.isFinite(geom.means[i * 3] + geom.means[i * 3 + 1] + geom.means[i * 3 + 2])) prune[i] = 1;
  }
  const candidates: { i: number; g: number; split: boolean }[] = [];
  if (p.grow) {
    for (let i = 0; i < N; i++) {
      if (prune[i] || !(stats.visCount[i] > 0)) continue;
      const g = stats.gradAccum[i] / stats.visCount[i];
      if (g >= p.gradThreshold) candidates.push({ i, g, split: maxScale(i) > p.percentDense * p.extent });
    }
  }
  let survivors = 0;
  for (let i = 0; i < N; i++) if (!prune[i]) survivors++;
  if (p.maxGaussians > 0) {
    if (survivors > p.maxGaussians) {
      // Over the cap before growing: drop the least opaque.
      const order = Array.from({ length: N }, (_, i) => i).filter((i) => !prune[i]).sort((a, b) => geom.opacityLogits[a] - geom.opacityLogits[b] || a - b);
      for (let k = 0; k < survivors - p.maxGaussians; k++) prune[order[k]] = 1;
      survivors = p.maxGaussians;
    }
    // Each clone or split adds one Gaussian; the highest gradients win the remaining room.
    candidates.sort((a, b) => b.g - a.g || a.i - b.i);
    candidates.length = Math.min(candidates.length, p.maxGaussians - survivors);
  }
  const clones = candidates.filter((c) => !c.split).map((c) => c.i).sort((a, b) => a - b);
  const splits = candidates.filter((c) => c.split).map((c) => c.i).sort((a, b) => a - b);
  const prunedOnly = N - survivors;
  for (const i of splits) prune[i] = 1;
  const keepList: number[] = [];
  for (let i = 0; i < N; i++) if (!prune[i]) keepList.push(i);
  const keep = Uint32Array.from(keepList);
  const append = Uint32Array.from([...clones, ...splits.flatMap((i) => [i, i])]);

  const widths = { means: 3, logScales: 3, quats: 4, opacityLogits: 1 } as const;
  const rows = Uint32Array.from([...keep, ...append]);
  const take = (src: Float32Array, w: number) => gatherRows(src, w, rows);
  const g: Geometry = {
    count: rows.length,
    means: take(geom.means, widths.means),
    logScales: take(geom.logScales, widths.logScales),
    quats: take(geom.quats, widths.quats),
    opacityLogits: take(geom.opacityLogits, widths.opacityLogits),
  };
  // Split children: mean + R (s ⊙ z), z ~ N(0, I); scales / (0.8 · 2) (3DGS).
  const shrink = Math.log(0.8 * 2);
  const first = keep.length + clones.length;
  splits.forEach((i, j) => {
    const [w, x, y, z] = normQuat(geom.quats, i);
    const R = [
      1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
    ];
    for (let c = 0; c < 2; c++) {
      const row = first + j * 2 + c;
      const s = [0, 1, 2].map((a) => Math.exp(geom.logScales[i * 3 + a]) * normal(rand));
      for (let a = 0; a < 3; a++) {
        g.means[row * 3 + a] = geom.means[i * 3 + a] + R[a * 3] * s[0] + R[a * 3 + 1] * s[1] + R[a * 3 + 2] * s[2];
        g.logScales[row * 3 + a] = geom.logScales[i * 3 + a] - shrink;
      }
    }
  });
  return { keep, append, geometry: g, report: { before: N, after: rows.length, cloned: clones.length, split: splits.length, pruned: prunedOnly } };
}

/** Apply a plan to host arrays: parameters follow the index map, appended rows get zero moments. */
export function applyPlanHost(scene: GaussianScene, moments: AdamMoments, plan: DensifyPlan): { scene: GaussianScene; moments: AdamMoments } {
  const W = rowWidths(scene.shDegree);
  const rows = Uint32Array.from([...plan.keep, ...plan.append]);
  const out: GaussianScene = { ...plan.geometry, shDegree: scene.shDegree, sh: gatherRows(scene.sh, W.sh, rows) };
  const m = {} as Record<ParamName, Float32Array>;
  const v = {} as Record<ParamName, Float32Array>;
  for (const name of PARAM_NAMES) {
    // Zero rows for the appended Gaussians: fresh Adam state, as 3DGS and gsplat.
    m[name] = gatherRows(moments.m[name], W[name], plan.keep, plan.append.length);
    v[name] = gatherRows(moments.v[name], W[name], plan.keep, plan.append.length);
  }
  return { scene: out, moments: { m, v } };
}

function normQuat(q: Float32Array, i: number): [number, number, number, number] {
  const n = Math.hypot(q[i * 4], q[i * 4 + 1], q[i * 4 + 2], q[i * 4 + 3]) || 1;
  return [q[i * 4] / n, q[i * 4 + 1] / n, q[i * 4 + 2] / n, q[i * 4 + 3] / n];
}

/** Opacity logits clamped to at most logit(value) (3DGS reset_opacity; the caller zeroes their moments). */
export function resetOpacityLogits(opacityLogits: Float32Array, value: number): void {
  const cap = logit(value);
  for (let i = 0; i < opacityLogits.length; i++) opacityLogits[i] = Math.min(opacityLogits[i], cap);
}
