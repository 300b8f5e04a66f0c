/**
 * The reconstruction worker: runs the pipeline off the UI thread on its own WebGPU
 * device and streams the engine's typed events, photo statuses and scene previews
 * back to the page (protocol.ts). Cancel aborts between steps; the page terminates
 * the worker if it does not stop.
 */
/// <reference lib="webworker" />
import { acquireBrowserGpu } from '../../engine/gpu/host-browser.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { cloneScene, reconstructInBrowser } from './browser-pipeline.js';
import { sceneTransferables, type FromWorker, type ToWorker } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
// opencv-js (imported lazily by the feature backend) ends with `if (typeof Module ===
// 'undefined') Module = {}`, an assignment to an undeclared global that throws in a module
// worker's strict mode; declaring the Emscripten module object first avoids it.
(globalThis as { Module?: object }).Module ??= {};
const controller = new AbortController();
let started = false;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  scope.postMessage(msg, transfer);
}

function postScene(type: 'preview', scene: GaussianScene): void {
  const copy = cloneScene(scene);
  post({ type, scene: copy }, sceneTransferables(copy));
}

scope.onmessage = async (m: MessageEvent<ToWorker>) => {
  const msg = m.data;
  if (msg.type === 'cancel') {
    controller.abort();
    return;
  }
  if (started) return;
  started = true;
  try {
    const gpu = await acquireBrowserGpu();
    const result = await reconstructInBrowser({
      gpu,
      photos: msg.photos,
      preset: msg.preset,
      overrides: msg.overrides,
      previewEvery: msg.previewEvery,
      signal: controller.signal,
      onEvent: (event: SparrowEvent) => post({ type: 'event', event }),
      onPhotoStatus: (name, status, note) => post({ type: 'photo', name, status, note }),
      onPreview: (scene) => postScene('preview', scene),
    });
    post({ type: 'done', scene: result.scene, cameras: result.cameras, sceneScale: result.sceneScale }, sceneTransferables(result.scene));
    gpu.device.destroy();
  } catch (e) {
    const err = e as Error;
    post({ type: 'failed', name: err?.name ?? 'Error', message: err?.message ?? String(e) });
  }
};
