/**
 * The Turntable… command: settings dialog, then the frames go to a folder the user picks
 * (Electron) or a zip download (browser), with a progress box and Cancel; one render at a time.
 */
import { electronBridge, saveBytes } from '../bridge.js';
import { openTurntableDialog, showTurntableProgress, type TurntableChoice } from '../ui/turntable-dialog.js';
import type { Viewer } from '../viewer/viewer.js';
import { folderSink, zipSink } from './frame-sinks.js';
import { renderTurntable, type TurntableResult } from './render-turntable.js';
import { ipcReason } from '../project/project-sources.js';

export interface TurntableHost {
  viewer(): Viewer | undefined;
  /** File name stem of the scene shown. */
  sceneName(): string;
  message(text: string, kind?: 'info' | 'error'): void;
}

export class TurntableAction {
  /** The last finished render (for tests: the camera of every frame, the files written). */
  last?: TurntableResult;
  private running?: AbortController;

  constructor(private readonly host: TurntableHost) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  async run(): Promise<void> {
    const viewer = this.host.viewer();
    if (!viewer?.hasScene || this.running) return;
    let choice: TurntableChoice | null;
    try {
      choice = await openTurntableDialog();
    } catch (e) {
      this.host.message(`Turntable: ${ipcReason(e)}`, 'error');
      return;
    }
    if (!choice) return;
    const stem = `${this.host.sceneName()}-turntable`;
    const sink = electronBridge ? await folderSink(electronBridge) : zipSink(`${stem}.zip`, saveBytes);
    if (!sink) return;
    const abort = new AbortController();
    this.running = abort;
    let done = 0;
    const box = showTurntableProgress(() => abort.abort());
    try {
      const result = await renderTurntable(viewer, { frames: choice.frames, stem, ...(choice.webmFps ? { webmFps: choice.webmFps } : {}) }, sink, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === 'frames') done = p.done;
          box.update(p);
        },
      });
      this.last = result;
      if (result.location) this.host.message(`Turntable: ${result.frames} frames${result.webmBytes ? ' and a WebM' : ''} written to ${result.location}`);
      if (choice.webmFps && result.webmBytes === undefined) this.host.message('This browser cannot encode WebM (VP8/VP9); the PNG frames were written', 'error');
    } catch (e) {
      if ((e as Error).name === 'CancelledError') this.host.message(`Turntable cancelled after ${done} of ${choice.frames} frames${electronBridge && done ? ' (the frames written stay in the folder)' : ''}`);
      else this.host.message(`Turntable failed: ${ipcReason(e)}`, 'error');
    } finally {
      box.close();
      this.running = undefined;
    }
  }
}
