/** Page side of the reconstruction worker: start, cancel, and route its messages. */
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import type { PhotoStatus } from '../ui/photo-strip.js';
import type { DeepPartial, ReconstructConfig } from '../../engine/pipeline/config.js';
import type { FromWorker, Preset, ToWorker } from './protocol.js';

export interface ReconstructionHandlers {
  onEvent(e: SparrowEvent): void;
  onPhotoStatus(name: string, status: PhotoStatus, note?: string): void;
  onPreview(scene: GaussianScene): void;
}

export interface ReconstructionResult {
  scene: GaussianScene;
  cameras: Camera[];
  sceneScale: number;
}

export class ReconstructionClient {
  private worker?: Worker;
  private reject?: (e: Error) => void;

  run(
    photos: { name: string; bytes: Uint8Array }[],
    preset: Preset,
    handlers: ReconstructionHandlers,
    tuning: { overrides?: DeepPartial<ReconstructConfig>; previewEvery?: number } = {},
  ): Promise<ReconstructionResult> {
    return new Promise((resolve, reject) => {
      this.reject = reject;
      this.worker = new Worker(new URL('./reconstruction-worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (m: MessageEvent<FromWorker>) => {
        const msg = m.data;
        if (msg.type === 'event') handlers.onEvent(msg.event);
        else if (msg.type === 'photo') handlers.onPhotoStatus(msg.name, msg.status, msg.note);
        else if (msg.type === 'preview') handlers.onPreview(msg.scene);
        else if (msg.type === 'done') {
          this.terminate();
          resolve({ scene: msg.scene, cameras: msg.cameras, sceneScale: msg.sceneScale });
        } else if (msg.type === 'failed') {
          this.terminate();
          const e = new Error(msg.message);
          e.name = msg.name;
          reject(e);
        }
      };
      this.worker.onerror = (e) => {
        this.terminate();
        reject(new Error(e.message || 'the reconstruction worker crashed'));
      };
      // Copies, so the photo strip keeps its bytes.
      const copies = photos.map((p) => ({ name: p.name, bytes: p.bytes.slice() }));
      const start: ToWorker = { type: 'start', photos: copies, preset, ...tuning };
      this.worker.postMessage(start, copies.map((p) => p.bytes.buffer as ArrayBuffer));
    });
  }

  cancel(): void {
    const msg: ToWorker = { type: 'cancel' };
    this.worker?.postMessage(msg);
    // A worker stuck in a long GPU wait still stops: give it a moment, then terminate.
    setTimeout(() => {
      if (this.worker) {
        this.terminate();
        const e = new Error('cancelled');
        e.name = 'CancelledError';
        this.reject?.(e);
      }
    }, 3000);
  }

  private terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
