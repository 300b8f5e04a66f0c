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
import type { Camera } from '../splat/camera.js';
import { writeFileAtomic } from './atomic-write.js';
import { FormatError, ensure } from './format-error.js';
import { editToJson, readEdit, type ProjectEdit } from './project-edit.js';
import { SCENE_FORMATS, type SceneFormat } from './scene-file.js';

export const PROJECT_VERSION = 1;

export interface ProjectPhoto {
  /** Absolute path in memory; stored relative to the project folder. */
  path: string;
  /** Estimated camera, once poses exist. */
  camera?: Camera;
}

export interface SparrowProject {
  photos: ProjectPhoto[];
  settings: Record<string, unknown>;
  scene?: { path: string; format: SceneFormat };
  checkpoint?: string;
  /** An ARAP control-point edit applied on top of `scene` (the app's edit mode). */
  edit?: ProjectEdit;
  createdAt: string;
  updatedAt: string;
}

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

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readCamera(v: unknown, file: string, where: string): Camera {
  const c = v as Record<string, unknown>;
  ensure(typeof c === 'object' && c !== null, file, `${where}: camera must be an object`);
  for (const k of ['width', 'height', 'fx', 'fy', 'cx', 'cy']) ensure(isNum(c[k]), file, `${where}: camera.${k} must be a finite number`);
  ensure((c.width as number) > 0 && (c.height as number) > 0 && (c.fx as number) > 0 && (c.fy as number) > 0, file, `${where}: camera size and focal lengths must be positive`);
  ensure(Array.isArray(c.R) && c.R.length === 9 && c.R.every(isNum), file, `${where}: camera.R must be 9 finite numbers`);
  ensure(Array.isArray(c.t) && c.t.length === 3 && c.t.every(isNum), file, `${where}: camera.t must be 3 finite numbers`);
  return { width: c.width as number, height: c.height as number, fx: c.fx as number, fy: c.fy as number, cx: c.cx as number, cy: c.cy as number, R: c.R as number[], t: c.t as number[] };
}

export function readProject(file: string): SparrowProject {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FormatError(file, `cannot read project: ${(e as Error).message}`);
  }
  ensure(typeof json === 'object' && json !== null && json.format === 'sparrow-project', file, "not a Sparrow project (format must be 'sparrow-project')");
  ensure(json.version === PROJECT_VERSION, file, `unknown project version ${String(json.version)} (this Sparrow reads ${PROJECT_VERSION})`);
  const root = dirname(resolve(file));
  const abs = (p: unknown, where: string) => {
    ensure(typeof p === 'string' && p.length > 0, file, `${where} must be a non-empty path`);
    return isAbsolute(p) ? p : resolve(root, p);
  };
  ensure(Array.isArray(json.photos), file, "'photos' must be a list");
  const photos = (json.photos as unknown[]).map((p, i) => {
    const o = p as Record<string, unknown>;
    ensure(typeof o === 'object' && o !== null, file, `photos[${i}] must be an object`);
    return { path: abs(o.path, `photos[${i}].path`), ...(o.camera !== undefined ? { camera: readCamera(o.camera, file, `photos[${i}]`) } : {}) };
  });
  ensure(typeof json.settings === 'object' && json.settings !== null && !Array.isArray(json.settings), file, "'settings' must be an object");
  let scene: SparrowProject['scene'];
  if (json.scene !== undefined) {
    const s = json.scene as Record<string, unknown>;
    ensure(typeof s === 'object' && s !== null, file, "'scene' must be an object");
    ensure(SCENE_FORMATS.includes(s.format as SceneFormat), file, `scene.format must be one of ${SCENE_FORMATS.join(', ')}`);
    scene = { path: abs(s.path, 'scene.path'), format: s.format as SceneFormat };
  }
  return {
    photos,
    settings: json.settings as Record<string, unknown>,
    ...(scene ? { scene } : {}),
    ...(json.checkpoint !== undefined ? { checkpoint: abs(json.checkpoint, 'checkpoint') } : {}),
    ...(json.edit !== undefined ? { edit: readEdit(json.edit, file) } : {}),
    createdAt: String(json.createdAt ?? ''),
    updatedAt: String(json.updatedAt ?? ''),
  };
}
