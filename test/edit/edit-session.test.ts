import { describe, expect, it } from 'vitest';
import { createScene, type GaussianScene } from '../../engine/splat/scene.js';
import { EditSession } from '../../renderer/edit/edit-session.js';
import { rng } from '../util/close.js';

/** A slab of Gaussians, 8 x 2 x 2 units along x, jittered, with random rotations. */
function slab(n = 3000): GaussianScene {
  const s = createScene(n, 0);
  const rand = rng(3);
  for (let i = 0; i < n; i++) {
    s.means.set([rand() * 8 - 4, rand() * 2 - 1, rand() * 2 - 1], i * 3);
    s.quats.set([1 + rand(), rand() - 0.5, rand() - 0.5, rand() - 0.5], i * 4);
  }
  return s;
}

/** The control point nearest `p`. */
function nearest(session: EditSession, p: number[]): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < session.controlPointCount; i++) {
    const d = Math.hypot(...[0, 1, 2].map((a) => session.positions[i * 3 + a] - p[a]));
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

const dist = (a: ArrayLike<number>, i: number, b: ArrayLike<number>) => Math.hypot(a[i * 3] - b[i * 3], a[i * 3 + 1] - b[i * 3 + 1], a[i * 3 + 2] - b[i * 3 + 2]);

describe('edit session', () => {
  it('drags the handle to its target, keeps pins and far points fixed, and the Gaussians follow locally', () => {
    const scene = slab();
    const session = new EditSession(scene, { controlPoints: 64, regionRadius: 0.6 });
    expect(session.controlPointCount).toBe(64);
    const rest = session.positions.slice();
    const handle = nearest(session, [4, 0, 0]);
    const pin = nearest(session, [-4, 1, 1]);
    session.togglePin(pin);
    session.select(handle);
    session.beginDrag();
    const held = session.heldByDrag;
    // The pin, and the far (x < 0) half of the slab as region-of-interest anchors.
    expect(held).toContain(pin);
    expect(held.length).toBeGreaterThan(10);
    expect(held).not.toContain(handle);
    const delta = [0, -1.5, 0.5];
    session.dragTo([0, -0.5, 0.2]);
    session.dragTo(delta); // a second update of the same drag: warm start, same constraints
    for (let a = 0; a < 3; a++) expect(session.positions[handle * 3 + a]).toBe(rest[handle * 3 + a] + delta[a]);
    for (const i of held) for (let a = 0; a < 3; a++) expect(session.positions[i * 3 + a]).toBe(rest[i * 3 + a]);
    // Free control points between handle and anchors move, by less than the handle.
    let movedFree = 0;
    for (let i = 0; i < session.controlPointCount; i++) {
      if (i === handle || held.includes(i)) continue;
      const d = dist(session.positions, i, rest);
      expect(d).toBeLessThan(Math.hypot(...delta) * 1.05);
      if (d > 0.05) movedFree++;
    }
    expect(movedFree).toBeGreaterThan(0);
    // Gaussians: those at the dragged end move by about the handle's motion, those at the far end not at all.
    const out = session.editedScene;
    expect(out).not.toBe(scene);
    for (let i = 0; i < scene.count; i++) {
      const x = scene.means[i * 3];
      const d = dist(out.means, i, scene.means);
      if (x > 3.8 && Math.abs(scene.means[i * 3 + 1]) < 0.5) expect(d).toBeGreaterThan(0.6 * Math.hypot(...delta));
      if (x < -2.5) expect(d).toBeLessThan(1e-5); // all neighbours anchored: identity up to float32 rounding
    }
    // The rest scene is untouched.
    expect(scene.means).toEqual(slab().means);
  });

  it('undo restores the previous state exactly, drag by drag, and reset is undoable', () => {
    const scene = slab();
    const session = new EditSession(scene, { controlPoints: 48 });
    expect(session.isEdited).toBe(false);
    expect(session.editedScene).toBe(scene);
    const rest = session.positions.slice();
    const a = nearest(session, [4, 0, 0]);
    const b = nearest(session, [-4, 0, 0]);
    // Clicking without moving is no undo step.
    session.select(a);
    session.beginDrag();
    session.endDrag();
    expect(session.canUndo).toBe(false);

    session.beginDrag();
    session.dragTo([0, 1, 0]);
    session.endDrag();
    expect(session.pins.has(a)).toBe(true); // dropped handles stay pinned
    const afterFirst = { means: session.editedScene.means.slice(), quats: session.editedScene.quats.slice(), pos: session.positions.slice() };

    session.select(b);
    session.beginDrag();
    session.dragTo([0, -1, 0.5]);
    session.endDrag();
    // The first handle, pinned, did not move in the second drag.
    for (let k = 0; k < 3; k++) expect(session.positions[a * 3 + k]).toBe(afterFirst.pos[a * 3 + k]);
    expect(session.editedScene.means).not.toEqual(afterFirst.means);

    session.reset();
    expect(session.isEdited).toBe(false);
    expect(session.editedScene).toBe(scene);
    expect(session.undo()).toBe(true); // undo the reset
    expect(session.undo()).toBe(true); // undo the second drag
    expect(session.positions).toEqual(afterFirst.pos);
    expect(session.editedScene.means).toEqual(afterFirst.means);
    expect(session.editedScene.quats).toEqual(afterFirst.quats);
    expect(session.pins.has(b)).toBe(false);
    expect(session.undo()).toBe(true); // undo the first drag
    expect(session.positions).toEqual(rest);
    expect(session.isEdited).toBe(false);
    expect(session.editedScene).toBe(scene);
    expect(session.pins.size).toBe(0);
    expect(session.undo()).toBe(false);
  });

  it('shift-click builds a multi-point selection that moves together; alt-click pins and unpins', () => {
    const session = new EditSession(slab(), { controlPoints: 48, anchorFar: false });
    const rest = session.positions.slice();
    const a = nearest(session, [4, 1, 1]);
    const b = nearest(session, [4, -1, -1]);
    session.select(a);
    session.select(b, true);
    expect([...session.selection].sort()).toEqual([a, b].sort());
    session.select(a, true);
    expect([...session.selection]).toEqual([b]);
    session.select(a, true);
    const p = nearest(session, [-4, 0, 0]);
    session.togglePin(p);
    session.togglePin(p);
    expect(session.pins.size).toBe(0);
    session.togglePin(p);
    session.beginDrag();
    expect(session.heldByDrag).toEqual([p]); // no far anchors when switched off
    session.dragTo([0.3, 0, 0]);
    for (const h of [a, b]) for (let k = 0; k < 3; k++) expect(session.positions[h * 3 + k]).toBe(rest[h * 3 + k] + [0.3, 0, 0][k]);
    for (let k = 0; k < 3; k++) expect(session.positions[p * 3 + k]).toBe(rest[p * 3 + k]);
    expect(() => session.select(999)).toThrow(/out of range/);
  });

  it('a saved edit reopens to the same deformed scene', () => {
    const scene = slab();
    const session = new EditSession(scene, { controlPoints: 40 });
    session.select(nearest(session, [4, 0, 0]));
    session.beginDrag();
    session.dragTo([0.5, 1, 0]);
    session.endDrag();
    const saved = session.saved();
    const reopened = new EditSession(scene, {}, saved);
    expect(reopened.controlPointCount).toBe(40);
    expect([...reopened.pins.keys()]).toEqual(saved.pinned);
    // The warp is recomputed from the saved float32 transforms: identical inputs, identical output.
    expect(reopened.editedScene.means).toEqual(session.editedScene.means);
    expect(reopened.editedScene.quats).toEqual(session.editedScene.quats);
  });
});
