/**
 * The pose stage: photos in, cameras + sparse points out.
 *   load (decode, EXIF orientation, intrinsics, duplicate and size checks; portrait and
 *   landscape photos of one camera share its focal length)
 *   -> features (the chosen FeatureBackend) -> exhaustive pairwise matching
 *   -> geometric verification (essential matrix, cheirality)
 *   -> view-graph filtering (minimum inliers and inlier ratio, rotation consensus over
 *      loops, weak pairs confirmed by view triplets: view-graph-filter.ts)
 *   -> when the graph splits and the extractor is not rotation invariant (XFeat): the cut-off
 *      photos tried turned in their image plane, then verification and filtering again
 *      (rotation-search.ts)
 *   -> incremental SfM (PnP, relative-pose fallback with an optional depth prior)
 *   -> silhouette fallback for views still unplaced, when the photos have alpha masks
 *      (silhouette-fallback.ts).
 * Every photo given appears in the result: registered with its method and
 * confidence, or unregistered with the reason.
 */
import type { RgbaImage } from '../io/image.js';
import { decodeImage } from '../io/image.js';
import { downscaleToMaxSide } from '../io/image-resize.js';
import type { EventSink } from '../pipeline/events.js';
import { RateMeter, silentSink, throwIfCancelled } from '../pipeline/events.js';
import type { Camera } from '../splat/camera.js';
import type { FeatureBackend, Keypoints } from './features.js';
import { incrementalSfm, type RegistrationMethod, type SfmOptions, type SfmView } from './incremental-sfm.js';
import { filterViewGraph, type PairRejection, type ViewGraphFilterOptions } from './view-graph-filter.js';
import { silhouetteFallback } from './silhouette-fallback.js';
import { createModelSilhouetteCheck } from './model-silhouette-check.js';
import type { SilhouetteOptions } from './silhouette-placement.js';
import { placeGroupsBySilhouettes, type GroupAttempt, type GroupPlacementOptions } from './silhouette-group-placement.js';
import { mergePlacedGroups } from './silhouette-group-merge.js';
import { cameraGroups, initialIntrinsics, readCameraExif, viewIntrinsics, type CameraExif, type FocalSource } from './intrinsics.js';
import { verifyPair, type VerifiedPair } from './two-view.js';
import { searchRotations, type RotationSearchOptions } from './rotation-search.js';
import { allViews, viewComponents } from './view-components.js';

export interface PhotoInput {
  name: string;
  bytes: Uint8Array;
}

