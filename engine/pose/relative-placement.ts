/**
 * Fallback placement of a view that PnP cannot register (too few of its features
 * see triangulated points) but that has verified, loop-checked pairs with views
 * already in the model. The pair's essential matrix gives the rotation and the
 * direction of the baseline; the missing baseline length (scale) comes from, in
 * order of preference:
 *   1. 'model-points': matches of the pair whose keypoint in the registered view
 *      sees a model point: scale = median(model depth / two-view depth) in that view;
 *   2. 'depth-prior': the same with the registered view's depth prior at the
 *      matched keypoints (a depth map up to scale, brought to the model's scale by
 *      the caller from the view's own model points);
 *   3. 'two-rays': with two or more registered partners, the centre that best meets
 *      the baseline rays from each partner (least squares); needs rays >= 5° apart.
 * The result says how it was placed; it is always a weaker constraint than PnP.
 */
import { add3, dot3, luSolve, mul3, mulVec3, norm3, scale3, sub3, tr3, type Vec3 } from './linalg.js';
import { poseCenter, twoViewDepths, type Pose } from './triangulate.js';
import type { VerifiedPair } from './two-view.js';

export type ScaleSource = 'model-points' | 'depth-prior' | 'two-rays';

export interface PlacementInput {
  /** the view to place */
  view: number;
  /** verified pairs between `view` and registered views */
  pairs: VerifiedPair[];
  /** [views] world-to-camera poses, null where not registered */
  poses: (Pose | null)[];
  /** normalized image coordinates of keypoint kp of view v */
  normalized: (v: number, kp: number) => [number, number];
  /** model point seen by keypoint kp of view v, if any */
  pointOf: (v: number, kp: number) => Vec3 | null;
  /** depth prior of view v at keypoint kp, already in model units; null when unknown */
  depthOf?: (v: number, kp: number) => number | null;
  /** view names for messages (default 'view <index>') */
  names?: string[];
  /** scale estimates a pair needs for sources 1-2 (default 3) */
  minScaleSamples?: number;
}

export interface Placement {
  pose: Pose;
  /** registered partner whose pair gave the rotation */
  from: number;
  scaleSource: ScaleSource;
  /** scale samples (sources 1-2) or partner rays (source 3) */
  support: number;
  /** relative spread of the scale samples (MAD / median), 0 for 'two-rays' */
  scaleSpread: number;
  /** largest rotation disagreement (degrees) among the partners' pairs, 0 with one partner */
  rotationSpreadDeg: number;
  detail: string;
}

/** Relative pose of `to` w.r.t. `from` (x_to = R x_from + t, |t| = 1) from a verified pair. */
export function pairPoseFrom(p: VerifiedPair, from: number): { R: number[]; t: Vec3 } {
  if (p.a === from) return { R: p.relPose.R, t: [p.relPose.t[0], p.relPose.t[1], p.relPose.t[2]] };
  const Rt = tr3(p.relPose.R);
  return { R: Rt, t: scale3(mulVec3(Rt, p.relPose.t), -1) };
}

/** Pose of the new view from registered pose `A` and the relative pose with baseline length s. */
export function composeRelative(A: Pose, rel: { R: number[]; t: ArrayLike<number> }, s: number): Pose {
  const R = mul3(rel.R, A.R);
  const Rta = mulVec3(rel.R, A.t);
  return { R, t: [Rta[0] + s * rel.t[0], Rta[1] + s * rel.t[1], Rta[2] + s * rel.t[2]] };
}

