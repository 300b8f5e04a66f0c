/**
 * View-graph filtering before SfM: which geometrically verified pairs to trust.
 *
 * A pair that passes RANSAC is not necessarily right. On symmetric or repetitive
 * objects (lego's studded baseplate, a bulldozer seen from the front and the back)
 * a few dozen wrong matches can agree on one wrong epipolar geometry, and such a
 * pair, taken as the SfM seed or as the source of 2D-3D matches, flips views front
 * to back. Measured on lego (8 views, XFeat + LighterGlue): every wrong pair had
 * <= 49 inliers where each view's best (right) pair had 112-384, and the triangle
 * (view triplet) rotation error R_jk R_ij R_ik^T was 86-111° where a wrong pair
 * closes a loop with right ones, <= 28° on loops of right pairs.
 *
 * The filter, in the spirit of loop-constraint disambiguation (Zach, Klopschitz,
 * Pollefeys, "Disambiguating visual relations using loop constraints", CVPR 2010;
 * Enqvist, Kahl, Olsson, "Non-sequential structure from motion", 2011):
 *   1. minimums: verified inliers >= minInliers, inliers / putative >= minInlierRatio;
 *   2. rotation consensus: spanning trees of the pair graph (the maximum one by
 *      inliers, then randomized ones) each fix every view's rotation; a pair agrees
 *      when its own rotation is within loopToleranceDeg (x sqrt(loop length / 3))
 *      of the one the tree implies. The tree whose agreeing pairs hold the most
 *      inliers wins; pairs that disagree with it are removed (a few heavy right
 *      pairs outvote many light wrong ones, and a right pair off by a bad two-view
 *      estimate cannot outvote a loop of right ones);
 *   3. weak pairs: a pair with fewer than weakFraction x the inliers of the best pair
 *      of BOTH of its views (both views have a far better partner, the signature of
 *      a symmetry confusion) is kept only when a consistent triangle with two
 *      trusted pairs confirms it (trusted: non-weak, or weak and confirmed so).
 *      This is what catches a wrong pair that is the only link between two groups of
 *      views, where no loop can judge it, and a group of wrong pairs consistent among
 *      themselves (a symmetric object seen "flipped" is a consistent alternative).
 * What is removed is reported with the reason; the consistent-triangle count of the
 * kept pairs ranks SfM seed pairs.
 */
import { mul3, rotationAngleDeg, tr3, type Mat3 } from './linalg.js';
import { seededRandom } from './ransac.js';
import type { VerifiedPair } from './two-view.js';

export interface ViewGraphFilterOptions {
  /** verified inliers a pair needs (default 20) */
  minInliers?: number;
  /** verified inliers / putative matches a pair needs (default 0.25) */
  minInlierRatio?: number;
  /**
   * Largest triangle rotation error (degrees) of a consistent loop (default 30).
   * Two-view rotations of wide-baseline, near-planar pairs with a default focal
   * length are off by up to ~15° each (lego), symmetry confusions by 90-180°.
   */
  loopToleranceDeg?: number;
  /**
   * fraction of both views' best pair below which a pair is weak (default 0.35).
   * Measured on lego (XFeat + LighterGlue / mutual NN, default or true focal): wrong
   * pairs had 0.14-0.29 of their views' best, right ones 0.12-1 (the weak right ones
   * are confirmed by triangles).
   */
  weakFraction?: number;
  /** randomized spanning trees tried for the rotation consensus (default 200) */
  trials?: number;
  seed?: number;
}

export type PairRejection = 'few-inliers' | 'low-inlier-ratio' | 'loop-inconsistent' | 'weak-unconfirmed';

export interface RejectedPair {
  pair: VerifiedPair;
  why: PairRejection;
  /** one line for a log */
  detail: string;
}

export interface KeptPair {
  pair: VerifiedPair;
  /** consistent / inconsistent triangles among the kept pairs */
  consistentTriangles: number;
  inconsistentTriangles: number;
  weak: boolean;
}

export interface ViewGraphFilterResult {
  kept: KeptPair[];
  rejected: RejectedPair[];
  /** triangles among the kept pairs and their rotation errors (degrees) */
  triangles: { views: [number, number, number]; errorDeg: number }[];
}

const pairKey = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);

/** Rotation taking camera `from`'s frame to camera `to`'s frame according to the pair. */
function rotationBetween(p: VerifiedPair, from: number, to: number): Mat3 {
  if (p.a === from && p.b === to) return p.relPose.R;
  if (p.b === from && p.a === to) return tr3(p.relPose.R);
  throw new Error(`pair ${p.a}-${p.b} does not join ${from} and ${to}`);
}

