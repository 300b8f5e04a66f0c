/**
 * The state of one interactive ARAP edit of a scene (no DOM, so it is unit-tested in Node
 * and benchmarked by bench/edit.ts):
 *   - control points by farthest-point sampling of the Gaussian means (count configurable),
 *   - a selection (the handles the next drag moves) and pins (points held where they are),
 *   - drags: the handles translate by a world vector; pins, and by default every control
 *     point farther than `regionRadius` from all handles, stay where they are; the rest are
 *     solved by ARAP (engine/deform/edit.ts) and the Gaussians follow by the control-point
 *     warp (positions + rotations, BlendWarp),
 *   - undo of each drag / reset, restoring the exact previous solution.
 * A dragged handle becomes a pin at its new place when the drag ends (so the next drag
 * elsewhere keeps it there, the usual ARAP-editing behaviour); alt-click unpins it.
 */
import { controlPointsFromMeans, type ControlPoints } from '../../engine/deform/control-points.js';
import { ArapEditor, type DragConstraint } from '../../engine/deform/edit.js';
import { quatToMat } from '../../engine/deform/quat.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import type { ProjectEdit } from '../../engine/io/project-edit.js';
import { BlendWarp } from './blend-warp.js';

export interface EditOptions {
  /** Control points sampled on the scene (farthest-point sampling). */
  controlPoints?: number;
  /** Control points each Gaussian follows (warp neighbours). */
  K?: number;
  /** ARAP local/global iterations per drag update (warm-started from the last update). */
  iterations?: number;
  /** Hold control points far from the handles fixed (region of interest editing). */
  anchorFar?: boolean;
  /** Radius of the region of interest around the handles, as a fraction of the scene radius (`extent`). */
  regionRadius?: number;
}

/** What a saved edit holds: rest control points with the edit's transforms, pins, warp K (stored in the project file). */
export type SavedEdit = ProjectEdit;

interface Snapshot {
  current: Float64Array; // [M, 3]
  rotations: Float64Array; // [M, 9]
  pins: Map<number, [number, number, number]>;
  selection: number[];
  edited: boolean;
}

interface Drag {
  handles: number[];
  start: Float64Array; // [H, 3] handle positions when the drag began
  anchors: number[]; // far points held for this drag
  before: Snapshot;
  moved: boolean;
}

const UNDO_LIMIT = 100;

export class EditSession {
  readonly rest: ControlPoints; // rest control points (identity transforms)
  readonly editor: ArapEditor;
  readonly warp: BlendWarp;
  readonly options: Required<EditOptions>;
  readonly selection = new Set<number>();
  /** Pinned control points and the positions they are held at. */
  readonly pins = new Map<number, [number, number, number]>();
  private readonly undoStack: Snapshot[] = [];
  private drag?: Drag;
  private edited = false;
  private readonly out: GaussianScene;
  /** Wall time of the last drag update's ARAP solve and warp (ms), for the status line and bench/edit.ts. */
  readonly lastTimings = { solveMs: 0, warpMs: 0 };
  /** Radius of the rest control points (90th percentile from the centroid; scales the region of interest). */
  readonly extent: number;

  constructor(readonly scene: GaussianScene, options: EditOptions = {}, saved?: SavedEdit) {
    this.options = { controlPoints: 256, K: 3, iterations: 8, anchorFar: true, regionRadius: 0.5, ...options };
    if (scene.count < 4) throw new Error(`the scene has ${scene.count} splats; editing needs at least 4`);
    if (saved) {
      if (saved.controlPoints.count < 4) throw new Error(`a saved edit needs at least 4 control points, got ${saved.controlPoints.count}`);
      this.options.K = saved.K;
      this.options.controlPoints = saved.controlPoints.count;
    }
    const rest = saved ? restOf(saved.controlPoints) : controlPointsFromMeans(scene.means, this.options.controlPoints);
    if (rest.count < 4) throw new Error(`the scene has ${rest.count} distinct control points; editing needs at least 4`);
    this.rest = rest;
    this.editor = new ArapEditor(rest);
    this.warp = new BlendWarp(scene.means, rest, this.options.K);
    this.out = { ...scene, means: scene.means.slice(), quats: scene.quats.slice() };
    this.extent = sceneRadius(rest.positions);
    if (saved) this.applySaved(saved);
  }

