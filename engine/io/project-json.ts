/**
 * Parsing and validation of the Sparrow project file (`*.sparrow.json`, layout in
 * project.ts) with no file-system access, so the app's page opens projects with the
 * same checks as the CLI. The caller reads the text and says how a stored (relative)
 * path resolves against the project file's folder.
 */
import type { Camera } from '../splat/camera.js';
import { FormatError, ensure } from './format-error.js';
import { readEdit, type ProjectEdit } from './project-edit.js';
import { SCENE_FORMATS, type SceneFormat } from './scene-codec.js';

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

/**
 * Validate the text of project `file`; `resolvePath` turns a stored path (relative to the
 * project's folder, or absolute) into the path to read. Errors are FormatErrors naming
 * `file` and the field.
 */
export function parseProject(text: string, file: string, resolvePath: (stored: string) => string): SparrowProject {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `cannot read project: ${(e as Error).message}`);
  }
  ensure(typeof json === 'object' && json !== null && json.format === 'sparrow-project', file, "not a Sparrow project (format must be 'sparrow-project')");
  ensure(json.version === PROJECT_VERSION, file, `unknown project version ${String(json.version)} (this Sparrow reads ${PROJECT_VERSION})`);
  const abs = (p: unknown, where: string) => {
    ensure(typeof p === 'string' && p.length > 0, file, `${where} must be a non-empty path`);
    return resolvePath(p);
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
