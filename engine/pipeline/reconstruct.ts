/**
 * `reconstruct`: a folder of photos to an exported scene, stage by stage —
 *   poses -> depth -> init -> train -> export
 * Each stage keeps its outputs under <out> (poses/, depth/, init.ply, train.ckpt,
 * scene.ply, cameras/), so a re-run resumes after the last finished stage (and
 * training from its last checkpoint). Progress goes to the one event stream; a
 * failing stage is named, finished stages are kept, and report.json records
 * timings, counts and metrics.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import type { Gpu } from '../gpu/acquire.js';
import { describeAdapter } from '../gpu/acquire.js';
import { estimateMvsDepth } from '../depth/mvs.js';
import { loadDepthViews } from '../depth/load-views.js';
import { depthPreviewPng } from '../depth/output.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { atPhotoSize } from '../io/dataset/downscale.js';
import { writeColmapText, writeTransformsJson } from '../io/cameras-out.js';
import { loadDataset, type Dataset } from '../io/dataset/load.js';
import { decodePly, encodePly } from '../io/ply.js';
import { encodeScene } from '../io/scene-codec.js';
import { estimatePoses } from '../pose/estimate-poses.js';
import { writePoseOutputs } from '../pose/export.js';
import { renderFallback } from '../pose/render-fallback.js';
import { chooseFeatureBackend } from '../pose/feature-backends.js';
import { createOrbBackend } from '../pose/orb.js';
import { readCheckpoint } from '../train/checkpoint.js';
import { initFromDepth } from '../train/init-from-depth.js';
import { mutualKnnGraph } from '../train/regularizers/knn-graph.js';
import { createSparseViewRegularizers, type FramePrior } from '../train/regularizers/sparse-view.js';
import type { StepProfiler } from '../train/step-profile.js';
import { Trainer, type TrainerMeta } from '../train/trainer.js';
import { CoTraining, coRegularizationOn } from '../train/co-regularization/co-training.js';
import type { ReconstructConfig } from './config.js';
import { loadDepthMap, saveDepthMap } from './depth-store.js';
import { silentSink, type EventSink } from './events.js';
import { listPhotos, readPhotos } from './photos.js';
import { resamplePrior } from './priors.js';
import { StageRunner } from './stage-runner.js';

export interface ReconstructOptions {
  photosDir: string;
  outDir: string;
  config: ReconstructConfig;
  gpu: Gpu;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** Reuse finished stages of an earlier run in outDir (default true). */
  resume?: boolean;
  /** Benchmarks: per-phase timing of every training step (slows training). */
  trainProfiler?: StepProfiler;
}

export interface ReconstructReport {
  photos: number;
  registered: number;
  unregistered: { file: string; reason?: string }[];
  featureBackend: string;
  gaussians: number;
  stages: { name: string; elapsedMs: number }[];
  outputs: Record<string, string>;
  adapter: string;
  config: ReconstructConfig;
  depth?: { meanConfidentFraction: number };
  train?: { steps: number; finalLoss: number; trainPsnr?: number };
}

/** A training-resolution camera scaled back to the photo it was made from (engine/io/dataset/downscale.ts). */
export { atPhotoSize };

/** Integer downscale so the longest side is at most maxSide. */
export function downscaleFor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

/** What a run's saved stages depend on: the settings and every photo's name and bytes. */
export function reconstructFingerprint(cfg: ReconstructConfig, photos: { name: string; bytes: Uint8Array }[]): string {
  return createHash('sha256')
    .update(JSON.stringify(cfg))
    .update(photos.map((p) => `${p.name}:${createHash('sha256').update(p.bytes).digest('hex')}`).join('|'))
    .digest('hex');
}

