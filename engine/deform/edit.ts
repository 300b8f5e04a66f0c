/**
 * Interactive ARAP editing of a scene through its control points (Sorkine & Alexa 2007
 * over the control-point graph, as SC-GS edits): pick control points, drag some to target
 * positions, and the rest follow as rigidly as possible; the resulting per-control-point
 * rotations and translations warp the Gaussians (warp-ref.ts / warp.ts).
 *
 * Solver: alternate
 *   local:  R_i = best-fit rotation of the current edges vs rest edges   (arapRotations)
 *   global: minimize E over free positions with R fixed — a linear system L_ff P_f =
 *           b_f - L_fc P_c whose matrix depends only on the graph and which points are
 *           constrained, so it is Cholesky-factored once per constraint set and each
 *           iteration costs M 3x3 SVDs plus three O(M²) triangular solves.
 * Energy never increases across iterations (each step minimizes E over its variables).
 */
import type { GaussianScene } from '../splat/scene.js';
import { arapEnergy, arapRotations, buildArapGraph, type ArapGraph } from './arap.js';
import { cloneControlPoints, knn, type ControlPoints } from './control-points.js';
import { DenseCholesky } from './dense-cholesky.js';
import { closestRotation, matToQuat } from './quat.js';
import { warpForwardRef } from './warp-ref.js';

export interface DragConstraint {
  /** Control-point index. */
  index: number;
  /** Where it must go (world). Pin a point by giving its rest position. */
  target: ArrayLike<number>;
}

export class ArapEditor {
  readonly graph: ArapGraph;
  readonly rest: Float64Array; // [M, 3]
  /** Current solution [M, 3]; warm-starts the next solve (interactive dragging). */
  readonly current: Float64Array;
  rotations: Float64Array; // [M, 9]
  private factor?: DenseCholesky;
  private freeIndex = new Int32Array(0); // [M] position in the free system, -1 if constrained
  private constrainedKey = '';
  private constraints: DragConstraint[] = [];
  /** Proximal weight keeping the system definite (set per factorization). */
  private reg = 0;

  constructor(readonly ctrl: ControlPoints, k = 10) {
    this.rest = Float64Array.from(ctrl.positions);
    this.current = Float64Array.from(ctrl.positions);
    this.graph = buildArapGraph(this.rest, k);
    this.rotations = arapRotations(this.graph, this.rest, this.current);
  }

  /**
   * Control point nearest to a ray (origin, unit direction), among those within `maxDistance`
   * of it and in front of the origin; -1 if none. For mouse picking.
   */
  pickRay(origin: ArrayLike<number>, dir: ArrayLike<number>, maxDistance: number): number {
    let best = -1;
    let bestD = maxDistance * maxDistance;
    for (let i = 0; i < this.graph.count; i++) {
      const v = [0, 1, 2].map((a) => this.current[i * 3 + a] - origin[a]);
      const along = v[0] * dir[0] + v[1] * dir[1] + v[2] * dir[2];
      if (along <= 0) continue;
      const d2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - along * along;
      if (d2 < bestD) { bestD = d2; best = i; }
    }
    return best;
  }

