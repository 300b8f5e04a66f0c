/**
 * The silhouette fallback as a stage of estimatePoses (estimate-poses.ts): after
 * incremental SfM and its match-based fallbacks, the views still unregistered are given
 * to placeBySilhouettes (silhouette-placement.ts) with the registered cameras, the
 * photos (their alpha channels) and the trusted pairs among the unregistered views.
 */
import { viewIntrinsics } from './intrinsics.js';
import type { RgbaImage } from '../io/image.js';
import type { EventSink } from '../pipeline/events.js';
import type { Camera } from '../splat/camera.js';
import type { SfmResult, SfmView } from './incremental-sfm.js';
import { placeBySilhouettes, type SilhouetteOptions, type SilhouetteOutcome } from './silhouette-placement.js';
import type { VerifiedPair } from './two-view.js';

export interface SilhouetteFallbackInput {
  /** decoded photos, null for those to leave alone (duplicates) */
  images: (RgbaImage | null)[];
  sfm: SfmResult;
  /** the views as given to incrementalSfm (their intrinsics group and principal offset) */
  views: Pick<SfmView, 'group' | 'principalOffset'>[];
  /** trusted pairs (after the view-graph filter) */
  pairs: VerifiedPair[];
  options?: SilhouetteOptions | false;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/** Placements and refusals for the unregistered views; null when disabled or every view is registered. */
export function silhouetteFallback(input: SilhouetteFallbackInput): SilhouetteOutcome | null {
  const opts = input.options;
  if (opts === false || opts?.enabled === false) return null;
  const { sfm, images } = input;
  const placed = sfm.views.map((v) => v.registered);
  if (!sfm.views.some((v, i) => !v.registered && images[i])) return null;
  const cameras: Camera[] = sfm.views.map((v, i) => {
    const K = viewIntrinsics(sfm.intrinsics, input.views[i]);
    const img = images[i];
    const pose = v.pose ?? { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] };
    return { width: img?.width ?? 1, height: img?.height ?? 1, fx: K.f, fy: K.f, cx: K.cx, cy: K.cy, R: pose.R, t: pose.t };
  });
  const pairs = input.pairs.filter((p) => !placed[p.a] && !placed[p.b]);
  input.onEvent?.({ type: 'log', stage: 'poses', message: `silhouette search for ${placed.filter((x, i) => !x && images[i]).length} unregistered view(s)` });
  return placeBySilhouettes({ names: sfm.views.map((v) => v.name), images, cameras, placed, pairs }, opts ?? {}, input.onEvent, input.signal);
}
