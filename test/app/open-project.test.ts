/**
 * Opening a project in the app, without a browser (renderer/project/open-project.ts): the
 * project text is parsed with the engine's checks, the scene it names is read relative to the
 * project file and decoded, the saved edit is re-applied (the same deformed scene as the
 * session that saved it), photos and cameras are returned; every bad project fails with a
 * message naming the project file and the problem. Also the page-side path resolution.
 */
import { describe, expect, it } from 'vitest';
import type { PickedFile } from '../../electron/ipc-contract.js';
import { encodePly } from '../../engine/io/ply.js';
import { editToJson } from '../../engine/io/project-edit.js';
import { decodeScene } from '../../engine/io/scene-codec.js';
import { createScene } from '../../engine/splat/scene.js';
import { EditSession } from '../../renderer/edit/edit-session.js';
import { loadProject, ProjectOpenError, sourceFromFiles, type ProjectSource } from '../../renderer/project/open-project.js';
import { resolveProjectPath } from '../../renderer/project/project-paths.js';
import { rng } from '../util/close.js';

function blob(n: number, seed = 11) {
  const s = createScene(n, 0);
  const rand = rng(seed);
  for (let i = 0; i < n; i++) {
    s.means.set([rand() * 4 - 2, rand() * 4 - 2, rand() - 0.5], i * 3);
    s.quats.set([1, rand() - 0.5, 0, 0], i * 4);
  }
  return s;
}

const file = (path: string, bytes: Uint8Array | string): PickedFile => ({
  path,
  name: path.split('/').pop()!,
  bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
});

/** A source over an in-memory folder tree keyed by absolute path. */
function memorySource(projectPath: string, text: string, files: Record<string, Uint8Array>): ProjectSource {
  return {
    path: projectPath,
    text,
    read: async (p) => {
      if (!files[p]) throw new Error(`no such file: ${p}`);
      return file(p, files[p]);
    },
  };
}

const camera = { width: 64, height: 48, fx: 50, fy: 50, cx: 32, cy: 24, R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 4] };

