/**
 * Opening a Sparrow project (`*.sparrow.json`) in the app: parse it with the engine's checks
 * (engine/io/project-json.ts), read the scene it names (paths relative to the project file),
 * decode it, re-apply the saved control-point edit (EditSession with the saved transforms:
 * the same warp that made the export, so the deformed scene is the one saved), and read the
 * photos and their cameras where the project has them.
 *
 * Everything is loaded and checked before the caller changes anything on screen: on any
 * error loadProject throws a ProjectOpenError whose message names the file and the problem,
 * and what the user had open stays as it was.
 */
import type { PickedFile } from '../../electron/ipc-contract.js';
import { parseProject, type SparrowProject } from '../../engine/io/project-json.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { EditSession } from '../edit/edit-session.js';
import { baseName, resolveProjectPath } from './project-paths.js';

/** A project file's text and a way to read the files it refers to. */
export interface ProjectSource {
  /** The project file: absolute path in Electron, the file name in a plain browser. */
  path: string;
  text: string;
  /** Read a file the project refers to (path already resolved); rejects with a message saying why. */
  read(path: string): Promise<PickedFile>;
}

export interface OpenedProject {
  path: string;
  project: SparrowProject;
  /** The unedited scene as stored, with its file name (what a later Save Project refers to). */
  scene?: { scene: GaussianScene; name: string; path: string };
  /** The saved edit re-applied on `scene` (its editedScene is what the project shows). */
  session?: EditSession;
  photos: PickedFile[];
  /** Cameras of the photos that have one, in photo order. */
  cameras: Camera[];
  /** Problems that do not stop the project from opening (a photo that cannot be read). */
  warnings: string[];
}

export class ProjectOpenError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ProjectOpenError';
  }
}

export type SceneDecoder = (bytes: Uint8Array, name: string) => Promise<GaussianScene>;

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function loadProject(src: ProjectSource, decode: SceneDecoder): Promise<OpenedProject> {
  const file = src.path;
  let project: SparrowProject;
  try {
    project = parseProject(src.text, file, (stored) => resolveProjectPath(file, stored));
  } catch (e) {
    // parseProject's FormatError already starts with the file.
    throw new ProjectOpenError(file, reason(e).startsWith(`${file}: `) ? reason(e).slice(file.length + 2) : reason(e));
  }
  if (!project.scene && project.photos.length === 0) throw new ProjectOpenError(file, 'the project has neither a scene nor photos');
  if (project.edit && !project.scene) throw new ProjectOpenError(file, 'the project has an edit but no scene to apply it to');

  let scene: OpenedProject['scene'];
  let session: EditSession | undefined;
  if (project.scene) {
    const scenePath = project.scene.path;
    let picked: PickedFile;
    try {
      picked = await src.read(scenePath);
    } catch (e) {
      throw new ProjectOpenError(file, `cannot read its scene file ${scenePath}: ${reason(e)}`);
    }
    let decoded: GaussianScene;
    try {
      decoded = await decode(picked.bytes, picked.name);
    } catch (e) {
      throw new ProjectOpenError(file, `its scene file is not readable: ${reason(e)}`);
    }
    scene = { scene: decoded, name: picked.name, path: scenePath };
    const edit = project.edit;
    if (edit) {
      if (edit.splats !== undefined && edit.splats !== decoded.count) {
        throw new ProjectOpenError(file, `the edit was made on a scene of ${edit.splats.toLocaleString('en-US')} splats, but ${picked.name} has ${decoded.count.toLocaleString('en-US')}: it is not the scene that was edited`);
      }
      try {
        session = new EditSession(decoded, {}, edit);
      } catch (e) {
        throw new ProjectOpenError(file, `cannot re-apply its edit to ${picked.name}: ${reason(e)}`);
      }
    }
  }

  const photos: PickedFile[] = [];
  const cameras: Camera[] = [];
  const warnings: string[] = [];
  for (const p of project.photos) {
    try {
      photos.push(await src.read(p.path));
    } catch (e) {
      warnings.push(`${baseName(p.path)}: photo not loaded (${reason(e)})`);
    }
    if (p.camera) cameras.push(p.camera);
  }
  return { path: file, project, ...(scene ? { scene } : {}), ...(session ? { session } : {}), photos, cameras, warnings };
}

/**
 * A project picked or dropped in a plain browser together with the files it refers to (a
 * page cannot read paths): files are matched by path, then by name.
 */
export function sourceFromFiles(projectFile: PickedFile, others: PickedFile[]): ProjectSource {
  return {
    path: projectFile.path,
    text: new TextDecoder().decode(projectFile.bytes),
    read: async (path) => {
      const hit = others.find((f) => f.path === path) ?? others.find((f) => f.name === baseName(path));
      if (!hit) throw new Error(`${baseName(path)} was not given with the project (pick or drop it together with ${baseName(projectFile.path)})`);
      return hit;
    },
  };
}

/** Is this file name a project file? */
export function isProjectFileName(name: string): boolean {
  return /\.sparrow\.json$/i.test(name);
}
