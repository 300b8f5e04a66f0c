/**
 * The control-point warp of engine/deform/warp-ref.ts specialised for interactive editing:
 * an edit never moves the rest control points or their radii, so each Gaussian's
 * neighbours nbr [N, K] and normalized blend weights w [N, K] are fixed for the session
 * and computed once. A drag update then costs, per Gaussian, K 3x3 mat-vecs and one
 * quaternion product (tight float32/float64 loops, no allocation):
 *   x' = Σ_k w_k (R_k x + o_k),   o_k = p_k + t_k - R_k p_k
 *   q' = normalize(Σ_k w_k q̂_k) ⊗ q
 * which is warpForwardRef term for term (test/edit/blend-warp.test.ts checks it against it).
 */
import { blendWeightsRef } from '../../engine/deform/warp-ref.js';
import { knn, type ControlPoints } from '../../engine/deform/control-points.js';
import { quatToMat } from '../../engine/deform/quat.js';

export class BlendWarp {
  readonly n: number;
  readonly K: number;
  readonly nbr: Uint32Array; // [N, K]
  readonly weights: Float32Array; // [N, K], rows sum to 1
  private readonly affine: Float64Array; // [M, 12]: R_k row-major (9), o_k (3)
  private readonly unitQuats: Float64Array; // [M, 4] q̂_k

  /** `means` [N, 3] are the rest means; `rest` the control points at rest (identity transforms). */
  constructor(means: Float32Array, rest: ControlPoints, K = 3) {
    this.n = means.length / 3;
    this.K = Math.min(K, rest.count);
    this.nbr = knn(means, rest.positions, this.K);
    this.weights = Float32Array.from(blendWeightsRef(means, this.nbr, this.K, rest));
    this.affine = new Float64Array(rest.count * 12);
    this.unitQuats = new Float64Array(rest.count * 4);
  }

  /**
   * Warp rest `means` [N, 3] / `quats` [N, 4] by the transforms of `ctrl` (same control points
   * as the constructor's, edited quats/trans) into `outMeans` / `outQuats`.
   */
  apply(ctrl: ControlPoints<Float32Array | Float64Array>, means: Float32Array, quats: Float32Array, outMeans: Float32Array, outQuats: Float32Array): void {
    const A = this.affine;
    const Q = this.unitQuats;
    const R = new Float64Array(9);
    for (let c = 0; c < ctrl.count; c++) {
      let w = ctrl.quats[c * 4], x = ctrl.quats[c * 4 + 1], y = ctrl.quats[c * 4 + 2], z = ctrl.quats[c * 4 + 3];
      const norm = Math.hypot(w, x, y, z);
      w /= norm; x /= norm; y /= norm; z /= norm;
      Q[c * 4] = w; Q[c * 4 + 1] = x; Q[c * 4 + 2] = y; Q[c * 4 + 3] = z;
      quatToMat(w, x, y, z, R);
      const b = c * 12;
      for (let r = 0; r < 3; r++) {
        A[b + r * 3] = R[r * 3]; A[b + r * 3 + 1] = R[r * 3 + 1]; A[b + r * 3 + 2] = R[r * 3 + 2];
        const p = ctrl.positions;
        A[b + 9 + r] = p[c * 3 + r] + ctrl.trans[c * 3 + r] - (R[r * 3] * p[c * 3] + R[r * 3 + 1] * p[c * 3 + 1] + R[r * 3 + 2] * p[c * 3 + 2]);
      }
    }
    const K = this.K;
    const W = this.weights;
    const nbr = this.nbr;
    for (let i = 0; i < this.n; i++) {
      const mx = means[i * 3], my = means[i * 3 + 1], mz = means[i * 3 + 2];
      let ox = 0, oy = 0, oz = 0, sw = 0, sx = 0, sy = 0, sz = 0;
      for (let k = 0; k < K; k++) {
        const wk = W[i * K + k];
        const c = nbr[i * K + k];
        const b = c * 12;
        ox += wk * (A[b] * mx + A[b + 1] * my + A[b + 2] * mz + A[b + 9]);
        oy += wk * (A[b + 3] * mx + A[b + 4] * my + A[b + 5] * mz + A[b + 10]);
        oz += wk * (A[b + 6] * mx + A[b + 7] * my + A[b + 8] * mz + A[b + 11]);
        sw += wk * Q[c * 4]; sx += wk * Q[c * 4 + 1]; sy += wk * Q[c * 4 + 2]; sz += wk * Q[c * 4 + 3];
      }
      outMeans[i * 3] = ox; outMeans[i * 3 + 1] = oy; outMeans[i * 3 + 2] = oz;
      const inv = 1 / Math.sqrt(sw * sw + sx * sx + sy * sy + sz * sz); // (Math.hypot is several times slower in V8)
      sw *= inv; sx *= inv; sy *= inv; sz *= inv;
      // Hamilton product n ⊗ q, (w, x, y, z) order as quatMul.
      const qw = quats[i * 4], qx = quats[i * 4 + 1], qy = quats[i * 4 + 2], qz = quats[i * 4 + 3];
      outQuats[i * 4] = sw * qw - sx * qx - sy * qy - sz * qz;
      outQuats[i * 4 + 1] = sw * qx + sx * qw + sy * qz - sz * qy;
      outQuats[i * 4 + 2] = sw * qy - sx * qz + sy * qw + sz * qx;
      outQuats[i * 4 + 3] = sw * qz + sx * qy - sy * qx + sz * qw;
    }
  }
}
