/**
 * Depth priors for training: a depth map at the stereo working resolution resampled
 * (nearest, so no depth is invented across edges) to a frame's training resolution.
 * z-depth does not change with image scale, only the pixel grid does.
 */
import type { DepthMap } from '../depth/types.js';
import type { FramePrior } from '../train/regularizers/sparse-view.js';

export function resamplePrior(map: DepthMap, width: number, height: number): FramePrior {
  const depth = new Float32Array(width * height);
  const confidence = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(map.height - 1, Math.floor(((y + 0.5) * map.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(map.width - 1, Math.floor(((x + 0.5) * map.width) / width));
      const s = sy * map.width + sx;
      depth[y * width + x] = map.depth[s];
      // Hole-filled pixels carry confidence 0 (their depth is a guess), so the losses skip them.
      confidence[y * width + x] = map.depth[s] > 0 ? map.confidence[s] : 0;
    }
  }
  return { width, height, depth, confidence };
}
