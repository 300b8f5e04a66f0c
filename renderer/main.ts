/**
 * The app page: photo strip, reconstruction controls with progress, the viewer, export.
 * Runs the same in Electron (with the preload bridge) and in plain Chromium.
 */
import { acquireGpu, describeAdapter, type Gpu } from '../engine/gpu/acquire.js';
import type { DeepPartial, ReconstructConfig } from '../engine/pipeline/config.js';
import type { SparrowEvent } from '../engine/pipeline/events.js';
import type { Camera } from '../engine/splat/camera.js';
import type { GaussianScene } from '../engine/splat/scene.js';
import { electronBridge, filesFromInput, onMenuCommand, pickedFromFile, saveBytes } from './bridge.js';
import { openExportDialog } from './ui/export-dialog.js';
import { MetricChart } from './ui/chart.js';
import { showError, showMessage } from './ui/messages.js';
import { PhotoStrip } from './ui/photo-strip.js';
import { ProgressPanel } from './ui/progress-panel.js';
import { decodeSceneBytes } from './scene-loader.js';
import { ReconstructionClient } from './worker/client.js';
import { Viewer } from './viewer/viewer.js';
import { EditMode } from './edit/edit-mode.js';
import { isProjectFileName } from './project/open-project.js';
import { ProjectOpener } from './project/project-opener.js';
import { addToolbarExtras } from './ui/toolbar-extras.js';
import { TurntableAction } from './turntable/turntable-action.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface AppState {
  gpu?: Gpu;
  viewer?: Viewer;
  scene?: GaussianScene;
  sceneName: string;
  job?: ReconstructionClient;
}

const state: AppState = { sceneName: 'scene' };
const strip = new PhotoStrip($('photo-strip'));
const progress = new ProgressPanel($('stages'));
const chart = new MetricChart($<HTMLCanvasElement>('chart'));
const extras = addToolbarExtras();
const editMode = new EditMode({
  viewer: () => state.viewer,
  scene: () => state.scene,
  message: (text, kind) => showMessage(text, kind),
  error: (title, e) => showError(title, e),
  save: saveBytes,
});
const projects = new ProjectOpener({
  busy: () => (state.job ? 'Cancel the reconstruction before opening a project' : undefined),
  viewer: () => state.viewer,
  editMode,
  setScene: (scene, name) => setScene(scene, name),
  replacePhotos: (photos) => {
    strip.clear();
    addPhotos(photos);
  },
  message: (text, kind) => showMessage(text, kind),
});
const turntable = new TurntableAction({ viewer: () => state.viewer, sceneName: () => state.sceneName, message: (text, kind) => showMessage(text, kind) });

/** Exposed for tests and the Electron smoke test (read-only use). */
const debug = {
  ready: false,
  adapter: '',
  events: [] as SparrowEvent[],
  framesDrawn: 0,
  /** Duration (ms) of the last frames: render + blit + GPU done (bench/viewer.ts reads it). */
  frameTimes: [] as number[],
  state,
  /** The edit mode (control points, session, timing of the last drag update). */
  edit: editMode,
  /** Preset overrides for the next reconstruction (tests run tiny schedules). */
  reconstructTuning: {} as { overrides?: DeepPartial<ReconstructConfig>; previewEvery?: number },
  /** Number of 'preview' scenes received from the worker. */
  previews: 0,
  /** The engine camera of the last drawn frame. */
  camera: (): Camera | undefined => state.viewer?.lastCamera,
  /** A frame as PNG bytes with the camera it was drawn from. */
  capture: async (): Promise<{ png: number[]; camera: Camera } | undefined> => {
    if (!state.viewer) return undefined;
    const { png, camera } = await state.viewer.capture();
    return { png: Array.from(new Uint8Array(await png.arrayBuffer())), camera };
  },
  /** Resolves after the next frame has been drawn. */
  nextFrame: (): Promise<void> => state.viewer?.nextFrame() ?? Promise.resolve(),
  /** Open Project: projects opened, the last failed attempt's message. */
  project: projects,
  /** Turntable: the last finished render (camera of every frame, files written). */
  turntable,
};
(globalThis as { sparrowApp?: typeof debug }).sparrowApp = debug;

