/**
 * Match-graph summary: which views are tied together by enough verified matches.
 * A view outside the largest connected component cannot be placed with the others
 * from matches alone; the summary names such views.
 */
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
  const parent = Array.from({ length: views }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
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
    parent[find(e.a)] = find(e.b);
  }
  const groups = new Map<number, number[]>();
  for (let v = 0; v < views; v++) {
    const r = find(v);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(v);
  }
  const components = [...groups.values()].sort((x, y) => y.length - x.length || x[0] - y[0]);
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
