/**
 * The typed contract between the Electron main process and the renderer.
 * The preload exposes exactly these calls as `window.sparrow`; the main process
 * validates every argument (electron/ipc-validate.ts) before acting on it.
 *
 * In a plain browser (tests, web build) `window.sparrow` is absent and the
 * renderer falls back to <input type=file> and downloads.
 */
export const IPC = {
  openPhotos: 'sparrow:open-photos',
  openScene: 'sparrow:open-scene',
  readFile: 'sparrow:read-file',
  saveFile: 'sparrow:save-file',
  recentList: 'sparrow:recent-list',
  menuCommand: 'sparrow:menu-command',
  openProject: 'sparrow:open-project',
  readProject: 'sparrow:read-project',
  chooseFolder: 'sparrow:choose-folder',
  writeInFolder: 'sparrow:write-in-folder',
} as const;

/** A file the user chose, read by the main process. */
export interface PickedFile {
  path: string;
  name: string;
  bytes: Uint8Array;
}

export type MenuCommand =
  | 'open-photos' | 'open-scene' | 'open-project' | 'export' | 'screenshot' | 'turntable' | 'save-project'
  | 'toggle-edit' | 'undo-edit' | 'reset-edit'
  | 'reset-view' | 'toggle-frustums' | 'about';

export interface SparrowBridge {
  /** Native dialog for photos (files or a folder); returns the images read. */
  openPhotos(): Promise<PickedFile[]>;
  /** Native dialog for a scene file. */
  openScene(): Promise<PickedFile | null>;
  /** Read a file the user dropped (path from the drop event); bounded size, images/scenes only. */
  readFile(path: string): Promise<PickedFile>;
  /** Native save dialog + atomic write. Returns the path written, or null if cancelled. */
  saveFile(suggestedName: string, bytes: Uint8Array): Promise<string | null>;
  recentList(): Promise<string[]>;
  /** Native dialog for a project (`*.sparrow.json`); returns its bytes, or null if cancelled. */
  openProject(): Promise<PickedFile | null>;
  /** Read a project file by path (drop, Open Recent): only `*.sparrow.json`, bounded size. */
  readProject(path: string): Promise<PickedFile>;
  /** Native dialog for an output folder (turntable frames); the folder may then be written by writeInFolder. */
  chooseFolder(): Promise<string | null>;
  /** Atomic write of `name` (a bare .png/.webm name) into a folder the user chose with chooseFolder. Returns the path. */
  writeInFolder(folder: string, name: string, bytes: Uint8Array): Promise<string>;
  /** Subscribe to app-menu commands; returns an unsubscribe function. */
  onMenuCommand(handler: (command: MenuCommand) => void): () => void;
}

export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;
export const SCENE_EXTENSIONS = ['.ply', '.spz', '.splat', '.glb', '.sog', '.json'] as const;
/** Largest single file the renderer may ask for (a 1M-splat PLY with SH is ~250 MB). */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Largest export the renderer may hand back to be written. */
export const MAX_SAVE_BYTES = 2 * 1024 * 1024 * 1024 - 1;
export const MAX_PHOTOS = 500;
/** A project file's name ends so (its extension proper is .json). */
export const PROJECT_SUFFIX = '.sparrow.json';
/** Largest project file (a 65536-control-point edit is ~20 MB of JSON). */
export const MAX_PROJECT_BYTES = 256 * 1024 * 1024;
/** What a turntable render writes into the folder the user chose. */
export const FOLDER_OUTPUT_EXTENSIONS = ['.png', '.webm'] as const;