async function init(): Promise<void> {
  try {
    state.gpu = await acquireGpu();
    debug.adapter = describeAdapter(state.gpu.report);
    state.viewer = new Viewer(state.gpu, $<HTMLCanvasElement>('viewer'), $<HTMLCanvasElement>('overlay'));
    state.viewer.onStats = (s) => {
      debug.framesDrawn++;
      debug.frameTimes.push(s.frameMs);
      if (debug.frameTimes.length > 600) debug.frameTimes.splice(0, debug.frameTimes.length - 600);
      $('hud').textContent = `${s.splats.toLocaleString()} splats · ${s.fps.toFixed(1)} fps · ${s.frameMs.toFixed(1)} ms · ${s.width}x${s.height}`;
      editMode.onFrame();
    };
    state.viewer.onError = (e) => showError('Cannot draw the scene', e);
    state.viewer.start();
  } catch (e) {
    showError('WebGPU is not available, so scenes cannot be shown', e);
  }
  wireControls();
  debug.ready = true;
}

function setScene(scene: GaussianScene, name: string): void {
  state.scene = scene;
  state.sceneName = name.replace(/\.[^.]+$/, '') || 'scene';
  state.viewer?.setScene(scene);
  editMode.sceneChanged(scene, name);
  $('viewer-pane').classList.add('has-scene');
  for (const id of ['btn-export', 'btn-screenshot', 'btn-edit', 'btn-turntable']) $<HTMLButtonElement>(id).disabled = false;
}

async function openSceneBytes(name: string, bytes: Uint8Array): Promise<void> {
  try {
    setScene(await decodeSceneBytes(bytes, name), name);
    showMessage(`Opened ${name}: ${state.scene!.count.toLocaleString()} splats`);
  } catch (e) {
    showError(`Cannot open ${name}`, e);
  }
}

function addPhotos(files: { name: string; bytes: Uint8Array }[]): void {
  for (const f of files) strip.add(f.name, f.bytes);
  $<HTMLButtonElement>('btn-start').disabled = strip.photos.length < 2;
  if (files.length) showMessage(`${strip.photos.length} photos loaded`);
}

async function handleFiles(files: File[]): Promise<void> {
  const picked = await Promise.all(files.map(pickedFromFile));
  const project = picked.find((f) => isProjectFileName(f.name));
  if (project) {
    await projects.dropped(project, picked.filter((f) => f !== project));
    return;
  }
  const scenes = picked.filter((f) => /\.(ply|spz|splat|glb)$/i.test(f.name));
  const photos = picked.filter((f) => /\.(jpe?g|png)$/i.test(f.name));
  const other = picked.filter((f) => !scenes.includes(f) && !photos.includes(f));
  for (const o of other) showMessage(`${o.name}: not a photo (.jpg/.png) or a scene (.ply/.spz/.splat/.glb); ignored`, 'error');
  if (scenes[0]) await openSceneBytes(scenes[0].name, scenes[0].bytes);
  addPhotos(photos);
}

function onEvent(e: SparrowEvent): void {
  debug.events.push(e);
  progress.handle(e);
  if (e.type === 'step' && e.metrics) {
    if (e.metrics.loss !== undefined) chart.push('loss', e.step, e.metrics.loss);
    if (e.metrics.psnr !== undefined) chart.push('psnr', e.step, e.metrics.psnr);
  }
  if (e.type === 'warning') showMessage(`${e.file ? `${e.file}: ` : ''}${e.message}`);
  if (e.type === 'error') showMessage(`${e.stage ? `${e.stage}: ` : ''}${e.message}`, 'error');
}

async function startReconstruction(): Promise<void> {
  const photos = strip.photos.filter((p) => p.status !== 'excluded');
  if (photos.length < 2) {
    showMessage('Add at least two photos first', 'error');
    return;
  }
  progress.reset();
  chart.reset();
  const preset = $<HTMLSelectElement>('preset').value as 'fast' | 'balanced' | 'quality';
  const job = new ReconstructionClient();
  state.job = job;
  $<HTMLButtonElement>('btn-start').disabled = true;
  $<HTMLButtonElement>('btn-cancel').disabled = false;
  try {
    const result = await job.run(
      photos.map((p) => ({ name: p.name, bytes: p.bytes })),
      preset,
      {
        onEvent,
        onPhotoStatus: (name, status, note) => strip.setStatus(name, status, note),
        onPreview: (scene) => {
          debug.previews++;
          if (state.scene) {
            state.scene = scene;
            state.viewer?.updateScene(scene);
          } else setScene(scene, 'reconstruction');
        },
      },
      debug.reconstructTuning,
    );
    setScene(result.scene, 'reconstruction');
    if (result.cameras.length) state.viewer?.overlay.setInputCameras(result.cameras, result.sceneScale);
    showMessage('Reconstruction finished');
  } catch (e) {
    if ((e as Error).name === 'CancelledError') showMessage('Cancelled; finished stages are kept');
    else showError('Reconstruction failed', e);
  } finally {
    state.job = undefined;
    $<HTMLButtonElement>('btn-start').disabled = strip.photos.length < 2;
    $<HTMLButtonElement>('btn-cancel').disabled = true;
  }
}

