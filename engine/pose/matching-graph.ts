/**
 * Match-graph summary: which views are tied together by enough verified matches.
 * A view outside the largest connected component cannot be placed with the others
 * from matches alone; the summary names such views.
 */
import { allViews, viewComponents } from './view-components.js';

export interface PairEdge {
  a: number;
  b: number;
  matches: number;
  inliers: number;
}

export interface MatchGraphSummary {
  views: number;
  pairs: number;
  /** Pairs with >= minInliers verified matches. */
  strongPairs: number;
  minInliers: number;
  /** [views] verified inliers summed over each view's pairs. */
  inliersPerView: number[];
  /** [views] number of strong pairs of each view. */
  degree: number[];
  /** Connected components over strong pairs, largest first, each sorted. */
  components: number[][];
  /** Views not in the largest component. */
  isolated: number[];
  medianInliers: number;
}

export function summarizeMatchGraph(views: number, edges: PairEdge[], minInliers = 20): MatchGraphSummary {
  const inliersPerView = new Array<number>(views).fill(0);
  const degree = new Array<number>(views).fill(0);
  let strong = 0;
  for (const e of edges) {
    inliersPerView[e.a] += e.inliers;
    inliersPerView[e.b] += e.inliers;
    if (e.inliers < minInliers) continue;
    strong++;
    degree[e.a]++;
    degree[e.b]++;
  }
  const components = viewComponents(allViews(views), edges.filter((e) => e.inliers >= minInliers));
  const sorted = edges.map((e) => e.inliers).sort((x, y) => x - y);
  const medianInliers = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
  return {
    views,
    pairs: edges.length,
    strongPairs: strong,
    minInliers,
    inliersPerView,
    degree,
    components,
    isolated: components.slice(1).flat().sort((x, y) => x - y),
    medianInliers,
  };
}

/** A few lines for a terminal or log. */
export function formatMatchGraph(s: MatchGraphSummary, names: string[]): string {
  const lines = [
    `match graph: ${s.views} views, ${s.strongPairs}/${s.pairs} pairs with >= ${s.minInliers} verified inliers, median ${s.medianInliers} inliers per pair`,
    `largest component: ${s.components[0]?.length ?? 0} of ${s.views} views`,
  ];
  if (s.isolated.length) lines.push(`not connected to it: ${s.isolated.map((v) => names[v] ?? String(v)).join(', ')}`);
  return lines.join('\n');
}