/** Rotation error of the loop i -> j -> k -> i, degrees (0 for exact pairwise rotations). */
export function triangleErrorDeg(pij: VerifiedPair, pjk: VerifiedPair, pik: VerifiedPair, i: number, j: number, k: number): number {
  const viaJ = mul3(rotationBetween(pjk, j, k), rotationBetween(pij, i, j));
  return rotationAngleDeg(viaJ, rotationBetween(pik, i, k));
}

export function filterViewGraph(views: number, pairs: VerifiedPair[], opts: ViewGraphFilterOptions = {}): ViewGraphFilterResult {
  const minInliers = opts.minInliers ?? 20;
  const minRatio = opts.minInlierRatio ?? 0.25;
  const tol = opts.loopToleranceDeg ?? 30;
  const weakFraction = opts.weakFraction ?? 0.35;
  const rejected: RejectedPair[] = [];
  const live = new Map<string, VerifiedPair>();
  for (const p of pairs) {
    if (p.inlierCount < minInliers) {
      rejected.push({ pair: p, why: 'few-inliers', detail: `${p.inlierCount} verified inliers (need ${minInliers})` });
    } else if (p.inlierCount < minRatio * p.putativeCount) {
      rejected.push({ pair: p, why: 'low-inlier-ratio', detail: `${p.inlierCount} of ${p.putativeCount} matches verified (need ${Math.round(minRatio * 100)}%)` });
    } else live.set(pairKey(p.a, p.b), p);
  }
  const passedMinimums = [...live.values()];
  // Triangle errors are fixed per triangle: compute once, count over live pairs.
  const errorOf = new Map<string, number>();
  const triangleError = (i: number, j: number, k: number): number | null => {
    const pij = live.get(pairKey(i, j));
    const pjk = live.get(pairKey(j, k));
    const pik = live.get(pairKey(i, k));
    if (!pij || !pjk || !pik) return null;
    const key = `${i}-${j}-${k}`;
    if (!errorOf.has(key)) errorOf.set(key, triangleErrorDeg(pij, pjk, pik, i, j, k));
    return errorOf.get(key)!;
  };
  /** consistent / inconsistent triangles through pair (a, b), optionally only with other pairs passing `other` */
  const votes = (p: VerifiedPair, other?: (q: VerifiedPair) => boolean) => {
    let consistent = 0;
    let inconsistent = 0;
    for (let c = 0; c < views; c++) {
      if (c === p.a || c === p.b) continue;
      const [i, j, k] = [p.a, p.b, c].sort((x, y) => x - y);
      const e = triangleError(i, j, k);
      if (e === null) continue;
      if (other && !(other(live.get(pairKey(p.a, c))!) && other(live.get(pairKey(p.b, c))!))) continue;
      if (e < tol) consistent++;
      else inconsistent++;
    }
    return { consistent, inconsistent };
  };
  // 2. Rotation consensus over spanning trees.
  const consensus = rotationConsensus(views, [...live.values()], tol, opts.trials ?? 200, opts.seed);
  for (const { pair: p, errorDeg, toleranceDeg } of consensus.disagreeing) {
    live.delete(pairKey(p.a, p.b));
    rejected.push({
      pair: p,
      why: 'loop-inconsistent',
      detail: `rotation is ${errorDeg.toFixed(0)}° off the one implied by the other pairs through a loop (tolerance ${toleranceDeg.toFixed(0)}°)`,
    });
  }
  // 3. Weak pairs need confirmation by a consistent triangle of non-weak pairs.
  // "Best pair" counts every pair that passed the minimums: a right pair removed in
  // step 2 for a poor rotation estimate still shows its views match far better.
  const best = new Array<number>(views).fill(0);
  for (const p of passedMinimums) {
    best[p.a] = Math.max(best[p.a], p.inlierCount);
    best[p.b] = Math.max(best[p.b], p.inlierCount);
  }
  const isWeak = (p: VerifiedPair) => p.inlierCount < weakFraction * Math.min(best[p.a], best[p.b]);
  // Least fixpoint: trust starts at the non-weak pairs and spreads to a weak pair
  // through a consistent triangle whose two other pairs are trusted. A group of wrong
  // weak pairs that only confirm each other (a consistent symmetric "flip") never starts.
  const trusted = new Set([...live.values()].filter((p) => !isWeak(p)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of live.values()) {
      if (trusted.has(p) || votes(p, (q) => trusted.has(q)).consistent === 0) continue;
      trusted.add(p);
      grew = true;
    }
  }
  const weakUnconfirmed = [...live.values()].filter((p) => !trusted.has(p));
  for (const p of weakUnconfirmed) {
    live.delete(pairKey(p.a, p.b));
    rejected.push({
      pair: p,
      why: 'weak-unconfirmed',
      detail: `${p.inlierCount} inliers where both views have pairs with >= ${Math.min(best[p.a], best[p.b])}, and no consistent view triplet confirms it (repeated or symmetric structure?)`,
    });
  }
  const kept: KeptPair[] = [...live.values()].map((p) => ({ pair: p, ...votesToCounts(votes(p)), weak: isWeak(p) }));
  const triangles: ViewGraphFilterResult['triangles'] = [];
  for (let i = 0; i < views; i++)
    for (let j = i + 1; j < views; j++)
      for (let k = j + 1; k < views; k++) {
        const e = triangleError(i, j, k);
        if (e !== null) triangles.push({ views: [i, j, k], errorDeg: e });
      }
  return { kept, rejected, triangles };
}