  /** Control points within `radius` of `center` (brush selection). */
  pickSphere(center: ArrayLike<number>, radius: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.graph.count; i++) {
      const d2 = (this.current[i * 3] - center[0]) ** 2 + (this.current[i * 3 + 1] - center[1]) ** 2 + (this.current[i * 3 + 2] - center[2]) ** 2;
      if (d2 <= radius * radius) out.push(i);
    }
    return out;
  }

  /** Set the dragged / pinned points. Refactors only when the constrained set changes. */
  setConstraints(constraints: DragConstraint[]): void {
    const m = this.graph.count;
    for (const c of constraints) {
      if (!Number.isInteger(c.index) || c.index < 0 || c.index >= m) throw new Error(`ARAP edit: constraint index ${c.index} out of range 0..${m - 1}`);
      if (c.target.length < 3 || ![0, 1, 2].every((a) => Number.isFinite(c.target[a]))) throw new Error(`ARAP edit: constraint ${c.index} needs a finite 3-D target`);
    }
    this.constraints = constraints;
    const key = constraints.map((c) => c.index).sort((a, b) => a - b).join(',');
    if (key !== this.constrainedKey || !this.factor) {
      this.constrainedKey = key;
      this.factorize(new Set(constraints.map((c) => c.index)));
    }
    for (const c of constraints) for (let a = 0; a < 3; a++) this.current[c.index * 3 + a] = c.target[a];
  }

  /**
   * Move the free points by the best-fit rigid motion of the constrained points (Kabsch on
   * rest → target). ARAP converges linearly and slowly from the rest pose under a large
   * rotation of the handles; starting from the rigid guess it only has to resolve the
   * non-rigid part. No-op with fewer than 3 constraints.
   */
  rigidGuess(): void {
    const cs = this.constraints;
    if (cs.length < 3) return;
    const cr = [0, 0, 0];
    const ct = [0, 0, 0];
    for (const c of cs) for (let a = 0; a < 3; a++) { cr[a] += this.rest[c.index * 3 + a] / cs.length; ct[a] += c.target[a] / cs.length; }
    const S = new Array<number>(9).fill(0);
    for (const c of cs) {
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S[a * 3 + b] += (c.target[a] - ct[a]) * (this.rest[c.index * 3 + b] - cr[b]);
    }
    const R = closestRotation(S);
    for (let i = 0; i < this.graph.count; i++) {
      if (this.freeIndex[i] < 0) continue;
      const d = [0, 1, 2].map((a) => this.rest[i * 3 + a] - cr[a]);
      for (let a = 0; a < 3; a++) this.current[i * 3 + a] = R[a * 3] * d[0] + R[a * 3 + 1] * d[1] + R[a * 3 + 2] * d[2] + ct[a];
    }
  }

  private factorize(constrained: Set<number>): void {
    const m = this.graph.count;
    this.freeIndex = new Int32Array(m).fill(-1);
    let nf = 0;
    for (let i = 0; i < m; i++) if (!constrained.has(i)) this.freeIndex[i] = nf++;
    const A = new Float64Array(nf * nf);
    let trace = 0;
    this.forEachEdge((i, j, w) => {
      const fi = this.freeIndex[i];
      const fj = this.freeIndex[j];
      if (fi >= 0) { A[fi * nf + fi] += w; trace += w; }
      if (fj >= 0) { A[fj * nf + fj] += w; trace += w; }
      if (fi >= 0 && fj >= 0) { A[fi * nf + fj] -= w; A[fj * nf + fi] -= w; }
    });
    // A component with no constraint has a translation null space: a tiny proximal term
    // toward the current solution keeps the system definite without visibly biasing it.
    this.reg = 1e-9 * (trace / Math.max(nf, 1) || 1);
    for (let f = 0; f < nf; f++) A[f * nf + f] += this.reg;
    this.factor = nf > 0 ? new DenseCholesky(nf, A) : undefined;
  }

  private forEachEdge(fn: (i: number, j: number, w: number) => void): void {
    const g = this.graph;
    for (let i = 0; i < g.count; i++) for (let s = 0; s < g.k; s++) fn(i, g.nbr[i * g.k + s], g.weights[i * g.k + s]);
  }

  /** Run `iterations` local/global steps from the current solution; returns the ARAP energy. */
  solve(iterations = 10): number {
    if (!this.factor) this.setConstraints(this.constraints);
    const m = this.graph.count;
    const nf = this.factor ? this.factor.n : 0;
    for (let it = 0; it < iterations && nf > 0; it++) {
      this.rotations = arapRotations(this.graph, this.rest, this.current);
      const b = [new Float64Array(nf), new Float64Array(nf), new Float64Array(nf)];
      for (let f = 0, i = 0; i < m; i++) {
        if (this.freeIndex[i] < 0) continue;
        for (let a = 0; a < 3; a++) b[a][f] = this.reg * this.current[i * 3 + a];
        f++;
      }
      const R = this.rotations;
      const P = this.rest;
      const X = this.current;
      this.forEachEdge((i, j, w) => {
        const fi = this.freeIndex[i];
        const fj = this.freeIndex[j];
        const ex = P[i * 3] - P[j * 3];
        const ey = P[i * 3 + 1] - P[j * 3 + 1];
        const ez = P[i * 3 + 2] - P[j * 3 + 2];
        for (let a = 0; a < 3; a++) {
          // w R_i e_ij enters +row i, -row j; a constrained end moves to the right-hand side.
          const re = w * (R[i * 9 + a * 3] * ex + R[i * 9 + a * 3 + 1] * ey + R[i * 9 + a * 3 + 2] * ez);
          if (fi >= 0) { b[a][fi] += re; if (fj < 0) b[a][fi] += w * X[j * 3 + a]; }
          if (fj >= 0) { b[a][fj] -= re; if (fi < 0) b[a][fj] += w * X[i * 3 + a]; }
        }
      });
      for (let a = 0; a < 3; a++) {
        const x = this.factor!.solve(b[a]);
        for (let i = 0; i < m; i++) if (this.freeIndex[i] >= 0) this.current[i * 3 + a] = x[this.freeIndex[i]];
      }
    }
    const res = arapEnergy(this.graph, this.rest, this.current);
    this.rotations = res.rotations;
    return res.energy;
  }

  /** Control points carrying the edit: R_k from the local step, t_k = p'_k - p_k. */
  controlPoints(): ControlPoints {
    const out = cloneControlPoints(this.ctrl);
    for (let k = 0; k < this.graph.count; k++) {
      out.quats.set(matToQuat(this.rotations.subarray(k * 9, k * 9 + 9)), k * 4);
      for (let a = 0; a < 3; a++) out.trans[k * 3 + a] = this.current[k * 3 + a] - this.rest[k * 3 + a];
    }
    return out;
  }
}

/**
 * A copy of `scene` with means and rotations warped by `ctrl` (host, float64 arithmetic):
 * the static export of an edit (write it with the PLY writer), or one frame of a dynamic
 * scene. Neighbours are the K nearest control points of each rest mean unless given.
 */
export function warpScene(scene: GaussianScene, ctrl: ControlPoints<Float32Array | Float64Array>, K = 3, nbr?: Uint32Array): GaussianScene {
  const nb = nbr ?? knn(scene.means, ctrl.positions, Math.min(K, ctrl.count));
  const out = warpForwardRef({ means: scene.means, quats: scene.quats, nbr: nb, K: Math.min(K, ctrl.count), ctrl });
  return {
    count: scene.count,
    shDegree: scene.shDegree,
    means: Float32Array.from(out.means),
    logScales: scene.logScales.slice(),
    quats: Float32Array.from(out.quats),
    opacityLogits: scene.opacityLogits.slice(),
    sh: scene.sh.slice(),
  };
}
