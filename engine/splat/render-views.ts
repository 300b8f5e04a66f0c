/**
 * Render a scene from orbit cameras to RGBA8 images: the work behind `sparrow render`
 * (and, until reconstruction exists, the README's main job on the bundled sample scene).
 */
import type { Gpu } from '../gpu/acquire.js';
import type { RgbaImage } from '../io/image.js';
import { rgbFloatToImage } from '../io/image.js';
import { RateMeter, throwIfCancelled, type EventSink } from '../pipeline/events.js';
import type { Camera } from './camera.js';
import { GpuScene } from './gpu-scene.js';
import { orbitCameras, sceneBounds } from './orbit.js';
import { Rasterizer, readRender } from './render.js';
import type { GaussianScene } from './scene.js';

export interface RenderViewsOptions {
  views: number;
  width: number;
  height: number;
  background: number[];
  shDegree?: number;
  /** Orbit radius as a multiple of the scene's 90th-percentile radius. */
  distance?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface RenderedView {
  camera: Camera;
  image: RgbaImage;
  /** Splat-tile intersections drawn (a cheap "did anything render" figure). */
  intersections: number;
}

export async function renderOrbitViews(gpu: Gpu, scene: GaussianScene, o: RenderViewsOptions): Promise<RenderedView[]> {
  const { centre, radius } = sceneBounds(scene);
  const cameras = orbitCameras(centre, radius * (o.distance ?? 2.6), { count: o.views, width: o.width, height: o.height });
  const emit = o.onEvent ?? (() => {});
  const t0 = performance.now();
  emit({ type: 'stage', stage: 'render', status: 'start', message: `${scene.count} splats, ${o.views} views at ${o.width}x${o.height}` });
  const gpuScene = GpuScene.upload(gpu, scene);
  const rasterizer = new Rasterizer(gpu);
  const meter = new RateMeter(cameras.length);
  const out: RenderedView[] = [];
  try {
    for (const [k, camera] of cameras.entries()) {
      throwIfCancelled(o.signal);
      const result = await rasterizer.forward(gpuScene, camera, { background: o.background, shDegree: o.shDegree });
      const { color } = await readRender(gpu, result);
      out.push({ camera, image: rgbFloatToImage(o.width, o.height, color), intersections: result.numIntersections });
      emit({ type: 'step', stage: 'render', step: k + 1, total: cameras.length, ...meter.update(k + 1) });
    }
  } finally {
    rasterizer.dispose();
    gpuScene.dispose();
  }
  emit({ type: 'stage', stage: 'render', status: 'done', elapsedMs: performance.now() - t0 });
  return out;
}
