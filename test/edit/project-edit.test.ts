import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProject, writeProject } from '../../engine/io/project.js';
import { createScene } from '../../engine/splat/scene.js';
import { EditSession } from '../../renderer/edit/edit-session.js';
import { rng } from '../util/close.js';

const dir = mkdtempSync(join(tmpdir(), 'sparrow-edit-project-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function blob(n = 1500) {
  const s = createScene(n, 0);
  const rand = rng(11);
  for (let i = 0; i < n; i++) {
    s.means.set([rand() * 4 - 2, rand() * 4 - 2, rand() - 0.5], i * 3);
    s.quats.set([1, rand() - 0.5, 0, 0], i * 4);
  }
  return s;
}

describe('project file with an edit', () => {
  it('keeps the control points, their transforms and pins, and reopens to the same deformed scene', () => {
    const scene = blob();
    const session = new EditSession(scene, { controlPoints: 32 });
    session.togglePin(5);
    session.select(0);
    session.beginDrag();
    session.dragTo([0.2, -0.4, 0.3]);
    session.endDrag();
    const file = join(dir, 'edited.sparrow.json');
    writeProject(file, { photos: [], settings: {}, scene: { path: join(dir, 'scene.ply'), format: 'ply' }, edit: session.saved(), createdAt: '2026-11-29T00:00:00.000Z', updatedAt: '' });
    const back = readProject(file);
    expect(back.edit).toBeDefined();
    const saved = session.saved();
    expect(back.edit!.K).toBe(saved.K);
    expect(back.edit!.pinned).toEqual([0, 5]);
    for (const f of ['positions', 'logRadius', 'quats', 'trans'] as const) expect(back.edit!.controlPoints[f]).toEqual(saved.controlPoints[f]);
    const reopened = new EditSession(scene, {}, back.edit!);
    expect(reopened.editedScene.means).toEqual(session.editedScene.means);
    expect(reopened.editedScene.quats).toEqual(session.editedScene.quats);
  });

  it('reads projects without an edit as before, and names the field of a bad one', () => {
    const file = join(dir, 'plain.sparrow.json');
    writeProject(file, { photos: [], settings: { a: 1 }, createdAt: '', updatedAt: '' });
    expect(readFileSync(file, 'utf8')).not.toContain('"edit"');
    expect(readProject(file).edit).toBeUndefined();
    const base = { format: 'sparrow-project', version: 1, photos: [], settings: {} };
    const cp = { count: 4, positions: new Array(12).fill(0), logRadius: [0, 0, 0, 0], quats: new Array(16).fill(0).map((_, i) => (i % 4 === 0 ? 1 : 0)), trans: new Array(12).fill(0) };
    writeFileSync(file, JSON.stringify({ ...base, edit: { K: 3, controlPoints: { ...cp, trans: [1, 2] }, pinned: [] } }));
    expect(() => readProject(file)).toThrow(`${file}: edit.controlPoints.trans must be a list of 12 numbers`);
    writeFileSync(file, JSON.stringify({ ...base, edit: { K: 3, controlPoints: cp, pinned: [4] } }));
    expect(() => readProject(file)).toThrow(/edit.pinned must be a list of control-point indices in 0..3/);
    writeFileSync(file, JSON.stringify({ ...base, edit: { K: 3, controlPoints: { ...cp, quats: new Array(16).fill(0) } } }));
    expect(() => readProject(file)).toThrow(/edit.controlPoints.quats\[0\] must be a non-zero quaternion/);
    writeFileSync(file, JSON.stringify({ ...base, edit: { K: 3, controlPoints: cp } }));
    expect(readProject(file).edit!.pinned).toEqual([]);
  });
});
