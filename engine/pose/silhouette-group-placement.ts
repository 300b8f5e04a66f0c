/**
 * Group placement by silhouettes: places a group of >= 2 views that no trusted pair links
 * to the main model (e.g. the views of one side of a near-symmetric object, whose every
 * cross-group pair matched the front with the back) as a rigid whole.
 *
 *   connected groups of unregistered views over the trusted pairs (largest first)
 *   -> the group's own SfM model (incremental-sfm.ts on its views and pairs, at the main
 *      model's refined focal length, checked against its masks; its relative poses and
 *      sparse points)
 *   -> the similarity group -> world by analysis-by-synthesis (silhouette-group-search.ts:
 *      silhouette coherence + the sparse points of each side inside the other side's masks)
 *   -> each refined candidate's colour agreement with the registered views on the shared
 *      hull surface (silhouette-group-colour.ts)
 *   -> accepted only when coherent (>= minCoherence), points inside (>= minPointsInside in
 *      every view), unambiguous: a lead >= minLeadWithColour over the best placement
 *      rotated more than 30° away and colours that decide (the
 *      placement leads every candidate > 30° away that shares enough surface by
 *      >= minColourLead; silhouettes alone, a lead >= minLead, only when asked for: on
 *      lego they placed a group 134° wrong), and when the whole model (main + group: poses, points, hull of
 *      all views) passes the model check (model-silhouette-check.ts);
 *   -> a placed group joins the main views (hull, points) and the rest are tried again.
 * A refused group keeps a reason naming the figures: a wrongly placed group is worse than
 * a refused one, so every test must pass.
 */
import { viewComponents } from './view-components.js';
import { viewIntrinsics } from './intrinsics.js';
import type { RgbaImage } from '../io/image.js';
import type { EventSink } from '../pipeline/events.js';
import { throwIfCancelled } from '../pipeline/events.js';
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import { incrementalSfm, type SfmResult, type SfmView } from './incremental-sfm.js';
import { createModelSilhouetteCheck, pointsInsideMask, type ModelCheck } from './model-silhouette-check.js';
import { buildCoherenceModel } from './silhouette-coherence.js';
import { evaluateGroupSimilarity, searchGroupSimilarity, type GroupSearchOptions, type MainView } from './silhouette-group-search.js';
import { mul3, nearestRotation, rotationAngleDeg, tr3, type Mat3, type Vec3 } from './linalg.js';
import { carvedSurface, colourAgreement, colourView, selfAgreement } from './silhouette-group-colour.js';
import { carveHull, dilate, hullBounds, touchesBorder } from './silhouette-hull.js';
import { cameraAtMask, maskFromAlpha, type MaskOptions, type SilhouetteMask } from './silhouette-mask.js';
import type { Pose } from './triangulate.js';
import type { VerifiedPair } from './two-view.js';

