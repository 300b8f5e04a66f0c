/**
 * Scene export of deformations: a static edit as one GaussianScene, a dynamic scene as one
 * GaussianScene per frame time (write each with engine/io/scene-file.ts, e.g. as PLY).
 * Also the JSON edit spec used by `sparrow deform`: pin / drag control points selected by
 * spheres, solved by ARAP (edit.ts).
 */
import type { GaussianScene } from '../splat/scene.js';
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import { controlPointsFromMeans, knn, type ControlPoints } from './control-points.js';
import { ArapEditor, warpScene, type DragConstraint } from './edit.js';
import { createKeyframeMotion, type KeyframeMotion } from './motion.js';
import { KeyframeModel, type MotionModel } from './motion-model.js';

/** One warped scene per time in `times` (neighbour lists built once at rest). */
export function exportDynamicFrames(
  scene: GaussianScene,
  ctrl: ControlPoints,
  motion: KeyframeMotion | MotionModel,
  times: number[],
  opts: { K?: number; onEvent?: EventSink; signal?: AbortSignal } = {},
): GaussianScene[] {
  const model: MotionModel = 'params' in motion ? motion : new KeyframeModel(motion);
  const K = Math.min(opts.K ?? 3, ctrl.count);
  const nbr = knn(scene.means, ctrl.positions, K);
  return times.map((t, f) => {
    throwIfCancelled(opts.signal);
    opts.onEvent?.({ type: 'step', stage: 'export', step: f + 1, total: times.length });
    return warpScene(scene, model.at(ctrl, t), K, nbr);
  });
}

/** A two-keyframe motion from rest (t = 0) to the transforms of `edited` (t = 1). */
export function motionToEdit(edited: ControlPoints): KeyframeMotion {
  const m = createKeyframeMotion([0, 1], edited.count);
  m.quats.set(edited.quats, edited.count * 4);
  m.trans.set(edited.trans, edited.count * 3);
  return m;
}

export interface SphereSelection {
  center: [number, number, number];
  radius: number;
}

export interface EditSpec {
  controlPoints?: number;
  iterations?: number;
  pin?: SphereSelection[];
  drag?: (SphereSelection & { offset: [number, number, number] })[];
}

/** Validate an edit spec read from `file`; errors name the file and the field. */
export function parseEditSpec(json: unknown, file: string): EditSpec {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('edit spec must be a JSON object');
  const o = json as Record<string, unknown>;
  const vec3 = (v: unknown, where: string): [number, number, number] => {
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(`${where} must be an array of 3 finite numbers`);
    return v as [number, number, number];
  };
  const sphere = (v: unknown, where: string): SphereSelection => {
    if (typeof v !== 'object' || v === null) fail(`${where} must be an object with center and radius`);
    const s = v as Record<string, unknown>;
    if (typeof s.radius !== 'number' || !(s.radius > 0)) fail(`${where}.radius must be a positive number`);
    return { center: vec3(s.center, `${where}.center`), radius: s.radius as number };
  };
  const list = (v: unknown, name: string) => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(`${name} must be an array`);
    return v as unknown[];
  };
  const spec: EditSpec = {
    pin: list(o.pin, 'pin').map((p, i) => sphere(p, `pin[${i}]`)),
    drag: list(o.drag, 'drag').map((d, i) => ({ ...sphere(d, `drag[${i}]`), offset: vec3((d as Record<string, unknown>).offset, `drag[${i}].offset`) })),
  };
  if (o.controlPoints !== undefined) {
    if (!Number.isInteger(o.controlPoints) || (o.controlPoints as number) < 4) fail('controlPoints must be an integer ≥ 4');
    spec.controlPoints = o.controlPoints as number;
  }
  if (o.iterations !== undefined) {
    if (!Number.isInteger(o.iterations) || (o.iterations as number) < 1) fail('iterations must be a positive integer');
    spec.iterations = o.iterations as number;
  }
  if (spec.drag!.length === 0) fail('drag must select at least one region to move');
  return spec;
}

export interface EditResult {
  scene: GaussianScene;
  rest: ControlPoints;
  edited: ControlPoints;
  pinned: number;
  dragged: number;
  energy: number;
}

/**
 * Apply an edit spec: control points by farthest-point sampling, constraints from the
 * spheres (a control point in a drag sphere moves by its offset; in a pin sphere it stays),
 * ARAP solve, warp. Throws if a sphere selects no control point.
 */
export function applyEditSpec(scene: GaussianScene, spec: EditSpec, opts: { K?: number; onEvent?: EventSink } = {}): EditResult {
  const rest = controlPointsFromMeans(scene.means, spec.controlPoints ?? 512);
  if (rest.count < 4) throw new Error(`the scene has ${rest.count} Gaussians; an edit needs at least 4`);
  const editor = new ArapEditor(rest);
  const constraints = new Map<number, DragConstraint>();
  const select = (s: SphereSelection, what: string) => {
    const idx = editor.pickSphere(s.center, s.radius);
    if (idx.length === 0) throw new Error(`${what} at [${s.center.join(', ')}] radius ${s.radius} selects no control point`);
    return idx;
  };
  (spec.pin ?? []).forEach((s, i) => {
    for (const k of select(s, `pin[${i}]`)) constraints.set(k, { index: k, target: rest.positions.slice(k * 3, k * 3 + 3) });
  });
  const dragged = new Set<number>();
  (spec.drag ?? []).forEach((s, i) => {
    for (const k of select(s, `drag[${i}]`)) {
      constraints.set(k, { index: k, target: [0, 1, 2].map((a) => rest.positions[k * 3 + a] + s.offset[a]) });
      dragged.add(k);
    }
  });
  editor.setConstraints([...constraints.values()]);
  editor.rigidGuess();
  const iterations = spec.iterations ?? 30;
  let energy = 0;
  for (let it = 0; it < iterations; it++) {
    energy = editor.solve(1);
    opts.onEvent?.({ type: 'step', stage: 'deform', step: it + 1, total: iterations, metrics: { arapEnergy: energy } });
  }
  const edited = editor.controlPoints();
  return { scene: warpScene(scene, edited, opts.K ?? 3), rest, edited, pinned: constraints.size - dragged.size, dragged: dragged.size, energy };
}
