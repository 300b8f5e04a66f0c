/**
 * Multi-view stereo depth for every posed input view: plane sweep over inverse depth
 * (NCC, best-k over neighbours) -> winner-take-all with sub-plane refinement ->
 * [geometric-consistency passes: the same photometric cost raised by the round-trip error
 * against the neighbours' previous depth (ACMM)] -> multi-view geometric consistency ->
 * hole filling. Works with 2 views and up.
 *
 * Confidence of a pixel = the WTA confidence of the last pass (match quality x uniqueness of
 * its cost, which includes the geometric term after the first pass) if it passes the
 * photometric threshold and is consistent with at least `minConsistent` neighbours, else 0.
 * "Confident" pixels (confidence > 0) are what initialization and regularizers trust;
 * hole-filled pixels carry a depth with confidence 0.
 */
import type { Gpu } from '../gpu/acquire.js';
import { readF32, uploadStorage } from '../gpu/buffers.js';
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import { chooseNeighbours, consistencyCams, depthRangeFromCameras, inverseDepthPlanes, sweepWarp } from './geometry.js';
import { fillHoles } from './hole-fill.js';
import { consistencyGpu, filterCostGpu, geomCostGpu, MAX_SWEEP_SOURCES, sweepCostGpu, wtaRefineGpu } from './sweep-gpu.js';
import type { DepthMap, DepthRange, DepthView } from './types.js';