export interface PoseEstimateOptions {
  backend: FeatureBackend;
  /**
   * Long side (px) of the copies of the photos the stage works on (default: the
   * extractor's workingSide, e.g. XFeat's 640 or AKAZE's 1600); cameras, keypoints and
   * reprojection errors come back in the photos' own pixels.
   */
  maxImageSide?: number;
  maxKeypoints?: number;
  /** epipolar threshold for verification, px (default 2) */
  verifyThresholdPx?: number;
  /** verified inliers a pair needs to count as an edge (default 20) */
  minPairInliers?: number;
  sfm?: Omit<SfmOptions, 'onEvent' | 'signal' | 'pairSupport' | 'depthPrior'>;
  /** view-graph filter settings (minInliers defaults to minPairInliers) */
  viewGraph?: ViewGraphFilterOptions;
  /**
   * Optional depth prior per photo (same order as the photos; null/undefined where
   * none): places a view with too few 2D-3D matches for PnP by lifting them to 3D
   * ('depth-alignment'), and fixes the baseline length of views placed by the
   * relative-pose fallback when their registered partner sees too few model points.
   */
  depthPriors?: (DepthPrior | null | undefined)[];
  /**
   * Views that no trusted match places (e.g. separate groups of a near-symmetric object)
   * are placed by a silhouette search against the visual hull of the registered views
   * ('silhouette', silhouette-placement.ts). It applies to photos with an alpha mask
   * only (default on; false turns it off). The same masks check the SfM model during
   * registration (silhouette.modelCheck, model-silhouette-check.ts).
   */
  silhouette?: SilhouetteOptions | false;
  /**
   * Groups of >= 2 unregistered views linked by trusted pairs among themselves but not to
   * the model are placed rigidly (their own SfM model) by a similarity found from the
   * silhouettes, sparse points and colours ('silhouette-group',
   * silhouette-group-placement.ts), before the single-view silhouette search; needs the
   * silhouette model check (photos with alpha masks). Default on; false turns it off.
   */
  silhouetteGroup?: GroupPlacementOptions | false;
  /**
   * When the extractor is not rotation invariant (XFeat) and the view graph splits, the
   * photos of the smaller components are tried turned in their image plane
   * (rotation-search.ts). Default on; false turns it off.
   */
  rotationSearch?: RotationSearchOptions | false;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * A depth map of one photo: z-depth (distance along the optical axis, NOT inverse
 * depth / disparity) up to an unknown scale, e.g. from MVS or a metric monocular
 * model. Any resolution: keypoints are mapped by relative position.
 */
export interface DepthPrior {
  width: number;
  height: number;
  /** [height * width] row-major; <= 0 or non-finite where unknown */
  depth: Float32Array;
}

export interface PoseView {
  name: string;
  width: number;
  height: number;
  registered: boolean;
  method?: RegistrationMethod | 'silhouette' | 'silhouette-group' | 'render';
  reason?: string;
  /** for the fallback methods: how the view was placed (partner, scale source, inliers) */
  placement?: string;
  /** present when registered (OpenCV axes, world-to-camera) */
  camera?: Camera;
  group: number;
  focalSource: FocalSource;
  keypoints: number;
  registrationInliers: number;
  observations: number;
  rmsErrorPx: number;
  /** clockwise turn (degrees) of the photo its features were taken at, when the rotation search turned it */
  turnedDegrees?: number;
  /**
   * 'high' when registered with >= 50 inliers and seeing >= 50 points at < 1.5 px RMS;
   * 'low' otherwise (few constraints: the pose may be wrong even though it is
   * self-consistent); always 'low' for the fallbacks 'depth-alignment' (a few 2D-3D
   * matches and a depth prior) and 'relative-pose' (one pair's relative pose, not
   * 2D-3D matches) and 'silhouette' (a silhouette search; its coherence and lead over the
   * runner-up pose are in `placement`) and 'silhouette-group' (a group placed by
   * silhouettes, points and colours; its scores and leads in `placement`) and 'render'
   * (render-fallback.ts: the silhouette candidate whose render by Gaussians trained on the
   * registered views matches the photo); 'none' when
   * not registered.
   */
  confidence: 'high' | 'low' | 'none';
}

export interface PairSummary {
  a: string;
  b: string;
  matches: number;
  inliers: number;
  medianAngleDeg: number;
  /** why the pair was not used by SfM (absent when used) */
  rejected?: PairRejection;
  rejectedDetail?: string;
}

export interface PoseEstimate {
  backend: string;
  views: PoseView[];
  /** [P, 3] world points, [P, 3] RGB8, [P] track lengths */
  points: Float64Array;
  colors: Uint8Array;
  trackLengths: Uint16Array;
  /** per point: (view index, keypoint) observations; keypoint xy in `keypoints[view]` */
  pointObservations: { view: number; keypoint: number }[][];
  /** per view: [N, 2] keypoint pixels, in the photo's own pixels */
  keypoints: Float32Array[];
  pairs: PairSummary[];
  /** groups the silhouette group placement searched (silhouette-group-placement.ts), placed or not */
  groupAttempts?: GroupAttempt[];
  timingsMs: Record<string, number>;
}

/** Raised for input that cannot produce any poses (fewer than 2 usable photos). */
export class PoseInputError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
    this.name = 'PoseInputError';
  }
}

