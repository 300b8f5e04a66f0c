/**
 * Connected components of views over pairs (union-find): the one definition behind the
 * match-graph summary, the SfM seed choice, the rotation search, the silhouette group
 * placement and the reasons given for views left out.
 */

/**
 * Components of `views` over the pairs whose both ends are among them, largest first
 * (ties: the one with the lower first view first); each lists its views in the order of
 * `views`.
 */
export function viewComponents(views: readonly number[], pairs: readonly { a: number; b: number }[]): number[][] {
  const parent = new Map(views.map((v) => [v, v]));
  const find = (v: number): number => {
    let r = v;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(v, r);
    return r;
  };
  for (const p of pairs) if (parent.has(p.a) && parent.has(p.b)) parent.set(find(p.a), find(p.b));
  const byRoot = new Map<number, number[]>();
  for (const v of views) {
    const r = find(v);
    if (!byRoot.has(r)) byRoot.set(r, []);
    byRoot.get(r)!.push(v);
  }
  return [...byRoot.values()].sort((x, y) => y.length - x.length || x[0] - y[0]);
}

/** 0 .. n-1 */
export const allViews = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
