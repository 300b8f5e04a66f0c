/**
 * The depth stage end to end, shared by `sparrow depth`, the bench and the app:
 * dataset views -> MVS depth (+ optional monocular depth aligned to it) -> initial Gaussians.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/acquire.js';
import type { Dataset } from '../io/dataset/types.js';
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import type { GaussianScene } from '../splat/scene.js';
import { initFromDepth, type DepthInitOptions, type DepthInitStats } from '../train/init-from-depth.js';
import { alignMonoDepth, targetsFromDepthMap, targetsFromPoints, type AlignmentReport, type DepthTargets } from './align.js';
import { depthRangeFromPoints } from './geometry.js';
import { loadDepthViews } from './load-views.js';
import { loadDepthModel, predictMonoDepth } from './mono.js';
import { estimateMvsDepth, type MvsOptions, type MvsViewStats } from './mvs.js';
import type { DepthMap, DepthRange, DepthView } from './types.js';
import { DEFAULT_MAX_SIDE } from './views.js';

export interface DepthStageOptions {
  /** Frame indices to compute depth for (default: the sparse split if any, else train). */
  views?: number[];
  maxSide?: number;
  mvs?: Omit<MvsOptions, 'onEvent' | 'signal' | 'range'>;
  /** Fixed sweep range; default: dataset near/far, else sparse points, else cameras. */
  range?: DepthRange;
  /** A monocular depth model (ONNX) to fill what MVS leaves unknown. */
  depthModel?: string;
  depthModelSpec?: string;
  init?: DepthInitOptions;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface DepthStageResult {
  indices: number[];
  views: DepthView[];
  maps: DepthMap[];
  mvs: MvsViewStats[];
  alignment?: (AlignmentReport | { error: string })[];
  scene: GaussianScene;
  init: DepthInitStats;
  timings: { loadMs: number; mvsMs: number; monoMs: number; initMs: number };
}

/** Frames a depth run uses by default: the few-view split when the dataset has one. */
export function defaultDepthViews(dataset: Dataset): number[] {
  return dataset.split.sparseTrain?.length ? dataset.split.sparseTrain : dataset.split.train;
}

/** near/far from a transforms.json `near_far` entry (LLFF-style scenes), widened 20%. */
export function datasetNearFar(dataset: Dataset): DepthRange | undefined {
  if (dataset.kind !== 'transforms') return undefined;
  const file = join(dataset.root, 'transforms.json');
  if (!existsSync(file)) return undefined;
  try {
    const nf = (JSON.parse(readFileSync(file, 'utf8')) as { near_far?: unknown }).near_far;
    if (Array.isArray(nf) && nf.length === 2 && nf[0] > 0 && nf[1] > nf[0]) return { near: nf[0] / 1.2, far: nf[1] * 1.2 };
  } catch {
    // The loader already validated the file; a missing entry just means "no range given".
  }
  return undefined;
}

