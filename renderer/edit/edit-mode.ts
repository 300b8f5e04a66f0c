/**
 * The app's edit mode: toggle it (toolbar button or E), and the loaded scene gets control
 * points (farthest-point sampling, count in the side panel) drawn over the splats. Click a
 * point to select it, shift-click to add/remove, alt-click to pin/unpin, drag a selected
 * point to move the selection in the camera plane: the others follow by ARAP and the
 * Gaussians by the control-point warp (EditSession), redrawn live. Ctrl+Z undoes the last
 * drag, Reset goes back to the capture, Esc clears the selection. Export writes the edited
 * scene; Save Project keeps the edit (control points + transforms) in a *.sparrow.json.
 *
 * Pointer events are taken in the capture phase on the viewer pane, before the orbit
 * controls on the canvas see them, and only when the press lands on a control point: a
 * press anywhere else still orbits.
 */
import type { GaussianScene } from '../../engine/splat/scene.js';
import type { Camera } from '../../engine/splat/camera.js';
import { formatFromExtension } from '../../engine/io/scene-codec.js';
import { encodePly } from '../../engine/io/ply.js';
import { editToJson } from '../../engine/io/project-edit.js';
import type { Viewer } from '../viewer/viewer.js';
import { EditLayer, type PointRole } from './edit-layer.js';
import { EditSession } from './edit-session.js';
import { pickPoint, pointDepth, screenDeltaToWorld } from './picking.js';

export interface EditHost {
  viewer(): Viewer | undefined;
  /** The scene as loaded (unedited). */
  scene(): GaussianScene | undefined;
  message(text: string, kind?: 'info' | 'error'): void;
  error(title: string, e: unknown): void;
  save(name: string, bytes: Uint8Array): Promise<string | null>;
}

/** Pick radius around the cursor, CSS pixels. */
const PICK_RADIUS_CSS = 10;

