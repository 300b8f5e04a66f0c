/**
 * The optional `edit` field of the Sparrow project file (engine/io/project.ts): an ARAP
 * control-point edit of the project's scene (SC-GS editing, engine/deform/edit.ts), kept so
 * that reopening the project shows the scene as edited and the edit can continue.
 *
 *   "edit": { "K": 3,                          control points each Gaussian follows
 *             "controlPoints": { "count": M,
 *                                "positions": [M*3], rest positions
 *                                "logRadius": [M],   warp RBF radii (log)
 *                                "quats":     [M*4], edit rotation (w, x, y, z) per control point
 *                                "trans":     [M*3] }, edit translation per control point
 *             "pinned": [indices],              control points held in place
 *             "splats"?: N }                    splat count of the scene edited (optional; when
 *                                               present, opening checks the scene still has N)
 * The scene file stays the unedited capture; the edit is re-applied on open. Pure JSON
 * (no node: imports) so the app page can write it too.
 */
import type { ControlPoints } from '../deform/control-points.js';
import { ensure } from './format-error.js';

export interface ProjectEdit {
  K: number;
  controlPoints: ControlPoints;
  pinned: number[];
  /** Splats in the scene the edit was made on: a scene with another count is not the one edited. */
  splats?: number;
}

/** The JSON value stored under `edit`. */
export function editToJson(edit: ProjectEdit): Record<string, unknown> {
  const c = edit.controlPoints;
  return {
    K: edit.K,
    controlPoints: { count: c.count, positions: Array.from(c.positions), logRadius: Array.from(c.logRadius), quats: Array.from(c.quats), trans: Array.from(c.trans) },
    pinned: [...edit.pinned],
    ...(edit.splats !== undefined ? { splats: edit.splats } : {}),
  };
}

/** Validate and read the `edit` field of project `file`; errors name the file and the field. */
export function readEdit(v: unknown, file: string): ProjectEdit {
  const o = v as Record<string, unknown>;
  ensure(typeof o === 'object' && o !== null && !Array.isArray(o), file, "'edit' must be an object");
  const c = o.controlPoints as Record<string, unknown>;
  ensure(typeof c === 'object' && c !== null, file, 'edit.controlPoints must be an object');
  const m = c.count;
  ensure(typeof m === 'number' && Number.isInteger(m) && m >= 4 && m <= 1 << 16, file, 'edit.controlPoints.count must be an integer in 4..65536');
  const floats = (name: string, width: number): Float32Array => {
    const a = c[name];
    ensure(Array.isArray(a) && a.length === m * width, file, `edit.controlPoints.${name} must be a list of ${m * width} numbers`);
    ensure((a as unknown[]).every((x) => typeof x === 'number' && Number.isFinite(x)), file, `edit.controlPoints.${name} must hold finite numbers`);
    return Float32Array.from(a as number[]);
  };
  const controlPoints: ControlPoints = { count: m, positions: floats('positions', 3), logRadius: floats('logRadius', 1), quats: floats('quats', 4), trans: floats('trans', 3) };
  for (let k = 0; k < m; k++) {
    const q = controlPoints.quats.subarray(k * 4, k * 4 + 4);
    ensure(Math.hypot(q[0], q[1], q[2], q[3]) > 1e-6, file, `edit.controlPoints.quats[${k}] must be a non-zero quaternion`);
  }
  const K = o.K;
  ensure(typeof K === 'number' && Number.isInteger(K) && K >= 1 && K <= m, file, `edit.K must be an integer in 1..${m}`);
  const pinned = o.pinned ?? [];
  ensure(Array.isArray(pinned) && pinned.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < m), file, `edit.pinned must be a list of control-point indices in 0..${m - 1}`);
  const splats = o.splats;
  ensure(splats === undefined || (typeof splats === 'number' && Number.isInteger(splats) && splats >= 4), file, 'edit.splats must be an integer >= 4 (the splat count of the edited scene)');
  return { K, controlPoints, pinned: pinned as number[], ...(splats !== undefined ? { splats } : {}) };
}