export async function reconstruct(opts: ReconstructOptions): Promise<ReconstructReport> {
  const onEvent = opts.onEvent ?? silentSink;
  const cfg = opts.config;
  const out = opts.outDir;
  mkdirSync(out, { recursive: true });
  const photoPaths = listPhotos(opts.photosDir);
  const photos = readPhotos(photoPaths);
  const fingerprint = reconstructFingerprint(cfg, photos);
  const runner = new StageRunner(out, fingerprint, onEvent, opts.signal, opts.resume !== false);
  const gpu = opts.gpu;

  // 1. Cameras.
  const poses = await runner.run('poses', async (ctx) => {
    // AKAZE is the classical fallback: on fern pairs its relative rotations beat ORB's (bench/results/poses.md).
    const classical = async () => createOrbBackend({ detector: cfg.poses.features === 'orb' ? 'orb' : 'akaze', maxKeypoints: cfg.poses.maxKeypoints });
    const chosen = await chooseFeatureBackend({ prefer: cfg.poses.features, modelsDir: cfg.poses.modelsDir, onEvent: ctx.onEvent, maxKeypoints: cfg.poses.maxKeypoints, classical });
    const est = await estimatePoses(photos.map((p) => ({ name: p.name, bytes: p.bytes })), { backend: chosen.backend, maxKeypoints: cfg.poses.maxKeypoints, onEvent: ctx.onEvent, signal: ctx.signal });
    await chosen.backend.extractor.dispose?.();
    await chosen.backend.matcher.dispose?.();
    // Masked photos left out: the placement by rendering (experimental, only when asked for).
    if (cfg.poses.renderPlacement) await renderFallback({ gpu, est, photoBytes: photos.map((p) => p.bytes), onEvent: ctx.onEvent, signal: ctx.signal });
    const registered = est.views.filter((v) => v.registered).length;
    const unregistered = est.views.filter((v) => !v.registered).map((v) => ({ file: v.name, reason: v.reason }));
    for (const u of unregistered) ctx.onEvent({ type: 'warning', stage: 'poses', file: u.file, message: `not registered: ${u.reason ?? 'unknown reason'}` });
    if (registered < 2) throw new Error(`only ${registered} of ${photos.length} photos could be placed; need at least 2 (${unregistered.map((u) => `${u.file}: ${u.reason}`).join('; ')})`);
    const files = writePoseOutputs(est, join(out, 'poses'), photoPaths);
    return { registered, unregistered, backend: est.backend, transforms: relative(out, files.transforms) };
  });

  const loadPosed = async (): Promise<Dataset> => {
    const probe = await loadDataset(join(out, poses.transforms), { holdoutEvery: 0 });
    const f0 = probe.frames[0].imageSize;
    return loadDataset(join(out, poses.transforms), { holdoutEvery: 0, downscale: downscaleFor(f0[0], f0[1], cfg.maxSide) });
  };
  const dataset = await loadPosed();
  const all = dataset.frames.map((_, i) => i);
  const depthDir = join(out, 'depth');
  const frameKey = (i: number) => dataset.frames[i].name.replace(/[^\w.-]+/g, '_');

  // 2. Dense depth for every view (multi-view stereo).
  const depth = await runner.run('depth', async (ctx) => {
    const views = await loadDepthViews(dataset, all, cfg.depth.maxSide, ctx.signal);
    const mvs = await estimateMvsDepth(gpu, views, { ...cfg.depth, onEvent: ctx.onEvent, signal: ctx.signal });
    mvs.maps.forEach((m, k) => {
      saveDepthMap(depthDir, frameKey(all[k]), m);
      writeFileAtomic(join(depthDir, `${frameKey(all[k])}.preview.png`), depthPreviewPng(m));
    });
    const fractions = mvs.stats.map((s) => s.confidentFraction);
    return { meanConfidentFraction: fractions.reduce((a, b) => a + b, 0) / fractions.length, perView: mvs.stats.map((s) => ({ name: s.name, confident: s.confidentFraction })) };
  });
  const maps = () => all.map((i) => loadDepthMap(depthDir, frameKey(i)));

  // 3. Gaussians from the depth maps.
  const init = await runner.run('init', async (ctx) => {
    const views = await loadDepthViews(dataset, all, cfg.depth.maxSide, ctx.signal);
    const { scene, stats } = initFromDepth(views, maps(), cfg.init);
    if (scene.count === 0) throw new Error('no confident depth anywhere: nothing to place Gaussians from');
    writeFileAtomic(join(out, 'init.ply'), encodePly(scene));
    return { gaussians: scene.count, ...stats };
  });

  // 4. Optimisation with the sparse-view regularizers and joint pose refinement.
  const ckptPath = join(out, 'train.ckpt');
  const train = await runner.run('train', async (ctx) => {
    const initial = decodePly(new Uint8Array(readFileSync(join(out, 'init.ply'))), join(out, 'init.ply'));
    const priors = new Map<number, FramePrior>();
    maps().forEach((m, k) => {
      const cam = dataset.frames[all[k]].camera;
      priors.set(all[k], resamplePrior(m, cam.width, cam.height));
    });
    const graph = mutualKnnGraph(initial.means, 4);
    let trainer: Trainer | undefined;
    const regInputs = {
      cameras: dataset.frames.map((f) => f.camera),
      trainViews: all,
      priors,
      extent: dataset.extent,
      background: (cfg.train.background ?? [0, 0, 0]) as [number, number, number],
      coherence: { neighbours: graph.neighbours, edges: graph.edges, initialMeans: Float32Array.from(initial.means) },
      trainer: () => trainer!,
    };
    const reg = createSparseViewRegularizers(gpu, cfg.regularizers, regInputs);
    const trainerOpts = { lossTerms: reg.lossTerms, hooks: reg.hooks, trainViews: all, profiler: opts.trainProfiler };
    if (reg.poseRefiner) reg.poseRefiner.profiler = opts.trainProfiler;
    if (existsSync(ckptPath)) {
      trainer = Trainer.resume(gpu, dataset, readCheckpoint<TrainerMeta>(ckptPath), ckptPath, trainerOpts);
      ctx.onEvent({ type: 'log', stage: 'train', message: `resuming training at step ${trainer.stepCount}` });
    } else {
      trainer = Trainer.fromScene(gpu, dataset, initial, { ...cfg.train, shDegree: initial.shDegree }, trainerOpts);
    }
    let lastLoss = Number.NaN;
    const sink: EventSink = (e) => {
      if (e.type === 'step' && e.metrics?.loss !== undefined) lastLoss = e.metrics.loss;
      ctx.onEvent(e);
    };
    // CoR-GS: a second field beside this one (twice the training cost); its runs keep no checkpoint, a cancelled one restarts training.
    const co = coRegularizationOn(cfg.regularizers) && trainer.stepCount === 0
      ? CoTraining.pair(trainer, initial, cfg.regularizers, { trainViews: all, regularizerConfig: cfg.regularizers, regularizers: (c, get) => createSparseViewRegularizers(gpu, c, { ...regInputs, trainer: get }) })
      : undefined;
    await (co ?? trainer).train({ onEvent: sink, signal: ctx.signal, ...(co ? {} : { checkpointPath: ckptPath }), psnrEvery: 50 });
    co?.dispose();
    const scene = await trainer.scene();
    writeFileAtomic(join(out, 'scene.ply'), encodePly(scene));
    // Cameras go out at the photos' own size (training ran on downscaled copies), so other tools can pair them with the files.
    const views = dataset.frames.map((f) => ({ name: relative(join(out, 'cameras'), f.imagePath), camera: atPhotoSize(f.camera, f.downscale ?? 1, f.imageSize) }));
    writeColmapText(join(out, 'cameras', 'sparse', '0'), views);
    writeTransformsJson(join(out, 'cameras', 'transforms.json'), views, dataset.frames.map((f) => f.imagePath));
    const drift = reg.poseRefiner?.drift() ?? [];
    const result = {
      steps: trainer.stepCount,
      finalLoss: lastLoss,
      trainPsnr: Number.isFinite(trainer.lastPsnr) ? trainer.lastPsnr : undefined,
      gaussians: scene.count,
      poseDrift: drift.map((d, i) => ({ view: dataset.frames[i].name, rotationDeg: d.rotationDeg, translation: d.translation })),
    };
    reg.dispose();
    trainer.dispose();
    return result;
  });

  // 5. Other formats.
  const exported = await runner.run('export', async () => {
    const files: Record<string, string> = { ply: 'scene.ply', cameras: 'cameras/transforms.json', colmap: 'cameras/sparse/0' };
    const extra = cfg.exportFormats.filter((f) => f !== 'ply');
    if (extra.length) {
      const scene = decodePly(new Uint8Array(readFileSync(join(out, 'scene.ply'))), join(out, 'scene.ply'));
      for (const f of extra) {
        const name = `scene.${f === 'compressed-ply' ? 'compressed.ply' : f}`;
        writeFileAtomic(join(out, name), await encodeScene(scene, f));
        files[f] = name;
      }
    }
    return files;
  });

  const report: ReconstructReport = {
    photos: photos.length,
    registered: poses.registered,
    unregistered: poses.unregistered,
    featureBackend: poses.backend,
    gaussians: train.gaussians,
    stages: runner.records.map((r) => ({ name: r.name, elapsedMs: r.elapsedMs })),
    outputs: Object.fromEntries(Object.entries(exported).map(([k, v]) => [k, join(out, v)])),
    adapter: describeAdapter(gpu.report),
    config: cfg,
    depth: { meanConfidentFraction: depth.meanConfidentFraction },
    train: { steps: train.steps, finalLoss: train.finalLoss, trainPsnr: train.trainPsnr },
  };
  onEvent({ type: 'log', message: `initial Gaussians ${init.gaussians}` });
  writeFileAtomic(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  onEvent({ type: 'done', message: `scene: ${report.outputs.ply}`, outputs: report.outputs, report });
  return report;
}
