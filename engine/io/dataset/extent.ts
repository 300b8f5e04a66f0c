/**
 * Robust scene extent from camera centres. 3DGS uses 1.1 x the largest distance
 * from the mean centre; one stray camera then inflates every position learning
 * rate and densification threshold. We use medians instead: the component-wise
 * median centre and 1.1 x the median distance to it. For a ring of cameras around
 * an object (the common capture) both agree.
 */
import { cameraCenter, type Camera } from '../../splat/camera.js';

export const EXTENT_FACTOR = 1.1;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** { center, extent } of a camera set; extent falls back to 1 when it would be 0 (one camera, or all at one spot). */
export function sceneExtent(cameras: readonly Camera[]): { center: [number, number, number]; extent: number } {
  const centres = cameras.map(cameraCenter);
  const center: [number, number, number] = [0, 1, 2].map((k) => median(centres.map((c) => c[k]))) as [number, number, number];
  const dist = centres.map((c) => Math.hypot(c[0] - center[0], c[1] - center[1], c[2] - center[2]));
  const extent = EXTENT_FACTOR * median(dist);
  return { center: centres.length ? center : [0, 0, 0], extent: extent > 1e-9 ? extent : 1 };
}
