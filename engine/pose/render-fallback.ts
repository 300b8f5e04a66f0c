/**
 * The placement by rendering (render-placement.ts) as a step after estimatePoses: it needs
 * a GPU, which the pose stage itself does not, so the pipeline and `sparrow poses` run it
 * on the estimate when views are left unregistered. Placed views join the estimate
 * (method 'render', low confidence, the figures in `placement`); refused ones keep their
 * reason with this attempt's appended.
 */
import type { Gpu } from '../gpu/acquire.js';
import { decodeImage } from '../io/image.js';
import { maskFromAlpha } from './silhouette-mask.js';
import type { EventSink } from '../pipeline/events.js';
import type { Camera } from '../splat/camera.js';
import type { PoseEstimate } from './estimate-poses.js';
import { placeByRendering, type RenderPlacementOptions, type RenderPlacementOutcome } from './render-placement.js';

export interface RenderFallbackInput {
  gpu: Gpu;
  est: PoseEstimate;
  /** the photos' bytes, in the estimate's view order */
  photoBytes: Uint8Array[];
  options?: RenderPlacementOptions;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** Intrinsics for an unregistered view: those of a registered view of its camera group (its principal point at the photo's centre unless the sizes match). */
function intrinsicsFor(est: PoseEstimate, v: number): Camera | null {
  const view = est.views[v];
  const same = est.views.filter((o) => o.registered && o.camera && o.group === view.group);
  const exact = same.find((o) => o.width === view.width && o.height === view.height) ?? same[0];
  if (!exact?.camera) return null;
  const c = exact.camera;
  const sameSize = exact.width === view.width && exact.height === view.height;
  return { ...c, width: view.width, height: view.height, cx: sameSize ? c.cx : view.width / 2, cy: sameSize ? c.cy : view.height / 2 };
}

/** Runs the placement by rendering on the estimate's unregistered views and updates the estimate in place; null when there was nothing to try. */
export async function renderFallback(input: RenderFallbackInput): Promise<RenderPlacementOutcome | null> {
  const { est } = input;
  if (input.options?.enabled === false || est.views.every((v) => v.registered)) return null;
  const n = est.views.length;
  const cameras: (Camera | null)[] = est.views.map((v, i) => (v.registered ? v.camera! : intrinsicsFor(est, i)));
  const decode = (i: number) => decodeImage(input.photoBytes[i], est.views[i].name).catch(() => null);
  // Only masked photos have silhouette candidates: decode the left-out ones first and stop when none has a mask.
  const left = est.views.map((v, i) => (v.registered ? -1 : i)).filter((i) => i >= 0);
  const leftImages = await Promise.all(left.map(decode));
  if (!leftImages.some((img) => img && !('reason' in maskFromAlpha(img, input.options)))) return null;
  const images = await Promise.all(est.views.map((v, i) => (v.registered ? decode(i) : leftImages[left.indexOf(i)])));
  // Views without intrinsics (no registered view of their camera) cannot be tried.
  const usable = cameras.map((c, i) => c !== null && images[i] !== null);
  const regPoints = est.points.length / 3;
  const outcome = await placeByRendering(
    {
      gpu: input.gpu,
      names: est.views.map((v) => v.name),
      photoBytes: input.photoBytes,
      images: images.map((img, i) => (usable[i] ? img : null)),
      cameras: cameras.map((c, i) => c ?? { width: est.views[i].width, height: est.views[i].height, fx: 1, fy: 1, cx: 0, cy: 0, R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] }),
      registered: est.views.map((v) => v.registered),
      points: { count: regPoints, xyz: Float32Array.from(est.points), rgb: Float32Array.from(est.colors, (c) => c / 255), observers: est.pointObservations.map((o) => o.map((x) => x.view)) },
      onEvent: input.onEvent,
      signal: input.signal,
    },
    input.options,
  );
  for (let v = 0; v < n; v++) {
    const view = est.views[v];
    const p = outcome.placed.get(v);
    if (p) {
      view.registered = true;
      view.camera = p.camera;
      view.method = 'render';
      view.confidence = 'low';
      view.placement = `placed by rendering: ${p.placement}`;
      view.reason = undefined;
      view.rmsErrorPx = Number.NaN;
    } else if (outcome.refused.has(v)) {
      view.reason = `${view.reason ? `${view.reason}; ` : ''}${outcome.refused.get(v)}`;
    }
  }
  return outcome;
}