interface ActiveDrag {
  pointerId: number;
  camera: Camera;
  depth: number;
  startX: number;
  startY: number;
  pending?: { x: number; y: number };
  scheduled: boolean;
}

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class EditMode {
  session?: EditSession;
  active = false;
  /** Drag updates done and the time of the last one (ARAP + warp + upload), for the HUD and tests. */
  updates = 0;
  lastUpdateMs = 0;
  /** Created on first use: a WebGL context only for users who edit. */
  private layerInstance?: EditLayer;
  private fileName = '';
  private drag?: ActiveDrag;
  private readonly pane = el('viewer-pane');
  private readonly button = el<HTMLButtonElement>('btn-edit');

  constructor(private readonly host: EditHost) {
    this.button.onclick = () => void this.toggle();
    el('btn-edit-undo').onclick = () => this.undo();
    el('btn-edit-reset').onclick = () => this.reset();
    el('btn-edit-save').onclick = () => void this.saveProject();
    el<HTMLInputElement>('edit-count').onchange = () => void this.resample();
    el<HTMLInputElement>('edit-region').oninput = (e) => this.session && (this.session.options.regionRadius = Number((e.target as HTMLInputElement).value));
    el<HTMLInputElement>('edit-anchor-far').onchange = (e) => this.session && (this.session.options.anchorFar = (e.target as HTMLInputElement).checked);
    this.pane.addEventListener('pointerdown', (e) => this.pointerDown(e), { capture: true });
    window.addEventListener('pointermove', (e) => this.pointerMove(e));
    window.addEventListener('pointerup', (e) => this.pointerUp(e));
    window.addEventListener('pointercancel', (e) => this.pointerUp(e));
    window.addEventListener('keydown', (e) => this.key(e));
  }

  private get layer(): EditLayer {
    return (this.layerInstance ??= new EditLayer(el<HTMLCanvasElement>('edit-overlay')));
  }

  /** The scene to show and export for `scene`: its edit when this session edits it. */
  sceneFor(scene: GaussianScene): GaussianScene {
    return this.session?.scene === scene && this.session.isEdited ? this.session.snapshotScene() : scene;
  }

  /** A new scene was opened (file name with extension, or a label): the old edit goes. */
  sceneChanged(scene: GaussianScene, fileName: string): void {
    if (this.session?.scene === scene) return;
    this.fileName = fileName;
    this.session = undefined;
    if (this.active) void this.enter();
  }

  async toggle(): Promise<void> {
    if (this.active) this.exit();
    else await this.enter();
  }

  async enter(): Promise<void> {
    const scene = this.host.scene();
    if (!scene) {
      this.host.message('Open a scene first, then edit it', 'error');
      return;
    }
    this.active = true;
    this.button.classList.add('active');
    el('edit-panel').hidden = false;
    if (!this.session || this.session.scene !== scene) {
      const count = Number(el<HTMLInputElement>('edit-count').value) || 256;
      this.host.message(`Sampling ${count} control points…`);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // let the message paint before the sampling blocks
      try {
        this.session = new EditSession(scene, {
          controlPoints: count,
          regionRadius: Number(el<HTMLInputElement>('edit-region').value),
          anchorFar: el<HTMLInputElement>('edit-anchor-far').checked,
        });
      } catch (e) {
        this.host.error('Cannot edit this scene', e);
        this.exit();
        return;
      }
    }
    this.layer.visible = true;
    this.refreshPoints();
    this.updateButtons();
  }

  exit(): void {
    if (this.drag) this.finishDrag();
    this.active = false;
    this.button.classList.remove('active');
    el('edit-panel').hidden = true;
    if (this.layerInstance) this.layerInstance.visible = false;
  }

  /** Call after each viewer frame: draws the control points with the frame's camera. */
  onFrame(): void {
    const viewer = this.host.viewer();
    if (!this.active || !viewer) return;
    this.layer.draw(viewer.overlay.camera);
  }

  undo(): void {
    if (!this.session?.undo()) return;
    this.showEdit();
  }

  reset(): void {
    if (!this.session) return;
    this.session.reset();
    this.showEdit();
  }

  private async resample(): Promise<void> {
    if (!this.session) return;
    if (this.session.isEdited) {
      this.host.message('Reset the edit before changing the number of control points', 'error');
      el<HTMLInputElement>('edit-count').value = String(this.session.controlPointCount);
      return;
    }
    this.session = undefined;
    if (this.active) await this.enter();
  }

  private async saveProject(): Promise<void> {
    const s = this.session;
    const scene = this.host.scene();
    if (!s || !scene) return;
    try {
      const base = this.fileName.replace(/\.[^.]+$/, '') || 'scene';
      let scenePath = this.fileName;
      const format = formatFromExtension(this.fileName);
      if (!format) {
        // A reconstruction has no file yet: keep the unedited scene beside the project.
        scenePath = `${base}.ply`;
        if (!(await this.host.save(scenePath, encodePly(scene)))) return;
      }
      const now = new Date().toISOString();
      const project = {
        format: 'sparrow-project',
        version: 1,
        photos: [],
        settings: {},
        scene: { path: scenePath, format: format ?? 'ply' },
        edit: editToJson(s.saved()),
        createdAt: now,
        updatedAt: now,
      };
      const path = await this.host.save(`${base}.sparrow.json`, new TextEncoder().encode(JSON.stringify(project, null, 2) + '\n'));
      if (path) this.host.message(`Saved ${path} (the edit of ${scenePath}; keep them in one folder)`);
    } catch (e) {
      this.host.error('Cannot save the project', e);
    }
  }

  private key(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (document.querySelector('dialog[open]')) return; // the export dialog has the keyboard
    if ((e.key === 'e' || e.key === 'E') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void this.toggle();
    } else if ((e.ctrlKey || e.metaKey) && (e.key === 'z' || e.key === 'Z') && this.session) {
      e.preventDefault();
      this.undo();
    } else if (e.key === 'Escape' && this.active && this.session) {
      this.session.clearSelection();
      this.refreshPoints();
    }
  }

  /** Cursor position in render pixels of `cam` (the viewer renders at devicePixelRatio x resolution scale). */
  private toPixels(e: PointerEvent, cam: Camera): { x: number; y: number; scale: number } {
    const rect = el('viewer').getBoundingClientRect();
    const scale = cam.width / Math.max(rect.width, 1);
    return { x: (e.clientX - rect.left) * scale, y: (e.clientY - rect.top) * (cam.height / Math.max(rect.height, 1)), scale };
  }

  private pointerDown(e: PointerEvent): void {
    const s = this.session;
    const cam = this.host.viewer()?.lastCamera;
    if (!this.active || !s || !cam || e.button !== 0 || s.dragging) return;
    if (this.host.scene() !== s.scene) {
      // A reconstruction preview replaced the scene under the edit: do not write the old one back.
      this.host.message('The scene changed since editing began; press E twice to edit the new one', 'error');
      return;
    }
    const p = this.toPixels(e, cam);
    const hit = pickPoint(cam, s.positions, p.x, p.y, PICK_RADIUS_CSS * p.scale);
    if (hit < 0) return; // not on a point: the orbit controls get the press
    e.stopPropagation();
    e.preventDefault();
    if (e.altKey) {
      s.togglePin(hit);
      this.refreshPoints();
      return;
    }
    s.select(hit, e.shiftKey);
    this.refreshPoints();
    if (!s.selection.has(hit)) return; // shift-click removed it
    s.beginDrag();
    this.drag = { pointerId: e.pointerId, camera: cam, depth: pointDepth(cam, s.positions, hit), startX: p.x, startY: p.y, scheduled: false };
    this.refreshPoints();
  }

  private pointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    const p = this.toPixels(e, d.camera);
    d.pending = { x: p.x, y: p.y };
    // One solve per displayed frame: coalesce the moves that arrive in between.
    if (!d.scheduled) {
      d.scheduled = true;
      requestAnimationFrame(() => this.applyPending());
    }
  }

  private applyPending(): void {
    const d = this.drag;
    if (!d) return;
    d.scheduled = false;
    if (!d.pending || !this.session) return;
    const t0 = performance.now();
    const delta = screenDeltaToWorld(d.camera, d.depth, d.pending.x - d.startX, d.pending.y - d.startY);
    d.pending = undefined;
    try {
      this.session.dragTo(delta);
      this.showEdit();
    } catch (e) {
      this.host.error('The edit failed', e);
      this.finishDrag();
      return;
    }
    this.lastUpdateMs = performance.now() - t0;
    this.updates++;
    this.updateButtons();
  }

  private pointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.pointerId) return;
    this.applyPending(); // the last move before the release
    this.finishDrag();
  }

  private finishDrag(): void {
    this.drag = undefined;
    this.session?.endDrag();
    this.refreshPoints();
    this.updateButtons();
  }

  /** Upload the edited scene to the viewer and move the markers. */
  private showEdit(): void {
    const s = this.session;
    if (!s || this.host.scene() !== s.scene) return;
    // An edit changes only means and rotations: upload those two fields when the viewer can
    // (Viewer.updateSplats), else the whole scene (Viewer.updateScene).
    const viewer = this.host.viewer() as (Viewer & { updateSplats?: (f: { means?: Float32Array; quats?: Float32Array }) => void }) | undefined;
    const edited = s.editedScene;
    if (typeof viewer?.updateSplats === 'function') viewer.updateSplats({ means: edited.means, quats: edited.quats });
    else viewer?.updateScene(edited);
    this.refreshPoints();
    this.updateButtons();
  }

  private refreshPoints(): void {
    const s = this.session;
    if (!s) return;
    const held = new Set(s.heldByDrag);
    const role = (i: number): PointRole => (s.selection.has(i) ? 'selected' : s.pins.has(i) ? 'pinned' : held.has(i) ? 'held' : 'free');
    this.layer.setPoints(s.positions, role);
    this.updateButtons();
  }

  private updateButtons(): void {
    const s = this.session;
    el<HTMLButtonElement>('btn-edit-undo').disabled = !s?.canUndo;
    el<HTMLButtonElement>('btn-edit-reset').disabled = !s?.isEdited && !s?.pins.size;
    el<HTMLButtonElement>('btn-edit-save').disabled = !s?.isEdited;
    el('edit-status').textContent = s
      ? `${s.controlPointCount} control points · ${s.selection.size} selected · ${s.pins.size} pinned${this.updates ? ` · last update ${this.lastUpdateMs.toFixed(1)} ms (ARAP ${s.lastTimings.solveMs.toFixed(1)}, warp ${s.lastTimings.warpMs.toFixed(1)})` : ''}`
      : '';
  }
}
