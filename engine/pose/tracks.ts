/**
 * Feature tracks: connected components of verified pairwise matches over
 * (view, keypoint) nodes, by union-find. A component that holds two different
 * keypoints of the same view is inconsistent (some match in it is wrong); it is
 * dropped rather than guessed at.
 */

export interface PairMatches {
  a: number;
  b: number;
  /** [M, 2] keypoint index pairs (index in view a, index in view b) */
  pairs: Uint32Array;
}

export interface Track {
  /** [L] view indices, ascending */
  views: number[];
  /** [L] keypoint index in each of those views */
  keypoints: number[];
}

export interface TrackSet {
  tracks: Track[];
  /** per view: [N] track id of each keypoint, -1 when in no track */
  trackOf: Int32Array[];
  /** components dropped for holding two keypoints of one view */
  inconsistent: number;
}

export function buildTracks(keypointCounts: number[], matches: PairMatches[]): TrackSet {
  const offsets: number[] = [];
  let total = 0;
  for (const n of keypointCounts) {
    offsets.push(total);
    total += n;
  }
  const parent = new Int32Array(total);
  for (let i = 0; i < total; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const used = new Uint8Array(total);
  for (const m of matches) {
    for (let k = 0; k < m.pairs.length / 2; k++) {
      const u = offsets[m.a] + m.pairs[2 * k];
      const v = offsets[m.b] + m.pairs[2 * k + 1];
      used[u] = used[v] = 1;
      const ru = find(u);
      const rv = find(v);
      if (ru !== rv) parent[Math.max(ru, rv)] = Math.min(ru, rv);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    if (!used[i]) continue;
    const r = find(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  }
  const viewOfNode = (node: number) => {
    let v = 0;
    while (v + 1 < offsets.length && offsets[v + 1] <= node) v++;
    return v;
  };
  const tracks: Track[] = [];
  const trackOf = keypointCounts.map((n) => new Int32Array(n).fill(-1));
  let inconsistent = 0;
  for (const nodes of byRoot.values()) {
    if (nodes.length < 2) continue;
    const views = nodes.map(viewOfNode);
    if (new Set(views).size !== views.length) {
      inconsistent++;
      continue;
    }
    const id = tracks.length;
    const keypoints = nodes.map((node, k) => node - offsets[views[k]]);
    tracks.push({ views, keypoints });
    views.forEach((v, k) => (trackOf[v][keypoints[k]] = id));
  }
  return { tracks, trackOf, inconsistent };
}
