/**
 * Fallbacks for views PnP cannot register (step 4 of incremental-sfm.ts): depth alignment
 * of a view's model-point matches lifted with its depth prior, else the relative pose of a
 * verified pair with a registered view, unless that pose puts the view next to a registered
 * view it shares no matches with (covisibility-check.ts). Each placed view is marked with
 * its method and a human-readable placement; each refusal is appended to the view's
 * failure reason.
 */
import { missingCovisibility } from './covisibility-check.js';
import { placeByDepthAlignment } from './depth-alignment.js';
import type { SfmOptions } from './incremental-sfm.js';
import { placeByRelativePose } from './relative-placement.js';
import { correspondences, obsKey, type State } from './sfm-state.js';
import type { VerifiedPair } from './two-view.js';

/**
 * The relative-pose fallback (relative-placement.ts) for the unregistered views with
 * verified pairs to the model, strongest pair first; places at most one view. Views in
 * `skip` (refused by the model check before) are not tried.
 */
export function placeFallbackView(s: State, pairs: VerifiedPair[], opts: SfmOptions, failures: Map<number, string>, skip: ReadonlySet<number> = new Set()): boolean {
  const strongest = (ps: VerifiedPair[]) => Math.max(...ps.map((p) => p.inlierCount));
  const candidates = s.views
    .map((_, v) => ({ v, ps: pairs.filter((p) => (p.a === v && s.poses[p.b]) || (p.b === v && s.poses[p.a])) }))
    .filter((c) => !s.poses[c.v] && !skip.has(c.v) && c.ps.length > 0)
    .sort((x, y) => strongest(y.ps) - strongest(x.ps));
  const normalized = (v: number, kp: number): [number, number] => {
    const K = s.intrinsics[s.views[v].group];
    return [(s.views[v].xy[2 * kp] - K.cx) / K.f, (s.views[v].xy[2 * kp + 1] - K.cy) / K.f];
  };
  const pointOf = (v: number, kp: number) => {
    const t = s.tracks.trackOf[v][kp];
    if (t < 0 || s.rejected.has(obsKey(v, kp))) return null;
    return s.points.get(t) ?? null;
  };
  // A depth prior is known up to scale per view: bring it to the model's scale with
  // the view's own model points (median ratio over >= 5 of them).
  const priorScale = new Map<number, number | null>();
  const scaleOfPrior = (v: number): number | null => {
    if (priorScale.has(v)) return priorScale.get(v)!;
    const ratios: number[] = [];
    const P = s.poses[v]!;
    s.tracks.trackOf[v].forEach((_, kp) => {
      const X = pointOf(v, kp);
      const d = X ? opts.depthPrior!(v, kp) : null;
      if (!X || d === null || !(d > 0)) return;
      const z = P.R[6] * X[0] + P.R[7] * X[1] + P.R[8] * X[2] + P.t[2];
      if (z > 0) ratios.push(z / d);
    });
    ratios.sort((x, y) => x - y);
    const k = ratios.length >= 5 ? ratios[ratios.length >> 1] : null;
    priorScale.set(v, k);
    return k;
  };
  const depthOf = opts.depthPrior
    ? (v: number, kp: number) => {
        const k = scaleOfPrior(v);
        const d = opts.depthPrior!(v, kp);
        return k !== null && d !== null && d > 0 ? k * d : null;
      }
    : undefined;
  // Depth alignment first: it uses the view's own 2D-3D matches, not one pair's geometry.
  if (opts.depthPrior) {
    const thrPx = opts.reprojThresholdPx ?? 4;
    const withDepth = s.views
      .map((_, v) => ({ v, corr: s.poses[v] || skip.has(v) ? null : correspondences(s, v) }))
      .filter((c) => c.corr && c.corr.keypoints.length >= 4)
      .sort((a, b) => b.corr!.keypoints.length - a.corr!.keypoints.length);
    for (const { v, corr } of withDepth) {
      const c = corr!;
      const X = c.keypoints.map((_, k) => [c.X[3 * k], c.X[3 * k + 1], c.X[3 * k + 2]] as [number, number, number]);
      const x = c.keypoints.map((_, k) => [c.x[2 * k], c.x[2 * k + 1]] as [number, number]);
      const depth = c.keypoints.map((kp) => opts.depthPrior!(v, kp) ?? NaN);
      const res = placeByDepthAlignment({ X, x, depth, threshold: thrPx / s.intrinsics[s.views[v].group].f, seed: 23 + v });
      const pnpReason = (failures.get(v) ?? '').split('; ')[0];
      if ('reason' in res) {
        failures.set(v, `${pnpReason}; depth alignment: ${res.reason}`);
        continue;
      }
      s.poses[v] = res.pose;
      s.method[v] = 'depth-alignment';
      s.regInliers[v] = res.inliers;
      s.placement[v] = `${res.inliers} of its ${c.keypoints.length} model-point matches lifted to 3D with its depth prior and aligned (PnP: ${pnpReason})`;
      failures.delete(v);
      opts.onEvent?.({ type: 'log', stage: 'poses', message: `${s.views[v].name}: placed by depth alignment: ${s.placement[v]}` });
      return true;
    }
  }
  for (const { v, ps } of candidates) {
    const res = placeByRelativePose({ view: v, pairs: ps, poses: s.poses, normalized, pointOf, depthOf, names: s.views.map((w) => w.name) });
    const before = (failures.get(v) ?? '').split('; relative-pose fallback:')[0];
    const pnpReason = before.split('; ')[0];
    if ('reason' in res) {
      failures.set(v, `${before}; relative-pose fallback: ${res.reason}`);
      continue;
    }
    const missing = missingCovisibility({ s, view: v, pose: res.pose, partner: res.from, pairs });
    if (missing) {
      failures.set(v, `${before}; relative-pose fallback refused: ${missing.reason}`);
      opts.onEvent?.({ type: 'log', stage: 'poses', message: `${s.views[v].name}: relative-pose placement refused: ${missing.reason}` });
      continue;
    }
    s.poses[v] = res.pose;
    s.method[v] = 'relative-pose';
    s.regInliers[v] = ps.find((p) => p.a === res.from || p.b === res.from)!.inlierCount;
    s.placement[v] = `${res.detail}${res.rotationSpreadDeg > 0 ? `; partners' rotations agree to ${res.rotationSpreadDeg.toFixed(1)}°` : ''} (PnP: ${pnpReason})`;
    failures.delete(v);
    opts.onEvent?.({ type: 'log', stage: 'poses', message: `${s.views[v].name}: placed by relative pose: ${s.placement[v]}` });
    return true;
  }
  return false;
}