  get controlPointCount(): number {
    return this.rest.count;
  }

  /** Current (edited) control-point positions [M, 3]. */
  get positions(): Float64Array {
    return this.editor.current;
  }

  get isEdited(): boolean {
    return this.edited;
  }

  get dragging(): boolean {
    return this.drag !== undefined;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** Click on a control point: replace the selection, or toggle it in the selection with `additive` (shift). */
  select(index: number, additive = false): void {
    this.checkIndex(index);
    if (additive) {
      if (this.selection.has(index)) this.selection.delete(index);
      else this.selection.add(index);
    } else if (!this.selection.has(index)) {
      this.selection.clear();
      this.selection.add(index);
    }
  }

  clearSelection(): void {
    this.selection.clear();
  }

  /** Pin a control point where it is now, or release it (alt-click). */
  togglePin(index: number): void {
    this.checkIndex(index);
    if (this.pins.has(index)) this.pins.delete(index);
    else this.pins.set(index, this.pointAt(index));
  }

  /** Start dragging the selection. */
  beginDrag(): void {
    if (this.selection.size === 0) throw new Error('select a control point before dragging');
    const handles = [...this.selection].sort((a, b) => a - b);
    const start = new Float64Array(handles.length * 3);
    handles.forEach((h, j) => start.set(this.editor.current.subarray(h * 3, h * 3 + 3), j * 3));
    const anchors: number[] = [];
    if (this.options.anchorFar) {
      const r2 = (this.options.regionRadius * this.extent) ** 2;
      for (let i = 0; i < this.rest.count; i++) {
        if (this.selection.has(i) || this.pins.has(i)) continue;
        let near = false;
        for (let j = 0; j < handles.length && !near; j++) {
          let d2 = 0;
          for (let a = 0; a < 3; a++) d2 += (this.editor.current[i * 3 + a] - start[j * 3 + a]) ** 2;
          near = d2 <= r2;
        }
        if (!near) anchors.push(i);
      }
    }
    this.drag = { handles, start, anchors, before: this.snapshot(), moved: false };
  }

  /** Control points held fixed by the current drag besides the handles (pins and far anchors). */
  get heldByDrag(): number[] {
    if (!this.drag) return [];
    return [...new Set([...this.pins.keys(), ...this.drag.anchors])].filter((i) => !this.selection.has(i)).sort((a, b) => a - b);
  }

  /**
   * Move the handles by `delta` (world) from where the drag began, solve ARAP for the free
   * control points, and warp the scene. Returns the ARAP energy.
   */
  dragTo(delta: ArrayLike<number>): number {
    const d = this.drag;
    if (!d) throw new Error('dragTo outside a drag: call beginDrag first');
    if (![0, 1, 2].every((a) => Number.isFinite(delta[a]))) throw new Error('drag delta must be 3 finite numbers');
    const constraints: DragConstraint[] = d.handles.map((h, j) => ({ index: h, target: [0, 1, 2].map((a) => d.start[j * 3 + a] + delta[a]) }));
    for (const [i, p] of this.pins) if (!this.selection.has(i)) constraints.push({ index: i, target: p });
    for (const i of d.anchors) constraints.push({ index: i, target: d.before.current.slice(i * 3, i * 3 + 3) });
    const t0 = performance.now();
    this.editor.setConstraints(constraints);
    const energy = this.editor.solve(this.options.iterations);
    const t1 = performance.now();
    d.moved = true;
    this.edited = true;
    this.applyWarp();
    this.lastTimings.solveMs = t1 - t0;
    this.lastTimings.warpMs = performance.now() - t1;
    return energy;
  }

  /** Finish the drag: the handles stay pinned where they were dropped; the drag becomes one undo step. */
  endDrag(): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d || !d.moved) return;
    for (const h of d.handles) this.pins.set(h, this.pointAt(h));
    this.pushUndo(d.before);
  }

  /** Undo the last drag or reset; returns false if there is nothing to undo. */
  undo(): boolean {
    if (this.drag) this.endDrag();
    const s = this.undoStack.pop();
    if (!s) return false;
    this.restore(s);
    return true;
  }

  /** Back to the rest pose (undoable). */
  reset(): void {
    if (this.drag) this.endDrag();
    if (!this.edited && this.pins.size === 0) return;
    this.pushUndo(this.snapshot());
    this.editor.current.set(this.editor.rest);
    this.editor.rotations = identityRotations(this.rest.count);
    this.pins.clear();
    this.edited = false;
    this.applyWarp();
  }

  /** The scene as edited (the loaded scene itself while nothing is edited). Arrays are reused by later drags. */
  get editedScene(): GaussianScene {
    return this.edited ? this.out : this.scene;
  }

  /** A copy of the edited scene that later drags do not change (for export). */
  snapshotScene(): GaussianScene {
    const s = this.editedScene;
    return { ...s, means: s.means.slice(), quats: s.quats.slice() };
  }

  /** The edit to save: rest control points with their transforms, and the pins. */
  saved(): SavedEdit {
    return { controlPoints: this.editor.controlPoints(), pinned: [...this.pins.keys()].sort((a, b) => a - b), K: this.warp.K, splats: this.scene.count };
  }

  private applySaved(saved: SavedEdit): void {
    const c = saved.controlPoints;
    const R = new Float64Array(9);
    for (let k = 0; k < c.count; k++) {
      const q = c.quats.subarray(k * 4, k * 4 + 4);
      const n = Math.hypot(q[0], q[1], q[2], q[3]);
      quatToMat(q[0] / n, q[1] / n, q[2] / n, q[3] / n, R);
      this.editor.rotations.set(R, k * 9);
      for (let a = 0; a < 3; a++) this.editor.current[k * 3 + a] = c.positions[k * 3 + a] + c.trans[k * 3 + a];
    }
    for (const i of saved.pinned) {
      this.checkIndex(i);
      this.pins.set(i, this.pointAt(i));
    }
    this.edited = true;
    this.applyWarp();
  }

  private applyWarp(): void {
    this.warp.apply(this.editor.controlPoints(), this.scene.means, this.scene.quats, this.out.means, this.out.quats);
  }

  private snapshot(): Snapshot {
    return {
      current: this.editor.current.slice(),
      rotations: this.editor.rotations.slice(),
      pins: new Map([...this.pins].map(([i, p]) => [i, [...p] as [number, number, number]])),
      selection: [...this.selection],
      edited: this.edited,
    };
  }

  private restore(s: Snapshot): void {
    this.editor.current.set(s.current);
    this.editor.rotations = s.rotations.slice();
    this.pins.clear();
    for (const [i, p] of s.pins) this.pins.set(i, p);
    this.selection.clear();
    for (const i of s.selection) this.selection.add(i);
    this.edited = s.edited;
    this.applyWarp();
  }

  private pushUndo(s: Snapshot): void {
    this.undoStack.push(s);
    if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
  }

  private pointAt(i: number): [number, number, number] {
    return [this.editor.current[i * 3], this.editor.current[i * 3 + 1], this.editor.current[i * 3 + 2]];
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rest.count) throw new Error(`control point ${i} out of range 0..${this.rest.count - 1}`);
  }
}

