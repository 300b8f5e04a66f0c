/**
 * The model check inside incremental SfM (incremental-sfm.ts): snapshots of the state a
 * registration changes, the check of the current model (model-silhouette-check.ts: the
 * photos' silhouettes), and undoing a registration that makes the model fail it.
 */
import type { SfmOptions } from './incremental-sfm.js';
import type { ModelCheck } from './model-silhouette-check.js';
import { obsKey, type State } from './sfm-state.js';
import type { VerifiedPair } from './two-view.js';

export type Snapshot = Pick<State, 'poses' | 'method' | 'regInliers' | 'placement' | 'intrinsics' | 'points' | 'rejected'>;

/** The parts of the state a registration changes (arrays and maps copied; their entries are replaced, never mutated). */
export function snapshot(s: State): Snapshot {
  return {
    poses: [...s.poses],
    method: [...s.method],
    regInliers: [...s.regInliers],
    placement: [...s.placement],
    intrinsics: s.intrinsics.map((K) => ({ ...K })),
    points: new Map(s.points),
    rejected: new Set(s.rejected),
  };
}

/** The check on the current model: registered poses, per-view intrinsics, triangulated points and their registered observers. */
export function checkModel(s: State, check: ModelCheck) {
  const ids = [...s.points.keys()];
  const points = Float64Array.from(ids.flatMap((id) => s.points.get(id)!));
  const observers = ids.map((id) => {
    const t = s.tracks.tracks[id];
    return t.views.filter((v, k) => s.poses[v] && !s.rejected.has(obsKey(v, t.keypoints[k])));
  });
  return check({ poses: s.poses, intrinsics: s.views.map((v) => s.intrinsics[v.group]), points, observers });
}

/**
 * After a registration: when the model fails the check, restore the state from before it,
 * leave the new view out for good and say why. Returns the refused view, its evidence
 * (the inliers of its strongest verified pair with a view of the model) and the reason;
 * null when the model passes.
 */
export function refuseInconsistent(s: State, before: Snapshot, pairs: VerifiedPair[], check: ModelCheck, failures: Map<number, string>, refused: Set<number>, opts: SfmOptions): { view: number; evidence: number; reason: string } | null {
  const added = s.poses.findIndex((p, v) => p && !before.poses[v]);
  if (added < 0) return null;
  const res = checkModel(s, check);
  if (res.ok) return null;
  const evidence = pairs.filter((p) => (p.a === added && before.poses[p.b]) || (p.b === added && before.poses[p.a])).reduce((m, p) => Math.max(m, p.inlierCount), 0);
  const how = s.method[added] === 'relative-pose' ? `the relative-pose fallback (${s.placement[added]})` : s.method[added] === 'pnp' ? `PnP (${s.regInliers[added]} inliers)` : (s.method[added] ?? 'registration');
  const where = res.worstView === added ? 'in it' : `in ${s.views[res.worstView!].name}`;
  const reason = `placed by ${how}, but the model then disagrees with the photos' silhouettes: ${where}, ${res.reason}; left out (matches across a symmetric object?)`;
  Object.assign(s, before);
  refused.add(added);
  failures.set(added, reason);
  opts.onEvent?.({ type: 'warning', stage: 'poses', file: s.views[added].name, message: `registration undone: ${reason}` });
  return { view: added, evidence, reason: res.reason! };
}
