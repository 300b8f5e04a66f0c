/**
 * Messages between the page and the reconstruction worker: one typed table, with
 * transferable buffers for photos and scenes (no ad-hoc keys).
 */
import type { DeepPartial, ReconstructConfig } from '../../engine/pipeline/config.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import type { PhotoStatus } from '../ui/photo-strip.js';

export type Preset = 'fast' | 'balanced' | 'quality';

export type ToWorker =
  | {
      type: 'start';
      photos: { name: string; bytes: Uint8Array }[];
      preset: Preset;
      /** Section-wise overrides of the preset (tests run tiny schedules through this). */
      overrides?: DeepPartial<ReconstructConfig>;
      /** Training steps between live previews. */
      previewEvery?: number;
    }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'event'; event: SparrowEvent }
  | { type: 'photo'; name: string; status: PhotoStatus; note?: string }
  | { type: 'preview'; scene: GaussianScene }
  | { type: 'done'; scene: GaussianScene; cameras: Camera[]; sceneScale: number }
  | { type: 'failed'; name: string; message: string };

export function sceneTransferables(scene: GaussianScene): ArrayBuffer[] {
  return [scene.means, scene.logScales, scene.quats, scene.opacityLogits, scene.sh].map((a) => a.buffer as ArrayBuffer);
}