export interface GroupPlacementOptions extends MaskOptions {
  /** run the group placement (default true; photos with alpha masks only) */
  enabled?: boolean;
  /** silhouette coherence the placement needs (default 0.9, as the single-view search) */
  minCoherence?: number;
  /** share of the other side's sparse points inside each view's mask (default 0.9, as the model check) */
  minPointsInside?: number;
  /**
   * lead of the combined score ((coherence + points) / 2) over the best placement rotated
   * more than 30° away that places a group on silhouettes alone, without the colours
   * (default Infinity: never). Synthetic asymmetric object: a right group leads by 0.09; a
   * symmetric one ties (0.001-0.002). But on held-out lego8c a group placed 134° wrong led
   * by 0.069 while lego8's right group led by 0.021 (bench/results/poses.md): on a
   * near-symmetric object the silhouette lead says nothing about which side is which, so by
   * default the colours must always decide. A finite value (e.g. 0.05) restores the
   * silhouette-only route for captures known to be asymmetric.
   */
  minLead?: number;
  /**
   * a smaller silhouette lead (down to this, default 0.015) is accepted when the colours
   * decide: the placement's colour agreement (silhouette-group-colour.ts) leads every
   * candidate > 30° away that shares >= minSharedVoxels surface voxels by >= minColourLead
   * (default 0.15). Set after seeing lego8/8b/8t (bench/results/poses.md), so not held
   * out: the right lego8 group leads by 0.218 (253 shared voxels); lego8b's wrong best
   * placement would lead by 0.091 but shares only 53 voxels; synthetic painted object:
   * ~0.9.
   */
  minLeadWithColour?: number;
  minColourLead?: number;
  /**
   * and the placement's colour agreement must reach this share (default 0.65) of the
   * registered views' agreement among themselves on their hull (what a right placement
   * can reach with this hull and lighting). lego8's right pair: 0.82 (0.342 / 0.416);
   * lego8b's candidates, all wrong: 0.36-0.51 (the reference placement: 0.58); not held out.
   */
  minColourRatio?: number;
  /** surface voxels seen by both a registered and a group view that colours need to judge (default 100) */
  minSharedVoxels?: number;
  /** long side of the box-filtered photos the colours are read from (default 128 px) */
  colourSide?: number;
  /** voxels per side of the fine hull (default 64; the coarse one has half) */
  hullResolution?: number;
  search?: Omit<GroupSearchOptions, 'signal'>;
  /**
   * benchmarks only: reference world-to-camera poses of the group's views in the main
   * model's frame; each attempt then also reports the scores of that placement
   */
  reference?: (views: number[], modelPoses: (Pose | null)[]) => Pose[] | null;
}

export interface GroupPlacementInput {
  /** decoded photos, null for views to leave alone (duplicates) */
  images: (RgbaImage | null)[];
  /** every view's keypoints and intrinsics group (as given to incrementalSfm) */
  views: SfmView[];
  /** the main model */
  sfm: SfmResult;
  /** trusted pairs (relative poses at the refined focal length for unregistered views) */
  pairs: VerifiedPair[];
  /** the whole-model check (model-silhouette-check.ts) */
  check: ModelCheck;
  options?: GroupPlacementOptions;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface GroupPlaced {
  pose: Pose;
  /** combined score of the placement and its lead over the best placement > 30° away */
  score: number;
  lead: number;
  placement: string;
}

export interface GroupAttempt {
  /** the group's views placed by its own model */
  views: number[];
  /** world-to-camera poses of those views: the best placement and the runner-up > 30° away */
  best: Pose[];
  runnerUp: Pose[] | null;
  score: number;
  lead: number;
  accepted: boolean;
  /** every refined candidate: poses, silhouette + points score, colour agreement */
  candidates: { poses: Pose[]; score: number; colour: number; shared: number }[];
  /** colour agreement among the registered views themselves on their hull */
  baseline: number;
  /** with options.reference: the reference placement's scores, as given and refined from there */
  reference?: { poses: Pose[]; score: number; colour: number; shared: number; coherence: number; points: number }[];
}

/** A placed group's own sparse model carried into the world (merged by silhouette-group-merge.ts). */
export interface PlacedGroupModel {
  /** the group's placed views (global view indices) */
  views: number[];
  /** [P, 3] world points (X_w = centre + scale R (X_g - g)), [P, 3] RGB8, [P] track lengths */
  points: Float64Array;
  colors: Uint8Array;
  trackLengths: Uint16Array;
  /** per point: (global view index, keypoint) observations, placed views only */
  pointObservations: { view: number; keypoint: number }[][];
}

export interface GroupOutcome {
  placed: Map<number, GroupPlaced>;
  /** the placed groups' own points, tracks and colours in the world, one per placed group */
  models: PlacedGroupModel[];
  /** why a view of a refused group stays unplaced */
  refused: Map<number, string>;
  /** every searched group, accepted or not (for benchmarks against reference poses) */
  attempts: GroupAttempt[];
}

const IDENTITY: Pose = { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] };

/** Connected groups (>= 2 views) of the views in `todo` over the pairs among them, largest first. */
export function unregisteredGroups(todo: number[], pairs: VerifiedPair[]): number[][] {
  return viewComponents(todo, pairs).filter((g) => g.length >= 2);
}

