/**
 * Open Project in the app: from the toolbar/menu (native dialog in Electron, a multi-file pick
 * in a browser), a drop, or Open Recent. The project is loaded completely (scene, edit, photos:
 * open-project.ts) and only then replaces what is shown, so a project that fails to open
 * leaves the current scene, edit and photos as they were and says why.
 */
import type { PickedFile } from '../../electron/ipc-contract.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { electronBridge, filesFromInput } from '../bridge.js';
import type { EditMode } from '../edit/edit-mode.js';
import { decodeSceneBytes } from '../scene-loader.js';
import { bounds, type Viewer } from '../viewer/viewer.js';
import { isProjectFileName, loadProject, sourceFromFiles, type OpenedProject, type ProjectSource } from './open-project.js';
import { bridgeSource, ipcReason } from './project-sources.js';

export interface ProjectHost {
  /** Why a project cannot be opened now (a reconstruction running), or undefined. */
  busy(): string | undefined;
  viewer(): Viewer | undefined;
  readonly editMode: EditMode;
  /** Show `scene` as the app's scene (file name `name`, what a later Save Project refers to). */
  setScene(scene: GaussianScene, name: string): void;
  /** Replace the photo strip with these photos. */
  replacePhotos(photos: PickedFile[]): void;
  message(text: string, kind?: 'info' | 'error'): void;
}

export class ProjectOpener {
  /** Projects opened, the last one's path, and the last failed attempt's message ('' after a success). */
  opened = 0;
  lastPath = '';
  lastError = '';

  constructor(private readonly host: ProjectHost) {}

  /** Toolbar / menu: ask the user for a project. `input` is the browser's multi-file input. */
  pick(input: HTMLInputElement): Promise<void> {
    return this.open(async () => {
      const bridge = electronBridge;
      if (bridge) {
        const f = await bridge.openProject();
        return f ? bridgeSource(bridge, f) : null;
      }
      const files = await filesFromInput(input);
      const project = files.find((f) => isProjectFileName(f.name)) ?? files.find((f) => /\.json$/i.test(f.name));
      if (!project) {
        if (files.length) throw new Error(`no project file (*.sparrow.json) among ${files.map((f) => f.name).join(', ')}`);
        return null;
      }
      return sourceFromFiles(project, files.filter((f) => f !== project));
    });
  }

  /** A project dropped on the window, with whatever was dropped with it. */
  dropped(project: PickedFile, others: PickedFile[]): Promise<void> {
    const bridge = electronBridge;
    // Electron knows the dropped file's path: the project's own references are read from there.
    if (bridge && project.path !== project.name) return this.byPath(project.path);
    return this.open(async () => sourceFromFiles(project, others));
  }

  /** Electron: a project by path (Open Recent, drop). */
  byPath(path: string): Promise<void> {
    const bridge = electronBridge;
    if (!bridge) return Promise.resolve();
    return this.open(async () => bridgeSource(bridge, await bridge.readProject(path)));
  }

  async open(source: () => Promise<ProjectSource | null>): Promise<void> {
    const busy = this.host.busy();
    if (busy) {
      this.host.message(busy, 'error');
      return;
    }
    let opened: OpenedProject;
    try {
      const src = await source();
      if (!src) return;
      this.host.message(`Opening ${src.path}…`);
      opened = await loadProject(src, decodeSceneBytes);
    } catch (e) {
      this.lastError = ipcReason(e);
      this.host.message(`Cannot open the project: ${this.lastError}`, 'error');
      return;
    }
    this.show(opened);
  }

  private show(opened: OpenedProject): void {
    const { editMode } = this.host;
    if (editMode.active) editMode.exit(); // (re-entering would sample new control points over the restored edit)
    if (opened.scene) {
      this.host.setScene(opened.scene.scene, opened.scene.name);
      if (opened.session) {
        // The saved edit, re-applied: the session the edit mode continues from.
        editMode.session = opened.session;
        const count = document.getElementById('edit-count') as HTMLInputElement | null;
        if (count) count.value = String(opened.session.controlPointCount);
        const edited = opened.session.editedScene;
        this.host.viewer()?.updateSplats({ means: edited.means, quats: edited.quats });
      }
    }
    if (opened.photos.length) this.host.replacePhotos(opened.photos);
    const viewer = this.host.viewer();
    if (opened.cameras.length && viewer) viewer.overlay.setInputCameras(opened.cameras, opened.scene ? 2 * bounds(opened.scene.scene).radius : 1);
    this.opened++;
    this.lastPath = opened.path;
    this.lastError = '';
    const parts = [
      opened.scene ? `${opened.scene.scene.count.toLocaleString()} splats` : 'no scene',
      ...(opened.session ? [`edit re-applied (${opened.session.controlPointCount} control points)`] : []),
      ...(opened.photos.length ? [`${opened.photos.length} photos`] : []),
      ...(opened.cameras.length ? [`${opened.cameras.length} cameras`] : []),
    ];
    this.host.message(`Opened ${opened.path}: ${parts.join(', ')}`);
    for (const w of opened.warnings) this.host.message(w, 'error');
  }
}
