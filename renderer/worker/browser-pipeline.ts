/**
 * The reconstruction pipeline for a browser worker: the same stages and events as
 * engine/pipeline/reconstruct.ts (poses -> depth -> init -> train), with photos held in
 * memory instead of files. What differs from the Node pipeline, and why:
 * - features: the classical backend (AKAZE + brute force, opencv-js wasm). The learned
 *   backends locate their ONNX weights on disk (engine/models/registry.ts, node:fs), which
 *   a sandboxed page cannot do.
 * - no resume/checkpoints and no files: the page keeps the scene; the user exports it.
 */
import type { Gpu } from '../../engine/gpu/acquire.js';
import { estimateMvsDepth } from '../../engine/depth/mvs.js';
import { makeDepthView } from '../../engine/depth/views.js';
import type { DepthView } from '../../engine/depth/types.js';
import { downscaleFrame } from '../../engine/io/dataset/downscale.js';
import { sceneExtent } from '../../engine/io/dataset/extent.js';
import { FrameImages } from '../../engine/io/dataset/images.js';
import type { Dataset, Frame } from '../../engine/io/dataset/types.js';
import { reconstructConfig, type DeepPartial, type Preset, type ReconstructConfig } from '../../engine/pipeline/config.js';
import { throwIfCancelled, type EventSink } from '../../engine/pipeline/events.js';
import { resamplePrior } from '../../engine/pipeline/priors.js';
import { renderFallback } from '../../engine/pose/render-fallback.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { createOrbBackend } from '../../engine/pose/orb.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { initFromDepth } from '../../engine/train/init-from-depth.js';
import { mutualKnnGraph } from '../../engine/train/regularizers/knn-graph.js';
import { createSparseViewRegularizers, type FramePrior } from '../../engine/train/regularizers/sparse-view.js';
import { Trainer } from '../../engine/train/trainer.js';
import type { PhotoStatus } from '../ui/photo-strip.js';

export interface BrowserReconstructOptions {
  gpu: Gpu;
  photos: { name: string; bytes: Uint8Array }[];
  preset: Preset;
  overrides?: DeepPartial<ReconstructConfig>;
  onEvent: EventSink;
  onPhotoStatus(name: string, status: PhotoStatus, note?: string): void;
  /** A snapshot of the Gaussians (the init, then every `previewEvery` training steps). */
  onPreview(scene: GaussianScene): void;
  /** Training steps between previews (default 25). */
  previewEvery?: number;
  signal: AbortSignal;
}

export interface BrowserReconstructResult {
  scene: GaussianScene;
  cameras: Camera[];
  sceneScale: number;
}

/** Integer downscale so the longest side is at most maxSide (as the Node pipeline). */
function downscaleFor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

async function stage<T>(name: string, onEvent: EventSink, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  throwIfCancelled(signal);
  const t0 = performance.now();
  onEvent({ type: 'stage', stage: name, status: 'start' });
  try {
    const out = await run();
    onEvent({ type: 'stage', stage: name, status: 'done', elapsedMs: performance.now() - t0 });
    return out;
  } catch (e) {
    if ((e as Error).name !== 'CancelledError') onEvent({ type: 'error', stage: name, message: (e as Error).message });
    throw e;
  }
}