export async function estimatePoses(photos: PhotoInput[], opts: PoseEstimateOptions): Promise<PoseEstimate> {
  const onEvent = opts.onEvent ?? silentSink;
  const timingsMs: Record<string, number> = {};
  let t0 = performance.now();
  if (photos.length < 2) throw new PoseInputError(`need at least 2 photos to estimate poses (got ${photos.length})`);
  if (opts.depthPriors && opts.depthPriors.length !== photos.length) {
    throw new PoseInputError(`depthPriors: ${opts.depthPriors.length} depth maps for ${photos.length} photos (one per photo, null where none)`);
  }

  // The feature backend's runtime (opencv.js: a WASM compile of ~0.3 s) loads while the
  // photos decode; a failure surfaces from extract(), which awaits the same load.
  opts.backend.extractor.prepare?.().catch(() => undefined);

  onEvent({ type: 'stage', stage: 'load', status: 'start', message: `${photos.length} photos` });
  // Large photos are worked on at the extractor's resolution (a phone's 12 MP is ~20x what
  // XFeat sees); `full` keeps the photo's own size, to which the cameras are scaled at the end.
  const workingSide = opts.maxImageSide ?? (await opts.backend.extractor.workingSide?.()) ?? Infinity;
  const decoded: { name: string; image: RgbaImage; hash: string; full: { width: number; height: number } }[] = [];
  const exifs: CameraExif[] = [];
  for (const p of photos) {
    throwIfCancelled(opts.signal);
    const photo = await decodeImage(p.bytes, p.name);
    const image = downscaleToMaxSide(photo, workingSide);
    decoded.push({ name: p.name, image, hash: pixelHash(photo), full: { width: photo.width, height: photo.height } });
    exifs.push(await readCameraExif(p.bytes));
  }
  const downscaled = decoded.filter((d) => d.image.width !== d.full.width).length;
  if (downscaled) onEvent({ type: 'log', stage: 'load', message: `${downscaled} photo(s) worked on at ${workingSide} px on the long side (cameras given at full size)` });
  const intr = decoded.map((d, i) => initialIntrinsics(exifs[i], d.image.width, d.image.height));
  const groups = cameraGroups(decoded.map((d, i) => ({ exif: exifs[i], width: d.image.width, height: d.image.height, f: intr[i].f })));
  // Duplicates (identical pixels) are not views: report them, keep the first.
  const duplicateOf = new Map<number, number>();
  decoded.forEach((d, i) => {
    const first = decoded.findIndex((e) => e.hash === d.hash);
    if (first < i) {
      duplicateOf.set(i, first);
      onEvent({ type: 'warning', stage: 'load', file: d.name, message: `identical to ${decoded[first].name}; ignored as a duplicate` });
    }
  });
  const areas = decoded.map((d) => d.full.width * d.full.height);
  const maxArea = Math.max(...areas);
  decoded.forEach((d, i) => {
    if (areas[i] * 16 < maxArea) {
      onEvent({ type: 'warning', stage: 'load', file: d.name, message: `${d.full.width}x${d.full.height} is far smaller than the largest photo; expect fewer matches` });
    }
  });
  if (intr.some((k) => k.source === 'default-fov')) {
    const n = intr.filter((k) => k.source === 'default-fov').length;
    onEvent({ type: 'log', stage: 'load', message: `${n} photo(s) without focal length in EXIF: starting from a 60° field of view, refined by bundle adjustment` });
  }
  const active = decoded.map((_, i) => i).filter((i) => !duplicateOf.has(i));
  if (active.length < 2) throw new PoseInputError(`need at least 2 distinct photos (all ${photos.length} are identical)`, photos[0].name);
  timingsMs.load = performance.now() - t0;
  onEvent({ type: 'stage', stage: 'load', status: 'done', elapsedMs: timingsMs.load });

  // Features
  t0 = performance.now();
  onEvent({ type: 'stage', stage: 'features', status: 'start', message: opts.backend.name });
  const keypoints: (Keypoints | null)[] = decoded.map(() => null);
  const meter = new RateMeter(active.length);
  for (let k = 0; k < active.length; k++) {
    throwIfCancelled(opts.signal);
    const i = active[k];
    keypoints[i] = await opts.backend.extractor.extract(decoded[i].image, opts.maxKeypoints);
    onEvent({ type: 'step', stage: 'features', step: k + 1, total: active.length, metrics: { keypoints: keypoints[i]!.xy.length / 2 }, ...meter.update(k + 1) });
  }
  timingsMs.features = performance.now() - t0;
  onEvent({ type: 'stage', stage: 'features', status: 'done', elapsedMs: timingsMs.features });

  // Matching + verification
  t0 = performance.now();
  const pairList: [number, number][] = [];
  for (let x = 0; x < active.length; x++) for (let y = x + 1; y < active.length; y++) pairList.push([active[x], active[y]]);
  onEvent({ type: 'stage', stage: 'matching', status: 'start', message: `${pairList.length} pairs` });
  const minPair = opts.minPairInliers ?? 20;
  const matchPairs: Uint32Array[] = [];
  const pairMeter = new RateMeter(pairList.length);
  const verifyAll = (K: { f: number; cx: number; cy: number }[]) => {
    const verified: VerifiedPair[] = [];
    const pairs: PairSummary[] = [];
    pairList.forEach(([a, b], k) => {
      const v = verifyPair(a, b, keypoints[a]!.xy, keypoints[b]!.xy, K[a], K[b], matchPairs[k], { thresholdPx: opts.verifyThresholdPx ?? 2 });
      pairs.push({ a: decoded[a].name, b: decoded[b].name, matches: matchPairs[k].length / 2, inliers: v?.inlierCount ?? 0, medianAngleDeg: v?.medianAngleDeg ?? 0 });
      if (v) verified.push(v);
    });
    return { verified, pairs };
  };
  for (let k = 0; k < pairList.length; k++) {
    throwIfCancelled(opts.signal);
    const [a, b] = pairList[k];
    const m = await opts.backend.matcher.match(keypoints[a]!, keypoints[b]!);
    matchPairs.push(m.pairs);
    onEvent({ type: 'step', stage: 'matching', step: k + 1, total: pairList.length, metrics: { matches: m.pairs.length / 2 }, ...pairMeter.update(k + 1) });
  }
  let { verified: allVerified, pairs } = verifyAll(intr);
  // Pairs that passed RANSAC are not all right: loop-check them before SfM trusts them.
  let graph = filterViewGraph(decoded.length, allVerified, { minInliers: minPair, ...opts.viewGraph });
  // A split view graph with a rotation-sensitive extractor: try the cut-off photos turned.
  const rotation =
    opts.rotationSearch !== false && !opts.backend.extractor.rotationInvariant
      ? await searchRotations({
          names: decoded.map((d) => d.name),
          images: decoded.map((d, i) => (duplicateOf.has(i) ? null : d.image)),
          keypoints,
          pairList,
          matchPairs,
          trusted: graph.kept.map((k) => k.pair),
          extractor: opts.backend.extractor,
          matcher: opts.backend.matcher,
          screen: opts.backend.screenMatcher,
          maxKeypoints: opts.maxKeypoints,
          inliers: (a, b, ka, kb, m) => verifyPair(a, b, ka.xy, kb.xy, intr[a], intr[b], m, { thresholdPx: opts.verifyThresholdPx ?? 2 })?.inlierCount ?? 0,
          minInliers: minPair,
          options: opts.rotationSearch || undefined,
          onEvent,
          signal: opts.signal,
        })
      : null;
  if (rotation?.turned.size) {
    ({ verified: allVerified, pairs } = verifyAll(intr));
    graph = filterViewGraph(decoded.length, allVerified, { minInliers: minPair, ...opts.viewGraph });
  }
  const verified = graph.kept.map((k) => k.pair);
  const supportOf = new Map(graph.kept.map((k) => [k.pair, k.consistentTriangles]));
  for (const r of graph.rejected) {
    const summary = pairs.find((p) => p.a === decoded[r.pair.a].name && p.b === decoded[r.pair.b].name);
    if (summary) {
      summary.rejected = r.why;
      summary.rejectedDetail = r.detail;
    }
    if (r.why === 'loop-inconsistent' || r.why === 'weak-unconfirmed') {
      onEvent({ type: 'warning', stage: 'matching', message: `pair ${decoded[r.pair.a].name} / ${decoded[r.pair.b].name} not used: ${r.detail}` });
    }
  }
  timingsMs.matching = performance.now() - t0;
  onEvent({ type: 'stage', stage: 'matching', status: 'done', elapsedMs: timingsMs.matching, message: `${verified.length} of ${pairList.length} pairs verified and loop-checked` });

  // Structure from motion
  t0 = performance.now();
  onEvent({ type: 'stage', stage: 'poses', status: 'start' });
  // A group's views taken the other way up (portrait among landscape) share its focal
  // length; their keypoints move by the difference of the principal points (SfmView).
  const groupFirst = (i: number) => groups.indexOf(groups[i]);
  const sfmViews: SfmView[] = decoded.map((d, i) => {
    const offset: [number, number] = [intr[groupFirst(i)].cx - intr[i].cx, intr[groupFirst(i)].cy - intr[i].cy];
    const raw = keypoints[i]?.xy ?? new Float32Array(0);
    const moved = offset[0] || offset[1] ? raw.map((x, k) => x + offset[k & 1]) : raw;
    return {
      name: d.name,
      width: d.image.width,
      height: d.image.height,
      group: groups[i],
      xy: moved,
      colors: keypoints[i] ? sampleColors(d.image, raw) : undefined,
      principalOffset: offset[0] || offset[1] ? offset : undefined,
    };
  });
  // Photos with alpha masks: each registration must keep the model consistent with them.
  const silhouetteCheck = opts.silhouette === false || opts.silhouette?.modelCheck === false ? null : createModelSilhouetteCheck(decoded.map((d, i) => (duplicateOf.has(i) ? null : d.image)), { ...opts.silhouette, ...opts.silhouette?.modelCheck });
  const reconstruct = (K: { f: number; cx: number; cy: number }[], v: VerifiedPair[]) => {
    const groupIntrinsics = [...new Set(groups)].map((g) => {
      const i = groups.indexOf(g);
      return { f: K[i].f, cx: K[i].cx, cy: K[i].cy };
    });
    return incrementalSfm(sfmViews, groupIntrinsics, v, {
      ...opts.sfm,
      pairSupport: (p) => supportOf.get(p) ?? 0,
      depthPrior: opts.depthPriors ? depthSampler(opts.depthPriors, sfmViews) : undefined,
      modelCheck: opts.sfm?.modelCheck ?? silhouetteCheck ?? undefined,
      onEvent,
      signal: opts.signal,
    });
  };
  const sfm = reconstruct(intr, verified);
  timingsMs.poses = performance.now() - t0;
  // Views no trusted match places: analysis-by-synthesis on the photos' alpha masks.
  t0 = performance.now();
  const images = decoded.map((d, i) => (duplicateOf.has(i) ? null : d.image));
  // Pairs between unregistered views were verified with the initial focal length (a 60°
  // default without EXIF): their relative poses are re-estimated with the refined one.
  const refocused = verified.map((p) => {
    if (opts.silhouette === false || sfm.views[p.a].registered || sfm.views[p.b].registered) return p;
    const k = pairList.findIndex(([a, b]) => a === p.a && b === p.b);
    const K = sfm.intrinsics;
    return verifyPair(p.a, p.b, keypoints[p.a]!.xy, keypoints[p.b]!.xy, viewIntrinsics(K, sfmViews[p.a]), viewIntrinsics(K, sfmViews[p.b]), matchPairs[k], { thresholdPx: opts.verifyThresholdPx ?? 2 }) ?? p;
  });
  // Groups of unregistered views first (rigid, several silhouettes and their points at once).
  const grouped =
    silhouetteCheck && opts.silhouetteGroup !== false && opts.silhouetteGroup?.enabled !== false && sfm.views.some((v) => !v.registered)
      ? placeGroupsBySilhouettes({ images, views: sfmViews, sfm, pairs: refocused, check: silhouetteCheck, options: { maxSide: opts.silhouette ? opts.silhouette.maxSide : undefined, minTransparentShare: opts.silhouette ? opts.silhouette.minTransparentShare : undefined, ...opts.silhouetteGroup }, onEvent, signal: opts.signal })
      : null;
  // Placed groups join the model: their points and tracks, one final bundle adjustment (silhouette-group-merge.ts).
  const tMerge = performance.now();
  const merged = grouped?.placed.size ? mergePlacedGroups({ sfm, views: sfmViews, placed: grouped.placed, models: grouped.models, check: silhouetteCheck, signal: opts.signal }) : null;
  if (merged) timingsMs.silhouetteGroupMerge = performance.now() - tMerge;
  if (grouped) timingsMs.silhouetteGroup = performance.now() - t0;
  t0 = performance.now();
  // The single-view search sees the placed poses, not the adjusted ones: the adjustment must not
  // flip its decisions (lego8: train_042's lead goes from 0.007 to 0.020, right at its 0.02 margin).
  const withGroups = grouped?.placed.size ? { ...sfm, views: sfm.views.map((v, i) => (grouped.placed.has(i) ? { ...v, registered: true, pose: grouped.placed.get(i)!.pose } : v)) } : sfm;
  const silhouette = silhouetteFallback({ images, sfm: withGroups, views: sfmViews, pairs: refocused, options: opts.silhouette, onEvent, signal: opts.signal });
  if (silhouette) timingsMs.silhouette = performance.now() - t0;

  // Connected groups of views over the trusted pairs, to say why a view is left out.
  const groupOf = new Map<number, number[]>();
  for (const g of viewComponents(allViews(decoded.length), verified)) for (const v of g) groupOf.set(v, g);
  const views: PoseView[] = sfm.views.map((r, i) => {
    const d = decoded[i];
    const K = viewIntrinsics(sfm.intrinsics, sfmViews[i]);
    const dup = duplicateOf.get(i);
    const edges = verified.filter((p) => p.a === i || p.b === i).length;
    const dropped = graph.rejected.filter((x) => (x.pair.a === i || x.pair.b === i) && (x.why === 'loop-inconsistent' || x.why === 'weak-unconfirmed'));
    let reason = r.reason;
    if (dup !== undefined) reason = `duplicate of ${decoded[dup].name}`;
    else if (!r.registered && edges === 0 && dropped.length) {
      const names = dropped.map((x) => decoded[x.pair.a === i ? x.pair.b : x.pair.a].name).join(', ');
      reason = `its verified pairs (with ${names}) contradict the other pairs' geometry or are unconfirmed by any view triplet (repeated or symmetric structure?), so none was trusted; ${r.reason}`;
    } else if (!r.registered && edges === 0) reason = `no verified matches with any other photo (different scene, or too little overlap/texture)${rotation?.unlinked.has(i) ? `, also ${rotation.unlinked.get(i)}` : ''}; ${r.reason}`;
    else if (!r.registered && !groupOf.get(i)!.some((w) => sfm.views[w].registered)) {
      const partners = verified.filter((p) => p.a === i || p.b === i).map((p) => decoded[p.a === i ? p.b : p.a].name);
      reason = `its trusted pairs (with ${partners.join(', ')}) form a separate group of ${groupOf.get(i)!.length} views that no trusted pair links to the registered ones; ${r.reason}`;
    }
    const grp = grouped?.placed.get(i);
    const sil = silhouette?.placed.get(i) ?? grp;
    const grpRefusal = grouped?.refused.get(i);
    if (grpRefusal && dup === undefined) reason = `${reason}; silhouette group placement: ${grpRefusal}`;
    const silRefusal = silhouette?.refused.get(i);
    if (silRefusal && dup === undefined) reason = `${reason}; silhouette fallback: ${silRefusal}`;
    const pose = merged?.poses[i] ?? r.pose ?? sil?.pose;
    // Working pixels -> the photo's (the stage ran on a downscaled copy of a large photo).
    const [sx, sy] = [d.full.width / d.image.width, d.full.height / d.image.height];
    const rms = merged?.perView[i].rmsErrorPx ?? r.rmsErrorPx;
    return {
      name: d.name,
      width: d.full.width,
      height: d.full.height,
      registered: r.registered || Boolean(sil),
      method: grp ? 'silhouette-group' : sil ? 'silhouette' : r.method,
      reason: r.registered || sil ? undefined : reason,
      placement: sil ? (grp && merged ? `${sil.placement}; ${merged.note}` : sil.placement) : r.placement,
      camera: pose ? { width: d.full.width, height: d.full.height, fx: K.f * sx, fy: K.f * sy, cx: K.cx * sx, cy: K.cy * sy, R: pose.R, t: pose.t } : undefined,
      group: groups[i],
      focalSource: intr[i].source,
      keypoints: keypoints[i] ? keypoints[i]!.xy.length / 2 : 0,
      registrationInliers: r.registrationInliers,
      observations: merged?.perView[i].observations ?? r.observations,
      rmsErrorPx: rms * Math.sqrt(sx * sy),
      turnedDegrees: rotation?.turned.get(i),
      // (in working pixels: the precision the keypoints have)
      confidence: !r.registered && !sil ? 'none' : (r.method === 'initial-pair' || r.method === 'pnp') && r.registrationInliers >= 50 && r.observations >= 50 && r.rmsErrorPx < 1.5 ? 'high' : 'low',
    };
  });
  const low = views.filter((v) => v.confidence === 'low');
  if (low.length) onEvent({ type: 'warning', stage: 'poses', message: `low confidence (few inliers or points): ${low.map((v) => v.name).join(', ')}` });
  for (const v of views) if (!v.registered) onEvent({ type: 'warning', stage: 'poses', file: v.name, message: `not registered: ${v.reason}` });
  const registered = views.filter((v) => v.registered).length;
  if (registered === 2 && views.some((v) => v.registered && v.focalSource === 'default-fov')) {
    onEvent({
      type: 'warning',
      stage: 'poses',
      message: 'only 2 photos registered and their focal length is a default guess (no EXIF): two views cannot correct it, so these poses may be off by degrees',
    });
  }
  onEvent({ type: 'stage', stage: 'poses', status: 'done', elapsedMs: timingsMs.poses, message: `${registered}/${views.length} views registered, ${(merged ?? sfm).points.length / 3} points` });
  return {
    backend: opts.backend.name,
    views,
    points: (merged ?? sfm).points,
    colors: (merged ?? sfm).colors,
    trackLengths: (merged ?? sfm).trackLengths,
    pointObservations: (merged ?? sfm).pointObservations,
    keypoints: keypoints.map((k, i) => {
      if (!k) return new Float32Array(0);
      const d = decoded[i];
      if (d.image.width === d.full.width && d.image.height === d.full.height) return k.xy;
      const s = [d.full.width / d.image.width, d.full.height / d.image.height];
      return k.xy.map((v, j) => v * s[j & 1]);
    }),
    pairs,
    groupAttempts: grouped?.attempts,
    timingsMs,
  };
}