/** The points ([P, 3]) inside the (1-px dilated) masks of all their observers (cameraOf null: not judged). */
function onObject(points: Float64Array, observers: number[][], cameraOf: (v: number) => Camera | null, masks: (SilhouetteMask | null)[]): { points: Float64Array; keep: number[] } {
  const grown = new Map<number, Uint8Array>();
  const out: number[] = [];
  const keep: number[] = [];
  observers.forEach((obs, p) => {
    const X = points.subarray(3 * p, 3 * p + 3);
    const ok = obs.every((v) => {
      const cam = cameraOf(v);
      if (!cam || !masks[v]) return true;
      if (!grown.has(v)) grown.set(v, dilate(masks[v]!));
      return pointsInsideMask(X, cam, grown.get(v)!, touchesBorder(masks[v]!)).inside === 1;
    });
    if (ok && obs.length) {
      out.push(X[0], X[1], X[2]);
      keep.push(p);
    }
  });
  return { points: Float64Array.from(out), keep };
}

/** The similarity X_w = c + s R X_g that takes cameras `from` (group frame) onto cameras `to` (world). */
function similarityTo(from: Pose[], to: Pose[]): { R: Mat3; c: Vec3; s: number } {
  const sum = new Array(9).fill(0);
  from.forEach((f, k) => mul3(tr3(to[k].R), f.R).forEach((x, i) => (sum[i] += x)));
  const R = nearestRotation(sum);
  const centre = (p: Pose) => cameraCenter({ width: 1, height: 1, fx: 1, fy: 1, cx: 0, cy: 0, R: p.R, t: p.t });
  const cf = from.map(centre);
  const ct = to.map(centre);
  const mean = (cs: number[][]) => [0, 1, 2].map((a) => cs.reduce((m, c) => m + c[a], 0) / cs.length);
  const [mf, mt] = [mean(cf), mean(ct)];
  const spread = (cs: number[][], m: number[]) => cs.reduce((q, c) => q + (c[0] - m[0]) ** 2 + (c[1] - m[1]) ** 2 + (c[2] - m[2]) ** 2, 0);
  const s = Math.sqrt(spread(ct, mt) / spread(cf, mf));
  const c = [0, 1, 2].map((r) => mt[r] - s * (R[3 * r] * mf[0] + R[3 * r + 1] * mf[1] + R[3 * r + 2] * mf[2])) as Vec3;
  return { R, c, s };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** The group's own model: incremental SfM on its views and the pairs among them, focal length fixed. */
function groupModel(input: GroupPlacementInput, group: number[]) {
  const local = new Map(group.map((v, k) => [v, k]));
  const pairs = input.pairs.filter((p) => local.has(p.a) && local.has(p.b)).map((p) => ({ ...p, a: local.get(p.a)!, b: local.get(p.b)! }));
  const images = group.map((v) => input.images[v]);
  const check = createModelSilhouetteCheck(images, input.options) ?? undefined;
  const res = incrementalSfm(group.map((v) => input.views[v]), input.sfm.intrinsics, pairs, { refineFocal: false, modelCheck: check, signal: input.signal });
  return { res, local };
}

export function placeGroupsBySilhouettes(input: GroupPlacementInput): GroupOutcome {
  const opts = input.options ?? {};
  const placed = new Map<number, GroupPlaced>();
  const refused = new Map<number, string>();
  const attempts: GroupAttempt[] = [];
  const models: PlacedGroupModel[] = [];
  const { sfm, images } = input;
  const masks = images.map((img) => {
    const m = img ? maskFromAlpha(img, opts) : null;
    return m && !('reason' in m) ? m : null;
  });
  const todo = sfm.views.map((v, i) => i).filter((i) => !sfm.views[i].registered && masks[i]);
  const K = (v: number) => viewIntrinsics(sfm.intrinsics, input.views[v]);
  const fullCamera = (v: number, pose: Pose): Camera => ({ width: images[v]!.width, height: images[v]!.height, fx: K(v).f, fy: K(v).f, cx: K(v).cx, cy: K(v).cy, R: pose.R, t: pose.t });
  // The world: the main model, then each placed group (poses, points and their observers).
  const poses: (Pose | null)[] = sfm.views.map((v) => v.pose ?? null);
  let points = Array.from(sfm.points);
  const observers: number[][] = sfm.pointObservations.map((o) => o.map((x) => x.view));
  const minCoherence = opts.minCoherence ?? 0.9;
  const minPoints = opts.minPointsInside ?? 0.9;
  const minLead = opts.minLead ?? Infinity;
  const minLeadWithColour = opts.minLeadWithColour ?? 0.015;
  const minColourLead = opts.minColourLead ?? 0.15;
  const minShared = opts.minSharedVoxels ?? 100;
  const minColourRatio = opts.minColourRatio ?? 0.65;
  const nFine = opts.hullResolution ?? 64;
  let pending = unregisteredGroups(todo, input.pairs);
  while (pending.length) {
    let progress = false;
    for (const group of pending) {
      throwIfCancelled(input.signal);
      const names = group.map((v) => sfm.views[v].name).join(' + ');
      const refuse = (why: string) => {
        for (const v of group) refused.set(v, why);
        input.onEvent?.({ type: 'log', stage: 'poses', message: `${names}: group placement refused: ${why}` });
      };
      const mainIdx = poses.map((p, v) => (p && masks[v] ? v : -1)).filter((v) => v >= 0);
      if (mainIdx.length < 2) {
        refuse(`needs at least 2 registered views with alpha masks (have ${mainIdx.length})`);
        continue;
      }
      // The group's own model.
      const { res: gm, local } = groupModel(input, group);
      const members = group.filter((v) => gm.views[local.get(v)!].registered);
      if (members.length < 2) {
        refuse(`its own SfM model registers ${members.length} of its ${group.length} views (${gm.views.find((x) => !x.registered)?.reason ?? ''})`);
        continue;
      }
      const groupCam = (v: number) => cameraAtMask(fullCamera(v, gm.views[local.get(v)!].pose ?? IDENTITY), masks[v]!);
      const gObs = gm.pointObservations.map((o) => o.map((x) => group[x.view]));
      const gPts = onObject(gm.points, gObs, (v) => (members.includes(v) ? groupCam(v) : null), masks);
      // The main views: hull, points on the object.
      const mainCam = (v: number) => cameraAtMask(fullCamera(v, poses[v]!), masks[v]!);
      const main: MainView[] = mainIdx.map((v) => ({ camera: mainCam(v), mask: masks[v]! }));
      const bounds = hullBounds(main);
      if (!bounds) {
        refuse('the registered views look along parallel rays: no visual hull');
        continue;
      }
      const fine = carveHull(main, bounds, nFine);
      if (fine.occupiedCount === 0) {
        refuse("the registered views' silhouettes do not intersect (empty visual hull)");
        continue;
      }
      const hulls = { coarse: buildCoherenceModel(carveHull(main, bounds, nFine >> 1), main, { raysPerView: 96 }), fine: buildCoherenceModel(fine, main) };
      const mPts = onObject(Float64Array.from(points), observers, (v) => (poses[v] && masks[v] ? mainCam(v) : null), masks);
      const distance = median(main.map((m) => {
        const C = cameraCenter(m.camera);
        return Math.hypot(C[0] - fine.centre[0], C[1] - fine.centre[1], C[2] - fine.centre[2]);
      }));
      const sInput = { hulls, main, mainPoints: mPts.points, group: members.map((v) => ({ camera: groupCam(v), mask: masks[v]! })), groupPoints: gPts.points, distance };
      const res = searchGroupSimilarity(sInput, { ...opts.search, signal: input.signal });
      if ('reason' in res) {
        refuse(res.reason);
        continue;
      }
      const { best, runnerUp } = res;
      // Colour agreement of each refined candidate (photos box-filtered once; posed per candidate).
      const mainColour = mainIdx.map((v) => colourView(images[v]!, fullCamera(v, poses[v]!), opts.colourSide));
      const groupColour = members.map((v) => colourView(images[v]!, fullCamera(v, IDENTITY), opts.colourSide));
      const withColour = (c: { poses: Pose[]; score: number }) => {
        const carvers = members.map((v, k) => ({ camera: cameraAtMask(fullCamera(v, c.poses[k]), masks[v]!), inside: masks[v]!.inside }));
        const surface = carvedSurface(fine, carvers);
        const col = colourAgreement(surface, fine.voxel, mainColour, groupColour.map((g, k) => ({ ...g, camera: { ...g.camera, R: c.poses[k].R, t: c.poses[k].t } })));
        return { poses: c.poses, score: c.score, colour: col.agreement, shared: col.shared };
      };
      const candidates = res.candidates.map(withColour);
      // What the registered views reach among themselves on their hull's surface.
      const baseline = selfAgreement(fine.surface, fine.voxel, mainColour);
      const bestColour = candidates[0];
      const lead = best.score - (runnerUp?.score ?? 0);
      // Colour lead over every candidate > 30° away that shares enough surface to judge.
      const far = candidates.filter((c, k) => k > 0 && rotationAngleDeg(res.candidates[k].R, best.R) > 30 && c.shared >= minShared && Number.isFinite(c.colour));
      const colourRunnerUp = far.reduce((m, c) => Math.max(m, c.colour), -Infinity);
      const colourLead = bestColour.shared >= minShared && far.length ? bestColour.colour - colourRunnerUp : NaN;
      const colourRatio = bestColour.colour / baseline.agreement;
      const worstPoints = Math.min(...best.mainPointsInside, ...best.groupPointsInside);
      const desc =
        `group of ${members.length} (${members.map((v) => sfm.views[v].name).join(', ')}; ${gPts.points.length / 3} of its points on the object) ` +
        `against ${main.length} registered views (${mPts.points.length / 3} points): score ${best.score.toFixed(3)} (coherence ${best.coherence.toFixed(3)}, points inside ${best.points.toFixed(3)}, worst view ${worstPoints.toFixed(2)}); ` +
        `runner-up ${runnerUp ? `${runnerUp.score.toFixed(3)} (coherence ${runnerUp.coherence.toFixed(3)}, points ${runnerUp.points.toFixed(3)}) at ${runnerUp.rotationDeg.toFixed(0)}°${runnerUp.refined ? '' : ', unrefined: every refined seed converged to the best'}` : 'none distinct'}; lead ${lead.toFixed(3)}; ` +
        `colour agreement ${bestColour.colour.toFixed(3)} on ${bestColour.shared} shared surface voxels (the registered views among themselves ${baseline.agreement.toFixed(3)}), ${far.length ? `best of ${far.length} candidates > 30° away ${colourRunnerUp.toFixed(3)}` : `no candidate > 30° away shares ${minShared}`}`;
      let why: string | null = null;
      if (best.coherence < minCoherence) why = `${desc}: coherence below ${minCoherence}`;
      else if (worstPoints < minPoints) why = `${desc}: points inside below ${minPoints}`;
      else if (lead < minLeadWithColour) why = `ambiguous: ${desc} (silhouette lead below ${minLeadWithColour}; near-symmetric object?)`;
      else if (lead < minLead && !(colourLead >= minColourLead && colourRatio >= minColourRatio)) {
        const colourWhy = !Number.isFinite(colourLead)
          ? `too little shared surface (need ${minShared} voxels)`
          : colourLead < minColourLead
            ? `lead ${colourLead.toFixed(3)} < ${minColourLead}`
            : `agreement ${(100 * colourRatio).toFixed(0)}% of the registered views' own (need ${(100 * minColourRatio).toFixed(0)}%)`;
        why = `ambiguous: ${desc} (${Number.isFinite(minLead) ? `silhouette lead below ${minLead}, and ` : ''}the colours do not decide: ${colourWhy}; near-symmetric object?)`;
      }
      // The whole model (main + group in the world) must pass the model check.
      const gPose = new Map(members.map((v, k) => [v, best.poses[k]]));
      // Poses at the masks' working resolution are the photos' poses (only the intrinsics scale).
      const worldPoses = poses.map((p, v) => p ?? gPose.get(v) ?? null);
      const worldPoints: number[] = [];
      for (let p = 0; p < gm.points.length / 3; p++) {
        const d = [0, 1, 2].map((a) => gm.points[3 * p + a] - best.g[a]);
        for (let r = 0; r < 3; r++) worldPoints.push(best.centre[r] + best.scale * (best.R[3 * r] * d[0] + best.R[3 * r + 1] * d[1] + best.R[3 * r + 2] * d[2]));
      }
      if (!why) {
        const all = { poses: worldPoses, intrinsics: sfm.views.map((_, v) => K(v)), points: Float64Array.from([...points, ...worldPoints]), observers: [...observers, ...gObs.map((o) => o.filter((v) => gPose.has(v)))] };
        const chk = input.check(all);
        if (!chk.ok) why = `${desc}, but the whole model then disagrees with the photos' silhouettes: in ${sfm.views[chk.worstView!].name}, ${chk.reason}`;
      }
      const refPoses = opts.reference?.(members, poses);
      let reference: GroupAttempt['reference'];
      if (refPoses) {
        const sim = similarityTo(members.map((v) => gm.views[local.get(v)!].pose!), refPoses);
        reference = [false, true].flatMap((refine) => {
          const c = evaluateGroupSimilarity(sInput, sim.R, sim.c, sim.s, refine);
          return c ? [{ ...withColour(c), coherence: c.coherence, points: c.points }] : [];
        });
      }
      attempts.push({ views: members, best: best.poses, runnerUp: runnerUp?.poses ?? null, score: best.score, lead, accepted: !why, candidates, reference, baseline: baseline.agreement });
      if (why) {
        refuse(why);
        continue;
      }
      const text = `${desc}; the whole model passes the silhouette check`;
      for (const v of members) {
        poses[v] = worldPoses[v];
        placed.set(v, { pose: worldPoses[v]!, score: best.score, lead, placement: text });
        refused.delete(v);
      }
      points = [...points, ...worldPoints];
      observers.push(...gObs.map((o) => o.filter((v) => gPose.has(v))));
      models.push(groupModelInWorld(gm, group, members, worldPoints));
      input.onEvent?.({ type: 'log', stage: 'poses', message: `${names}: placed as a group by silhouettes: ${text}` });
      progress = true;
    }
    if (!progress) break;
    pending = pending.filter((g) => !g.some((v) => placed.has(v)));
  }
  return { placed, refused, models, attempts };
}

/**
 * The group model's points ([P, 3] already in the world), colours, track lengths and
 * observations with global view indices; observations of views its own model left out
 * are dropped (its final model has none), and so are points left with < 2 of them.
 */
function groupModelInWorld(gm: SfmResult, group: number[], members: number[], worldPoints: number[]): PlacedGroupModel {
  const keep: number[] = [];
  const obs: { view: number; keypoint: number }[][] = [];
  gm.pointObservations.forEach((o, p) => {
    const mine = o.map((x) => ({ view: group[x.view], keypoint: x.keypoint })).filter((x) => members.includes(x.view));
    if (mine.length < 2) return;
    keep.push(p);
    obs.push(mine);
  });
  const points = new Float64Array(3 * keep.length);
  const colors = new Uint8Array(3 * keep.length);
  keep.forEach((p, k) => {
    for (let a = 0; a < 3; a++) {
      points[3 * k + a] = worldPoints[3 * p + a];
      colors[3 * k + a] = gm.colors[3 * p + a];
    }
  });
  return { views: members, points, colors, trackLengths: Uint16Array.from(obs, (o) => o.length), pointObservations: obs };
}