export async function reconstructInBrowser(o: BrowserReconstructOptions): Promise<BrowserReconstructResult> {
  const cfg = reconstructConfig(o.preset, o.overrides ?? {});
  const { gpu, onEvent, signal } = o;
  const bytesByName = new Map(o.photos.map((p) => [p.name, p.bytes]));

  // 1. Poses (estimatePoses emits its own load/features/matching/poses stages).
  const backend = createOrbBackend({ detector: 'akaze', maxKeypoints: cfg.poses.maxKeypoints });
  onEvent({ type: 'log', stage: 'features', message: `feature backend: ${backend.name} (learned weights are not reachable from the page)` });
  let est;
  try {
    est = await estimatePoses(o.photos, { backend, maxKeypoints: cfg.poses.maxKeypoints, onEvent, signal });
  } catch (e) {
    if ((e as Error).name !== 'CancelledError') onEvent({ type: 'error', stage: 'poses', message: (e as Error).message });
    throw e;
  } finally {
    await backend.extractor.dispose?.();
    await backend.matcher.dispose?.();
  }
  // Masked photos left out: the placement by rendering (experimental, only when asked for).
  if (cfg.poses.renderPlacement) await renderFallback({ gpu, est, photoBytes: o.photos.map((p) => p.bytes), onEvent, signal });
  for (const v of est.views) o.onPhotoStatus(v.name, v.registered ? 'registered' : 'excluded', v.registered ? undefined : v.reason);
  const posed = est.views.filter((v) => v.registered && v.camera);
  if (posed.length < 2) {
    const why = est.views.filter((v) => !v.registered).map((v) => `${v.name}: ${v.reason}`).join('; ');
    const message = `only ${posed.length} of ${o.photos.length} photos could be placed; need at least 2 (${why})`;
    onEvent({ type: 'error', stage: 'poses', message });
    throw new Error(message);
  }

  // The posed photos as an in-memory dataset at the training resolution.
  const factor = downscaleFor(posed[0].width, posed[0].height, cfg.maxSide);
  const frames: Frame[] = posed.map((v) => downscaleFrame({ name: v.name, camera: v.camera!, imagePath: v.name, imageSize: [v.width, v.height] }, factor));
  const all = frames.map((_, i) => i);
  const { center, extent } = sceneExtent(frames.map((f) => f.camera));
  const dataset: Dataset = { root: '', kind: 'transforms', frames, split: { train: all, test: [], source: 'file' }, extent, center, hasAlpha: false };
  const readBytes = async (frame: Frame) => bytesByName.get(frame.name)!;

  // 2. Dense depth (multi-view stereo on the GPU).
  const { views, maps } = await stage('depth', onEvent, signal, async () => {
    const images = new FrameImages(frames, { readBytes });
    const views: DepthView[] = [];
    for (const i of all) {
      throwIfCancelled(signal);
      const img = await images.get(i);
      views.push(makeDepthView(frames[i].name.replace(/\.[^.]+$/, ''), frames[i].camera, img.rgb, cfg.depth.maxSide));
    }
    const mvs = await estimateMvsDepth(gpu, views, { ...cfg.depth, onEvent, signal });
    mvs.stats.forEach((s, k) => o.onPhotoStatus(frames[k].name, 'depth', `${Math.round(s.confidentFraction * 100)}% confident`));
    return { views, maps: mvs.maps };
  });

  // 3. Gaussians from the depth maps.
  const initial = await stage('init', onEvent, signal, async () => {
    const { scene } = initFromDepth(views, maps, cfg.init);
    if (scene.count === 0) throw new Error('no confident depth anywhere: nothing to place Gaussians from');
    onEvent({ type: 'log', stage: 'init', message: `${scene.count} Gaussians from depth` });
    return scene;
  });
  o.onPreview(cloneScene(initial));

  // 4. Training with the sparse-view regularizers (as the Node pipeline).
  const trained = await stage('train', onEvent, signal, async () => {
    const priors = new Map<number, FramePrior>();
    maps.forEach((m, k) => priors.set(k, resamplePrior(m, frames[k].camera.width, frames[k].camera.height)));
    const graph = mutualKnnGraph(initial.means, 4);
    let trainer: Trainer | undefined;
    const background = (cfg.train.background ?? [0, 0, 0]) as [number, number, number];
    const reg = createSparseViewRegularizers(gpu, cfg.regularizers, {
      cameras: frames.map((f) => f.camera),
      trainViews: all,
      priors,
      extent,
      background,
      coherence: { neighbours: graph.neighbours, edges: graph.edges, initialMeans: Float32Array.from(initial.means) },
      trainer: () => trainer!,
    });
    const every = Math.max(1, o.previewEvery ?? 25);
    const hooks = {
      ...reg.hooks,
      afterStep: async (info: { step: number; frameIndex: number; loss: number }) => {
        await reg.hooks.afterStep?.(info);
        if (info.step % every === 0) o.onPreview(await trainer!.scene());
      },
    };
    const images = new FrameImages(frames, { background, readBytes });
    trainer = Trainer.fromScene(gpu, dataset, initial, { ...cfg.train, shDegree: initial.shDegree }, { images, lossTerms: reg.lossTerms, hooks, trainViews: all });
    try {
      await trainer.train({ onEvent, signal, psnrEvery: 25 });
      return await trainer.scene();
    } catch (e) {
      // Keep what training reached: the page shows the last state.
      if ((e as Error).name === 'CancelledError') o.onPreview(await trainer.scene());
      throw e;
    } finally {
      reg.dispose();
      trainer.dispose();
    }
  });
  onEvent({ type: 'done', message: `${trained.count} Gaussians`, report: { gaussians: trained.count, registered: posed.length, photos: o.photos.length } });
  return { scene: trained, cameras: frames.map((f) => f.camera), sceneScale: extent };
}

/** A copy whose buffers can be transferred without detaching the original. */
export function cloneScene(s: GaussianScene): GaussianScene {
  return { ...s, means: s.means.slice(), logScales: s.logScales.slice(), quats: s.quats.slice(), opacityLogits: s.opacityLogits.slice(), sh: s.sh.slice() };
}