function median(v: number[]): number {
  const s = v.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Scale samples model depth / two-view depth over the pair's matches, in the registered view `a`. */
function scaleSamples(input: PlacementInput, p: VerifiedPair, a: number, depthAt: (kp: number) => number | null): number[] {
  const rel = pairPoseFrom(p, a);
  const out: number[] = [];
  for (let k = 0; k < p.pairs.length / 2; k++) {
    const kpA = p.a === a ? p.pairs[2 * k] : p.pairs[2 * k + 1];
    const kpV = p.a === a ? p.pairs[2 * k + 1] : p.pairs[2 * k];
    const z = depthAt(kpA);
    if (!(z !== null && z > 0)) continue;
    const d = twoViewDepths(rel.R, rel.t, input.normalized(a, kpA), input.normalized(input.view, kpV));
    if (!d || !(d[0] > 1e-9) || !(d[1] > 1e-9)) continue;
    out.push(z / d[0]);
  }
  return out;
}

export function placeByRelativePose(input: PlacementInput): Placement | { reason: string } {
  const name = (v: number) => input.names?.[v] ?? `view ${v}`;
  const minSamples = input.minScaleSamples ?? 3;
  const partners = input.pairs
    .map((p) => ({ p, a: p.a === input.view ? p.b : p.a }))
    .filter(({ a }) => input.poses[a])
    .sort((x, y) => y.p.inlierCount - x.p.inlierCount);
  if (partners.length === 0) return { reason: 'no verified pair with a registered view' };
  // Rotation agreement between partners (each pair predicts the new view's rotation).
  const rotations = partners.map(({ p, a }) => mul3(pairPoseFrom(p, a).R, input.poses[a]!.R));
  let rotationSpreadDeg = 0;
  for (let i = 1; i < rotations.length; i++) {
    const M = mul3(rotations[0], tr3(rotations[i]));
    const c = Math.min(1, Math.max(-1, (M[0] + M[4] + M[8] - 1) / 2));
    rotationSpreadDeg = Math.max(rotationSpreadDeg, (Math.acos(c) * 180) / Math.PI);
  }
  const sources: { source: ScaleSource; depthAt: (a: number) => (kp: number) => number | null }[] = [
    {
      source: 'model-points',
      depthAt: (a) => (kp) => {
        const X = input.pointOf(a, kp);
        if (!X) return null;
        const A = input.poses[a]!;
        return dot3([A.R[6], A.R[7], A.R[8]], X) + A.t[2];
      },
    },
  ];
  if (input.depthOf) sources.push({ source: 'depth-prior', depthAt: (a) => (kp) => input.depthOf!(a, kp) });
  for (const { source, depthAt } of sources) {
    for (const { p, a } of partners) {
      const s = scaleSamples(input, p, a, depthAt(a));
      if (s.length < minSamples) continue;
      const m = median(s);
      const spread = median(s.map((x) => Math.abs(x - m))) / m;
      const pose = composeRelative(input.poses[a]!, pairPoseFrom(p, a), m);
      return {
        pose,
        from: a,
        scaleSource: source,
        support: s.length,
        scaleSpread: spread,
        rotationSpreadDeg,
        detail: `rotation and baseline direction from the pair with ${name(a)} (${p.inlierCount} inliers), baseline length from ${s.length} ${source === 'model-points' ? 'model points' : 'depth-prior samples'} (spread ${(100 * spread).toFixed(0)}%)`,
      };
    }
  }
  if (partners.length >= 2) {
    // Centre nearest to every baseline ray C_a + s d_a: sum_a (I - d d^T) (C - C_a) = 0.
    const rays = partners.map(({ p, a }) => {
      const rel = pairPoseFrom(p, a);
      const A = input.poses[a]!;
      // C_v = C_a - s A.R^T rel.R^T rel.t
      const d = scale3(mulVec3(tr3(A.R), mulVec3(tr3(rel.R), rel.t)), -1);
      return { C: poseCenter(A), d: scale3(d, 1 / norm3(d)) };
    });
    let maxAngle = 0;
    for (let i = 0; i < rays.length; i++)
      for (let j = i + 1; j < rays.length; j++) maxAngle = Math.max(maxAngle, (Math.acos(Math.min(1, Math.abs(dot3(rays[i].d, rays[j].d)))) * 180) / Math.PI);
    if (maxAngle >= 5) {
      const M = new Array<number>(9).fill(0);
      let rhs: Vec3 = [0, 0, 0];
      for (const { C, d } of rays) {
        const P = [1 - d[0] * d[0], -d[0] * d[1], -d[0] * d[2], -d[1] * d[0], 1 - d[1] * d[1], -d[1] * d[2], -d[2] * d[0], -d[2] * d[1], 1 - d[2] * d[2]];
        for (let i = 0; i < 9; i++) M[i] += P[i];
        rhs = add3(rhs, mulVec3(P, C));
      }
      const C = luSolve(M, rhs, 3) as Vec3 | null;
      // The centre must lie ahead along every ray (s > 0), not behind a partner.
      if (C && rays.every((r) => dot3(sub3(C, r.C), r.d) > 0)) {
        const { p, a } = partners[0];
        const R = mul3(pairPoseFrom(p, a).R, input.poses[a]!.R);
        const RC = mulVec3(R, C);
        return {
          pose: { R, t: [-RC[0], -RC[1], -RC[2]] },
          from: a,
          scaleSource: 'two-rays',
          support: rays.length,
          scaleSpread: 0,
          rotationSpreadDeg,
          detail: `rotation from the pair with ${name(a)} (${p.inlierCount} inliers), centre where the baseline rays from ${rays.length} registered views meet (up to ${maxAngle.toFixed(0)}° apart)`,
        };
      }
    }
  }
  const n = partners.length;
  return {
    reason: `${n} verified pair(s) with registered views give its rotation, but nothing fixes the baseline length (fewer than ${minSamples} matched model points${input.depthOf ? ' or depth samples' : ', no depth prior'}${n >= 2 ? ', baseline rays nearly parallel' : ', only one registered partner'})`,
  };
}