export async function runDepthStage(gpu: Gpu, dataset: Dataset, opts: DepthStageOptions = {}): Promise<DepthStageResult> {
  const emit = opts.onEvent ?? (() => {});
  const indices = opts.views ?? defaultDepthViews(dataset);
  if (indices.length < 2) throw new Error(`${dataset.root}: depth needs at least 2 views, the selection has ${indices.length}`);
  let t = performance.now();
  emit({ type: 'stage', stage: 'load', status: 'start', message: `${indices.length} views` });
  const views = await loadDepthViews(dataset, indices, opts.maxSide ?? DEFAULT_MAX_SIDE, opts.signal);
  const loadMs = performance.now() - t;
  emit({ type: 'stage', stage: 'load', status: 'done', elapsedMs: loadMs, message: `${views[0].camera.width}x${views[0].camera.height} working size` });

  let range: DepthRange | DepthRange[] | undefined = opts.range ?? datasetNearFar(dataset);
  if (!range && dataset.points) {
    const perView = views.map((v) => depthRangeFromPoints(v.camera, dataset.points!.xyz));
    if (perView.every((r) => r)) range = perView as DepthRange[];
  }
  t = performance.now();
  emit({ type: 'stage', stage: 'depth', status: 'start', message: 'multi-view stereo' });
  const mvs = await estimateMvsDepth(gpu, views, { ...opts.mvs, range, onEvent: emit, signal: opts.signal });
  const mvsMs = performance.now() - t;
  const meanConf = mvs.stats.reduce((a, s) => a + s.confidentFraction, 0) / mvs.stats.length;
  emit({ type: 'stage', stage: 'depth', status: 'done', elapsedMs: mvsMs, message: `${(100 * meanConf).toFixed(1)}% confident pixels` });

  let alignment: DepthStageResult['alignment'];
  let monoMs = 0;
  if (opts.depthModel) {
    t = performance.now();
    emit({ type: 'stage', stage: 'depth', status: 'start', message: `monocular depth (${opts.depthModel})` });
    const model = await loadDepthModel(opts.depthModel, { specId: opts.depthModelSpec });
    if (model.specSource === 'generic') emit({ type: 'warning', stage: 'depth', file: opts.depthModel, message: 'model not in models/depth-manifest.json; assuming ImageNet normalization and relative inverse depth output' });
    alignment = [];
    for (let v = 0; v < views.length; v++) {
      throwIfCancelled(opts.signal);
      const pred = await predictMonoDepth(model, views[v]);
      const targets = mergeTargets(targetsFromDepthMap(mvs.maps[v]), dataset.points ? targetsFromPoints(views[v].camera, dataset.points.xyz) : undefined);
      if (targets.pixels.length < 16) {
        alignment.push({ error: `${views[v].name}: only ${targets.pixels.length} metric samples; monocular depth not used` });
        continue;
      }
      const { depth, report } = alignMonoDepth(pred, model.spec.output.kind, targets);
      alignment.push(report);
      // Matched depth stays; the aligned prediction replaces hole filling elsewhere.
      const map = mvs.maps[v];
      for (let p = 0; p < depth.length; p++) {
        if (map.confidence[p] > 0 || (views[v].mask && !views[v].mask![p])) continue;
        map.depth[p] = depth[p];
        map.filled[p] = depth[p] > 0 ? 1 : 0;
      }
      emit({ type: 'log', stage: 'depth', message: `${views[v].name}: mono aligned (${report.space}) scale ${report.scale.toPrecision(4)} shift ${report.shift.toPrecision(4)}, ${(100 * report.inlierFraction).toFixed(0)}% inliers, median rel. error ${(100 * report.medianRelDepthError).toFixed(2)}%` });
    }
    monoMs = performance.now() - t;
    emit({ type: 'stage', stage: 'depth', status: 'done', elapsedMs: monoMs, message: 'monocular depth aligned' });
  }

  t = performance.now();
  emit({ type: 'stage', stage: 'init', status: 'start' });
  const { scene, stats: init } = initFromDepth(views, mvs.maps, opts.init);
  const initMs = performance.now() - t;
  emit({ type: 'stage', stage: 'init', status: 'done', elapsedMs: initMs, message: `${init.merged} Gaussians` });
  return { indices, views, maps: mvs.maps, mvs: mvs.stats, alignment, scene, init, timings: { loadMs, mvsMs, monoMs, initMs } };
}

function mergeTargets(a: DepthTargets, b?: DepthTargets): DepthTargets {
  if (!b || b.pixels.length === 0) return a;
  const pixels = new Uint32Array(a.pixels.length + b.pixels.length);
  pixels.set(a.pixels);
  pixels.set(b.pixels, a.pixels.length);
  const depth = new Float32Array(a.depth.length + b.depth.length);
  depth.set(a.depth);
  depth.set(b.depth, a.depth.length);
  return { pixels, depth };
}