export interface MvsOptions {
  /** Inverse-depth planes swept (default 96). */
  planes?: number;
  /** NCC window radius in pixels (default 3, a 7x7 window). */
  radius?: number;
  /** Radius of the box filter aggregating the cost volume (default 2; 0 = none). */
  aggregateRadius?: number;
  /** Neighbour views matched per reference (default 4, at most 8). */
  maxNeighbours?: number;
  /** Sources averaged per plane (default: half the neighbours, rounded up). */
  bestK?: number;
  /** Window variance below which NCC is not trusted (grayscale in [0, 1]; default 1e-4). */
  minVariance?: number;
  /** Sweep range per view, or one for all; default from the cameras. */
  range?: DepthRange | DepthRange[];
  /** Photometric confidence a pixel needs before the geometric check (default 0.1). */
  minPhotoConfidence?: number;
  /** Round-trip reprojection error allowed, in working pixels (default 1.5). */
  maxReprojPx?: number;
  /**
   * Relative depth difference allowed in the round trip (default 0.03). Measured on fern 3-view
   * (bench/results/depth.md): one working pixel of disparity is ~5% of depth there, so 0.02
   * rejected pixels whose depths agree to a fraction of a pixel.
   */
  maxRelDepth?: number;
  /**
   * Geometric-consistency passes after the photometric one (default 2; 0 = photometric only).
   * Each re-sweeps every view with cost + geometricWeight * min(round-trip px, geometricMaxPx)
   * against the best neighbour's depth from the previous pass, which settles ambiguous
   * (weakly textured) pixels on the depth their neighbours agree on.
   */
  geometricPasses?: number;
  /** Weight of the geometric term per pixel of round-trip error (default 0.2, as ACMM). */
  geometricWeight?: number;
  /** Round-trip error at which the geometric term saturates, working pixels (default 3, as ACMM). */
  geometricMaxPx?: number;
  /**
   * Host memory the photometric cost volumes may take so later passes reuse them instead of
   * sweeping again (default 768 MiB; 0 = always sweep again). Same result either way.
   */
  maxCachedCostBytes?: number;
  /** Consistent neighbours a pixel needs (default 1). */
  minConsistent?: number;
  /** Fill low-confidence pixels from confident ones (default true). */
  fillHoles?: boolean;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface MvsViewStats {
  name: string;
  neighbours: number[];
  range: DepthRange;
  /** Fraction of (masked) pixels with a confident depth. */
  confidentFraction: number;
  /** Fraction of (masked) pixels passing the photometric threshold (last pass), before the geometric check. */
  photoFraction: number;
  /** Milliseconds of sweep + WTA for this view, all passes. */
  sweepMs: number;
}

export interface MvsResult {
  maps: DepthMap[];
  stats: MvsViewStats[];
}

export async function estimateMvsDepth(gpu: Gpu, views: DepthView[], opts: MvsOptions = {}): Promise<MvsResult> {
  if (views.length < 2) throw new Error(`multi-view stereo needs at least 2 posed views, got ${views.length}`);
  const { width: W, height: H } = views[0].camera;
  for (const v of views) {
    if (v.camera.width !== W || v.camera.height !== H) throw new Error(`${v.name}: working size ${v.camera.width}x${v.camera.height} differs from ${W}x${H}; resize all views to one size`);
  }
  const planes = opts.planes ?? 96;
  const radius = opts.radius ?? 3;
  const maxNeighbours = Math.min(opts.maxNeighbours ?? 4, MAX_SWEEP_SOURCES);
  const minPhoto = opts.minPhotoConfidence ?? 0.1;
  const emit = opts.onEvent ?? (() => {});
  const cameras = views.map((v) => v.camera);
  const defaultRange = Array.isArray(opts.range) ? undefined : opts.range ?? depthRangeFromCameras(cameras);
  const HW = W * H;

  const neighboursOf = views.map((_, r) => {
    const n = chooseNeighbours(cameras, r, maxNeighbours);
    if (n.length === 0) throw new Error(`${views[r].name}: no neighbour view with a baseline faces the same way`);
    return n;
  });
  const passes = 1 + Math.max(0, opts.geometricPasses ?? 2);
  const totalSteps = (passes + 1) * views.length;
  // Photometric cost volumes [D, H, W] per view, kept on the host between passes when they fit.
  const cacheCost = passes > 1 && views.length * planes * HW * 4 <= (opts.maxCachedCostBytes ?? 768 * 2 ** 20);
  const photoCost: Float32Array[] = [];

  // 1. Sweep + WTA per view; later passes add the geometric term against the previous pass.
  let raw: { depth: Float32Array; photo: Float32Array }[] = [];
  const stats: MvsViewStats[] = [];
  for (let pass = 0; pass < passes; pass++) {
    const next: typeof raw = [];
    for (let r = 0; r < views.length; r++) {
      throwIfCancelled(opts.signal);
      const t0 = performance.now();
      const neighbours = neighboursOf[r];
      const range = Array.isArray(opts.range) ? opts.range[r] : defaultRange!;
      const invDepth = inverseDepthPlanes(range, planes);
      let cost: GPUBuffer;
      if (pass > 0 && cacheCost) cost = uploadStorage(gpu, photoCost[r], 'mvs/cost');
      else {
        const src = new Float32Array(neighbours.length * HW);
        neighbours.forEach((n, i) => src.set(views[n].gray, i * HW));
        cost = await sweepCostGpu(gpu, {
          width: W,
          height: H,
          ref: views[r].gray,
          src,
          warp: neighbours.flatMap((n) => sweepWarp(cameras[r], cameras[n])),
          invDepth,
          radius,
          bestK: opts.bestK ?? Math.ceil(neighbours.length / 2),
          minVar: opts.minVariance ?? 1e-4,
        });
        await filterCostGpu(gpu, cost, W, H, planes, opts.aggregateRadius ?? 2);
        if (cacheCost) photoCost[r] = await readF32(gpu, cost, planes * HW);
      }
      if (pass > 0) {
        const srcDepth = new Float32Array(neighbours.length * HW);
        neighbours.forEach((n, i) => srcDepth.set(raw[n].depth, i * HW));
        await geomCostGpu(gpu, cost, {
          width: W,
          height: H,
          srcDepth,
          cams: neighbours.flatMap((n) => consistencyCams(cameras[r], cameras[n])),
          invDepth,
          weight: opts.geometricWeight ?? 0.2,
          maxPx: opts.geometricMaxPx ?? 3,
        });
      }
      const wta = await wtaRefineGpu(gpu, cost, invDepth, W, H);
      cost.destroy();
      const mask = views[r].mask;
      let photoCount = 0;
      for (let p = 0; p < HW; p++) {
        if ((mask && !mask[p]) || !(wta.confidence[p] >= minPhoto)) {
          wta.depth[p] = 0;
          wta.confidence[p] = 0;
        } else photoCount++;
      }
      next.push({ depth: wta.depth, photo: wta.confidence });
      const ms = performance.now() - t0;
      if (pass === 0) stats.push({ name: views[r].name, neighbours, range, confidentFraction: 0, photoFraction: 0, sweepMs: 0 });
      stats[r].photoFraction = photoCount / maskedCount(mask, HW);
      stats[r].sweepMs += ms;
      emit({ type: 'step', stage: 'depth', step: pass * views.length + r + 1, total: totalSteps, metrics: { pass, photoFraction: stats[r].photoFraction } });
    }
    raw = next;
  }

  // 2. Geometric consistency against each view's neighbours, then hole filling.
  const maps: DepthMap[] = [];
  for (let r = 0; r < views.length; r++) {
    throwIfCancelled(opts.signal);
    const neighbours = stats[r].neighbours;
    const srcDepth = new Float32Array(neighbours.length * HW);
    neighbours.forEach((n, i) => srcDepth.set(raw[n].depth, i * HW));
    const { count } = await consistencyGpu(gpu, {
      width: W,
      height: H,
      refDepth: raw[r].depth,
      srcDepth,
      cams: neighbours.flatMap((n) => consistencyCams(cameras[r], cameras[n])),
      maxReprojPx: opts.maxReprojPx ?? 1.5,
      maxRelDepth: opts.maxRelDepth ?? 0.03,
    });
    const minConsistent = opts.minConsistent ?? 1;
    const confidence = new Float32Array(HW);
    const valid = new Uint8Array(HW);
    let confident = 0;
    for (let p = 0; p < HW; p++) {
      if (raw[r].depth[p] > 0 && count[p] >= minConsistent) {
        confidence[p] = raw[r].photo[p];
        valid[p] = 1;
        confident++;
      }
    }
    stats[r].confidentFraction = confident / maskedCount(views[r].mask, HW);
    let depth: Float32Array = new Float32Array(HW);
    let filled: Uint8Array = new Uint8Array(HW);
    if (opts.fillHoles ?? true) ({ depth, filled } = fillHoles(W, H, raw[r].depth, valid, views[r].rgb, views[r].mask));
    else for (let p = 0; p < HW; p++) depth[p] = valid[p] ? raw[r].depth[p] : 0;
    maps.push({ width: W, height: H, depth, confidence, filled });
    emit({ type: 'step', stage: 'depth', step: passes * views.length + r + 1, total: totalSteps, metrics: { confident: stats[r].confidentFraction } });
  }
  return { maps, stats };
}

function maskedCount(mask: Uint8Array | undefined, n: number): number {
  if (!mask) return n;
  let c = 0;
  for (let i = 0; i < n; i++) c += mask[i];
  return Math.max(c, 1);
}
