/** Dataset frames -> DepthViews at the working resolution (engine/io/dataset does the decoding). */
import { basename, extname } from 'node:path';
import { FrameImages } from '../io/dataset/images.js';
import type { Dataset } from '../io/dataset/types.js';
import { throwIfCancelled } from '../pipeline/events.js';
import { makeDepthView, DEFAULT_MAX_SIDE } from './views.js';
import type { DepthView } from './types.js';

export async function loadDepthViews(dataset: Dataset, indices: number[], maxSide = DEFAULT_MAX_SIDE, signal?: AbortSignal): Promise<DepthView[]> {
  // Alpha as a mask: transparent background is no surface and must not be matched.
  const images = new FrameImages(dataset.frames, { alpha: dataset.hasAlpha ? 'mask' : 'composite' });
  const views: DepthView[] = [];
  for (const i of indices) {
    throwIfCancelled(signal);
    const frame = dataset.frames[i];
    const img = await images.get(i);
    const name = basename(frame.name, extname(frame.name));
    views.push(makeDepthView(name, frame.camera, img.rgb, maxSide, img.alpha));
  }
  return views;
}