/** Depth prior of view v at keypoint kp (nearest sample; null where unknown). */
function depthSampler(priors: (DepthPrior | null | undefined)[], views: SfmView[]) {
  return (v: number, kp: number): number | null => {
    const d = priors[v];
    if (!d) return null;
    const [dx, dy] = views[v].principalOffset ?? [0, 0]; // back to the photo's pixels
    const x = Math.floor(((views[v].xy[2 * kp] - dx) / views[v].width) * d.width);
    const y = Math.floor(((views[v].xy[2 * kp + 1] - dy) / views[v].height) * d.height);
    if (!(x >= 0 && x < d.width && y >= 0 && y < d.height)) return null;
    const z = d.depth[y * d.width + x];
    return Number.isFinite(z) && z > 0 ? z : null;
  };
}

/** FNV-1a over size and pixels: equal hashes mean identical images (for duplicate detection). */
function pixelHash(img: RgbaImage): string {
  // FNV-1a over 32-bit words (4 pixels' bytes per step: a quarter of the byte loop's
  // iterations, which cost ~50 ms for three 0.2 MP photos in a cold process).
  const d = img.data;
  const aligned = d.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(d.buffer, d.byteOffset, d.length >> 2) : new Uint32Array(0);
  let h = 0x811c9dc5;
  h = Math.imul(h ^ img.width, 0x01000193) >>> 0;
  h = Math.imul(h ^ img.height, 0x01000193) >>> 0;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
  for (let i = words.length * 4; i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193) >>> 0;
  let h2 = 0;
  for (let i = 0; i < d.length; i += 97) h2 = (Math.imul(h2, 31) + d[i]) >>> 0;
  return `${img.width}x${img.height}:${h.toString(16)}:${h2.toString(16)}`;
}

/** RGB8 at each keypoint (nearest pixel). */
function sampleColors(img: RgbaImage, xy: Float32Array): Uint8Array {
  const n = xy.length / 2;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = Math.min(img.width - 1, Math.max(0, Math.floor(xy[2 * i])));
    const y = Math.min(img.height - 1, Math.max(0, Math.floor(xy[2 * i + 1])));
    const o = 4 * (y * img.width + x);
    out[3 * i] = img.data[o];
    out[3 * i + 1] = img.data[o + 1];
    out[3 * i + 2] = img.data[o + 2];
  }
  return out;
}
