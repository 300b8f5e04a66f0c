/**
 * The Sparrow project file (`*.sparrow.json`): what a user reopens to continue a
 * reconstruction. A JSON manifest with paths stored relative to the project file's
 * folder (so a project folder can be moved), resolved to absolute paths on read.
 *
 *   { "format": "sparrow-project", "version": 1,
 *     "photos":   [{ "path": "photos/a.jpg", "camera"?: Camera }],   camera: OpenCV, world-to-camera
 *     "settings": { ... },            opaque to this module: the app/CLI's typed config
 *     "scene"?:   { "path": "scene.ply", "format": "ply" },
 *     "checkpoint"?: "train/ckpt.bin",
 *     "edit"?:    { control-point edit of the scene, see project-edit.ts },   optional, version 1 files without it still read
 *     "createdAt": ISO date, "updatedAt": ISO date }
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { FormatError } from './format-error.js';
import { editToJson } from './project-edit.js';
import { parseProject, PROJECT_VERSION, type SparrowProject } from './project-json.js';

export { PROJECT_VERSION, parseProject } from './project-json.js';
export type { ProjectPhoto, SparrowProject } from './project-json.js';

function rel(root: string, p: string): string {
  return relative(root, p).split('\\').join('/');
}

export function writeProject(file: string, project: SparrowProject): void {
  const root = dirname(resolve(file));
  const json = {
    format: 'sparrow-project',
    version: PROJECT_VERSION,
    photos: project.photos.map((p) => ({ path: rel(root, p.path), ...(p.camera ? { camera: p.camera } : {}) })),
    settings: project.settings,
    ...(project.scene ? { scene: { path: rel(root, project.scene.path), format: project.scene.format } } : {}),
    ...(project.checkpoint ? { checkpoint: rel(root, project.checkpoint) } : {}),
    ...(project.edit ? { edit: editToJson(project.edit) } : {}),
    createdAt: project.createdAt,
    updatedAt: new Date().toISOString(),
  };
  writeFileAtomic(file, JSON.stringify(json, null, 2) + '\n');
}

export function readProject(file: string): SparrowProject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FormatError(file, `cannot read project: ${(e as Error).message}`);
  }
  const root = dirname(resolve(file));
  return parseProject(text, file, (p) => (isAbsolute(p) ? p : resolve(root, p)));
}