/** The same control points with identity transforms. */
function restOf(c: ControlPoints): ControlPoints {
  const quats = new Float32Array(c.count * 4);
  for (let k = 0; k < c.count; k++) quats[k * 4] = 1;
  return { count: c.count, positions: c.positions.slice(), logRadius: c.logRadius.slice(), quats, trans: new Float32Array(c.count * 3) };
}

function identityRotations(m: number): Float64Array {
  const R = new Float64Array(m * 9);
  for (let k = 0; k < m; k++) R[k * 9] = R[k * 9 + 4] = R[k * 9 + 8] = 1;
  return R;
}

/**
 * Scene radius for the region of interest: the 90th-percentile distance of the control points
 * from their centroid. Not the maximum: farthest-point sampling puts control points on every
 * floater of a real capture, and one far floater would make the region cover everything.
 */
function sceneRadius(p: Float32Array): number {
  const m = p.length / 3;
  const c = [0, 0, 0];
  for (let i = 0; i < m; i++) for (let a = 0; a < 3; a++) c[a] += p[i * 3 + a] / m;
  const d = Array.from({ length: m }, (_, i) => Math.hypot(p[i * 3] - c[0], p[i * 3 + 1] - c[1], p[i * 3 + 2] - c[2])).sort((x, y) => x - y);
  return d[Math.min(m - 1, Math.floor(0.9 * m))] || 1;
}