async function exportScene(): Promise<void> {
  if (!state.scene) return;
  // The edited scene when the edit mode has deformed it (the warped Gaussians), named so it
  // does not replace the capture a saved edit project refers to.
  const scene = editMode.sceneFor(state.scene);
  const choice = await openExportDialog(scene);
  if (!choice) return;
  try {
    const path = await saveBytes(`${state.sceneName}${scene === state.scene ? '' : '-edited'}.${choice.extension}`, choice.bytes);
    if (path) showMessage(`Exported ${path}`);
  } catch (e) {
    showError('Export failed', e);
  }
}

async function screenshot(): Promise<void> {
  if (!state.viewer) return;
  const blob = await state.viewer.screenshot();
  await saveBytes(`${state.sceneName}.png`, new Uint8Array(await blob.arrayBuffer()));
}

function wireControls(): void {
  $('btn-open-photos').onclick = async () => {
    addPhotos(electronBridge ? await electronBridge.openPhotos() : await filesFromInput($('file-photos')));
  };
  $('btn-open-scene').onclick = async () => {
    const f = electronBridge ? await electronBridge.openScene() : (await filesFromInput($('file-scene')))[0];
    if (f) await openSceneBytes(f.name, f.bytes);
  };
  $('btn-start').onclick = () => void startReconstruction();
  $('btn-cancel').onclick = () => state.job?.cancel();
  $('btn-export').onclick = () => void exportScene();
  $('btn-screenshot').onclick = () => void screenshot();
  extras.openProject.onclick = () => void projects.pick(extras.projectInput);
  extras.turntable.onclick = () => void turntable.run();
  $<HTMLInputElement>('res-scale').oninput = (e) => state.viewer && (state.viewer.resolutionScale = Number((e.target as HTMLInputElement).value));
  $<HTMLInputElement>('bg-color').oninput = (e) => {
    const hex = (e.target as HTMLInputElement).value;
    if (state.viewer) state.viewer.background = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  };
  $<HTMLInputElement>('show-frustums').onchange = (e) => state.viewer?.overlay.setVisible({ frustums: (e.target as HTMLInputElement).checked });
  $<HTMLInputElement>('show-grid').onchange = (e) => state.viewer?.overlay.setVisible({ grid: (e.target as HTMLInputElement).checked });

  const pane = $('viewer-pane');
  pane.addEventListener('dragover', (e) => {
    e.preventDefault();
    pane.classList.add('dragging');
  });
  pane.addEventListener('dragleave', () => pane.classList.remove('dragging'));
  pane.addEventListener('drop', (e) => {
    e.preventDefault();
    pane.classList.remove('dragging');
    void handleFiles(Array.from(e.dataTransfer?.files ?? []));
  });

  onMenuCommand(async (command, arg) => {
    if (command === 'open-photos') $('btn-open-photos').click();
    else if (command === 'open-scene' && arg && electronBridge) {
      const f = await electronBridge.readFile(arg).catch((e) => (showError(`Cannot open ${arg}`, e), null));
      if (f) await openSceneBytes(f.name, f.bytes);
    } else if (command === 'open-scene') $('btn-open-scene').click();
    else if (command === 'open-project' && arg) await projects.byPath(arg);
    else if (command === 'open-project') void projects.pick(extras.projectInput);
    else if (command === 'turntable') void turntable.run();
    else if (command === 'export') void exportScene();
    else if (command === 'screenshot') void screenshot();
    else if (command === 'toggle-edit') $('btn-edit').click();
    else if (command === 'undo-edit') $('btn-edit-undo').click();
    else if (command === 'reset-edit') $('btn-edit-reset').click();
    else if (command === 'save-project') $('btn-edit-save').click();
    else if (command === 'reset-view' && state.scene) state.viewer?.setScene(editMode.sceneFor(state.scene));
    else if (command === 'toggle-frustums') $<HTMLInputElement>('show-frustums').click();
    else if (command === 'about') showMessage(`Sparrow — ${debug.adapter || 'no GPU adapter'}`);
  });
}

window.addEventListener('error', (e) => showError('Unexpected error', e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError('Unexpected error', e.reason));
void init();