describe('open a project', () => {
  const scene = blob(600);
  const ply = encodePly(scene);
  const session = new EditSession(scene, { controlPoints: 24 });
  session.select(0);
  session.beginDrag();
  session.dragTo([0.3, -0.2, 0.1]);
  session.endDrag();
  const saved = session.saved();
  const project = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ format: 'sparrow-project', version: 1, photos: [], settings: {}, scene: { path: 'scene.ply', format: 'ply' }, edit: editToJson(saved), createdAt: '', updatedAt: '', ...extra });

  it('reads the scene relative to the project file and re-applies the edit exactly', async () => {
    expect(saved.splats).toBe(600);
    const src = memorySource('/work/p/edit.sparrow.json', project({ photos: [{ path: 'photos/a.png', camera }, { path: '../b.png' }] }), {
      '/work/p/scene.ply': ply,
      '/work/p/photos/a.png': new Uint8Array([1, 2]),
      '/work/b.png': new Uint8Array([3]),
    });
    const opened = await loadProject(src, decodeScene);
    expect(opened.scene?.name).toBe('scene.ply');
    expect(opened.scene?.scene.count).toBe(600);
    expect(opened.session).toBeDefined();
    expect(opened.session!.isEdited).toBe(true);
    // Re-applying the saved float32 transforms is the same computation as the one that saved them.
    expect(opened.session!.editedScene.means).toEqual(session.editedScene.means);
    expect(opened.session!.editedScene.quats).toEqual(session.editedScene.quats);
    expect(opened.session!.editedScene.means).not.toEqual(scene.means);
    expect(opened.photos.map((p) => p.path)).toEqual(['/work/p/photos/a.png', '/work/b.png']);
    expect(opened.cameras).toEqual([camera]);
    expect(opened.warnings).toEqual([]);
  });

  it('keeps going without a photo it cannot read, with a warning naming it', async () => {
    const src = memorySource('/p/x.sparrow.json', project({ photos: [{ path: 'gone.jpg' }] }), { '/p/scene.ply': ply });
    const opened = await loadProject(src, decodeScene);
    expect(opened.photos).toEqual([]);
    expect(opened.warnings).toEqual(['gone.jpg: photo not loaded (no such file: /p/gone.jpg)']);
  });

  it.each([
    ['bad JSON', '{"format": "sparrow-project", ', {}, /^\/p\/x\.sparrow\.json: cannot read project: .*JSON/],
    ['wrong version', project({ version: 7 }), {}, /^\/p\/x\.sparrow\.json: unknown project version 7/],
    ['not a project', '{"hello": 1}', {}, /^\/p\/x\.sparrow\.json: not a Sparrow project/],
    ['missing scene file', project(), {}, /^\/p\/x\.sparrow\.json: cannot read its scene file \/p\/scene\.ply: no such file/],
    ['scene file that is not a scene', project(), { '/p/scene.ply': new TextEncoder().encode('ply\nformat nonsense\n') }, /^\/p\/x\.sparrow\.json: its scene file is not readable: scene\.ply: /],
    ['edit for another splat count', project(), { '/p/scene.ply': encodePly(blob(500, 3)) }, /^\/p\/x\.sparrow\.json: the edit was made on a scene of 600 splats, but scene\.ply has 500/],
    ['bad edit field', project({ edit: { ...editToJson(saved), K: 0 } }), { '/p/scene.ply': ply }, /^\/p\/x\.sparrow\.json: edit\.K must be an integer/],
    ['bad splat count field', project({ edit: { ...editToJson(saved), splats: 2.5 } }), { '/p/scene.ply': ply }, /^\/p\/x\.sparrow\.json: edit\.splats must be an integer >= 4/],
    ['nothing to open', JSON.stringify({ format: 'sparrow-project', version: 1, photos: [], settings: {} }), {}, /neither a scene nor photos/],
  ])('%s: fails with the file and the problem', async (_what, text, files, message) => {
    const err = await loadProject(memorySource('/p/x.sparrow.json', text, files as Record<string, Uint8Array>), decodeScene).catch((e) => e);
    expect(err).toBeInstanceOf(ProjectOpenError);
    expect((err as Error).message).toMatch(message);
  });

  it('opens an edit saved before the splat count was stored (no count to check)', async () => {
    const { splats: _omitted, ...older } = editToJson(saved);
    const opened = await loadProject(memorySource('/p/x.sparrow.json', project({ edit: older }), { '/p/scene.ply': ply }), decodeScene);
    expect(opened.session!.editedScene.means).toEqual(session.editedScene.means);
  });

  it('in a browser, finds the files picked together with the project by name, and says which one is missing', async () => {
    const proj = file('edit.sparrow.json', project());
    const opened = await loadProject(sourceFromFiles(proj, [file('scene.ply', ply)]), decodeScene);
    expect(opened.session!.editedScene.means).toEqual(session.editedScene.means);
    const err = (await loadProject(sourceFromFiles(proj, []), decodeScene).catch((e) => e)) as Error;
    expect(err.message).toBe('edit.sparrow.json: cannot read its scene file scene.ply: scene.ply was not given with the project (pick or drop it together with edit.sparrow.json)');
  });
});

describe('project paths in the page', () => {
  it.each([
    ['/a/b/p.sparrow.json', 'scene.ply', '/a/b/scene.ply'],
    ['/a/b/p.sparrow.json', './s/../scene.ply', '/a/b/scene.ply'],
    ['/a/b/p.sparrow.json', '../../../x.ply', '/x.ply'],
    ['/a/b/p.sparrow.json', '/abs/x.ply', '/abs/x.ply'],
    ['/p.sparrow.json', 'x.ply', '/x.ply'],
    ['C:\\work\\p.sparrow.json', 'photos/a.jpg', 'C:\\work\\photos\\a.jpg'],
    ['C:\\work\\p.sparrow.json', 'D:\\x.ply', 'D:\\x.ply'],
    ['p.sparrow.json', 'scene.ply', 'scene.ply'],
    ['p.sparrow.json', '../scene.ply', '../scene.ply'],
  ])('%s + %s -> %s', (project, stored, expected) => {
    expect(resolveProjectPath(project, stored)).toBe(expected);
  });
});
