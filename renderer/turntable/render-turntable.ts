/**
 * Turntable render of the current view: N frames orbiting the orbit controls' target at the
 * current distance and elevation (orbit.ts), each drawn by the viewer itself (Viewer.capture:
 * the same draw path as the screen, read back as PNG with the exact camera it used), handed to
 * a FrameSink (a folder in Electron, a zip download in a browser) as they are made, and
 * optionally encoded into a WebM afterwards (webm.ts). Progress per frame, cancellable by an
 * AbortSignal (CancelledError); the user's view and the viewer's loop are restored in every case.
 */
import { throwIfCancelled } from '../../engine/pipeline/events.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { Viewer } from '../viewer/viewer.js';
import { orbitPositions, type Vec3 } from './orbit.js';
import { encodeWebm } from './webm.js';

/** Where the frames go. */
export interface FrameSink {
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** All written: returns where they are (folder or file), or null if the user cancelled a save. */
  finish(): Promise<string | null>;
}

export interface TurntableOptions {
  /** Frames in one turn (2..3600). */
  frames: number;
  /** File name stem: frames are `<stem>_0000.png`, the video `<stem>.webm`. */
  stem: string;
  /** Also encode a WebM at this frame rate (MediaRecorder on a canvas stream). */
  webmFps?: number;
}

export interface TurntableProgress {
  phase: 'frames' | 'webm';
  done: number;
  total: number;
}

export interface TurntableResult {
  frames: number;
  /** The engine camera each frame was drawn from, in frame order. */
  cameras: Camera[];
  target: Vec3;
  up: Vec3;
  /** File names written, in order. */
  files: string[];
  /** Where the sink put them (folder or file). */
  location: string | null;
  /** Bytes of the WebM, when one was asked for and the browser can record one. */
  webmBytes?: number;
}

export const MAX_TURNTABLE_FRAMES = 3600;

export function frameName(stem: string, k: number): string {
  return `${stem}_${String(k).padStart(4, '0')}.png`;
}

export async function renderTurntable(
  viewer: Viewer,
  options: TurntableOptions,
  sink: FrameSink,
  hooks: { signal?: AbortSignal; onProgress?: (p: TurntableProgress) => void } = {},
): Promise<TurntableResult> {
  const { frames } = options;
  if (!Number.isInteger(frames) || frames < 2 || frames > MAX_TURNTABLE_FRAMES) throw new Error(`frames must be an integer in 2..${MAX_TURNTABLE_FRAMES}, got ${frames}`);
  if (!viewer.hasScene) throw new Error('open a scene first');
  const { camera, controls } = viewer.overlay;
  const saved = { position: camera.position.clone(), quaternion: camera.quaternion.clone(), target: controls.target.clone(), enabled: controls.enabled, damping: controls.enableDamping };
  // Hold the view still: no user input and no damping drift between the frames. The first
  // update settles whatever damping motion is left, so "the current view" is a fixed pose.
  controls.enabled = false;
  controls.enableDamping = false;
  controls.update();
  // The frames are drawn by capture() one by one; the continuous loop would only draw the same
  // views again in between and take the CPU from them (and from the video encoder).
  viewer.stop();
  try {
    const target = controls.target.toArray() as Vec3;
    const up = camera.up.toArray() as Vec3;
    const positions = orbitPositions({ position: camera.position.toArray() as Vec3, target, up, frames });
    const cameras: Camera[] = [];
    const files: string[] = [];
    const pngs: Blob[] = [];
    try {
      for (let k = 0; k < frames; k++) {
        throwIfCancelled(hooks.signal);
        camera.position.set(...positions[k]);
        controls.update(); // looks at the target with the view's up
        const shot = await viewer.capture();
        cameras.push(shot.camera);
        const name = frameName(options.stem, k);
        await sink.write(name, new Uint8Array(await shot.png.arrayBuffer()));
        files.push(name);
        if (options.webmFps) pngs.push(shot.png);
        hooks.onProgress?.({ phase: 'frames', done: k + 1, total: frames });
      }
    } finally {
      camera.position.copy(saved.position);
      camera.quaternion.copy(saved.quaternion);
      controls.target.copy(saved.target);
      controls.update();
      controls.enabled = saved.enabled;
      controls.enableDamping = saved.damping;
      viewer.requestFrame(); // the user's view back on screen while the video encodes
    }
    let webmBytes: number | undefined;
    if (options.webmFps) {
      const first = cameras[0];
      const webm = await encodeWebm(pngs, first.width, first.height, options.webmFps, {
        signal: hooks.signal,
        onFrame: (done) => hooks.onProgress?.({ phase: 'webm', done, total: frames }),
      });
      if (webm) {
        const name = `${options.stem}.webm`;
        await sink.write(name, webm);
        files.push(name);
        webmBytes = webm.byteLength;
      }
    }
    throwIfCancelled(hooks.signal);
    return { frames, cameras, target, up, files, location: await sink.finish(), ...(webmBytes !== undefined ? { webmBytes } : {}) };
  } finally {
    viewer.start(); // also after a cancel or an error
  }
}