function votesToCounts(v: { consistent: number; inconsistent: number }) {
  return { consistentTriangles: v.consistent, inconsistentTriangles: v.inconsistent };
}

interface Disagreement {
  pair: VerifiedPair;
  errorDeg: number;
  toleranceDeg: number;
}

/**
 * Spanning-tree RANSAC on rotations. Each trial builds a spanning forest by Kruskal
 * over the pairs ordered by inliers x a random factor (trial 0: no randomness, the
 * maximum spanning tree), chains the pairwise rotations along it into absolute
 * rotations, and scores the inliers of every pair that agrees. Pairs off by more than
 * the tolerance from the best trial are returned. Tree pairs agree by construction;
 * a wrong tree pair makes its loops disagree, so the best trial avoids it when the
 * loops hold more inliers.
 */
export function rotationConsensus(views: number, pairs: VerifiedPair[], toleranceDeg: number, trials: number, seed = 7): { rotations: (Mat3 | null)[]; disagreeing: Disagreement[] } {
  const rand = seededRandom(seed);
  let best: { score: number; rotations: (Mat3 | null)[]; disagreeing: Disagreement[] } | null = null;
  for (let trial = 0; trial < Math.max(1, trials); trial++) {
    const keyed = pairs.map((p) => ({ p, w: p.inlierCount * (trial === 0 ? 1 : Math.exp(1.5 * (rand() - 0.5))) }));
    keyed.sort((x, y) => y.w - x.w);
    const parent = Array.from({ length: views }, (_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    const adjacency: { to: number; p: VerifiedPair }[][] = Array.from({ length: views }, () => []);
    for (const { p } of keyed) {
      const ra = find(p.a);
      const rb = find(p.b);
      if (ra === rb) continue;
      parent[ra] = rb;
      adjacency[p.a].push({ to: p.b, p });
      adjacency[p.b].push({ to: p.a, p });
    }
    // Absolute rotations (world = the root's frame) and depths by BFS from each root.
    const rotations: (Mat3 | null)[] = new Array(views).fill(null);
    const depth = new Array<number>(views).fill(0);
    const up = new Array<number>(views).fill(-1);
    for (let root = 0; root < views; root++) {
      if (rotations[root] || adjacency[root].length === 0) continue;
      rotations[root] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
      const queue = [root];
      while (queue.length) {
        const v = queue.shift()!;
        for (const { to, p } of adjacency[v]) {
          if (rotations[to]) continue;
          rotations[to] = mul3(rotationBetween(p, v, to), rotations[v]!);
          depth[to] = depth[v] + 1;
          up[to] = v;
          queue.push(to);
        }
      }
    }
    const treePath = (i: number, j: number) => {
      let n = 0;
      while (i !== j) {
        if (depth[i] >= depth[j]) i = up[i];
        else j = up[j];
        n++;
      }
      return n;
    };
    let score = 0;
    const disagreeing: Disagreement[] = [];
    for (const p of pairs) {
      const implied = mul3(rotations[p.b]!, tr3(rotations[p.a]!));
      const err = rotationAngleDeg(implied, p.relPose.R);
      // Errors add up along a loop: loop = tree path + this pair.
      const tol = toleranceDeg * Math.sqrt(Math.max(1, (treePath(p.a, p.b) + 1) / 3));
      if (err <= tol) score += p.inlierCount;
      else disagreeing.push({ pair: p, errorDeg: err, toleranceDeg: tol });
    }
    if (!best || score > best.score) best = { score, rotations, disagreeing };
  }
  return { rotations: best!.rotations, disagreeing: best!.disagreeing };
}
