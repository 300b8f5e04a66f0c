/**
 * Quaternion and 3x3 helpers for the deformation code (float64 on the host).
 * Quaternions are (w, x, y, z) like GaussianScene.quats; matrices are row-major 9.
 */

/** Rotation matrix of the unit quaternion (w, x, y, z); the caller normalizes. */
export function quatToMat(w: number, x: number, y: number, z: number, out: Float64Array | number[] = new Float64Array(9)): Float64Array | number[] {
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - w * z);
  out[2] = 2 * (x * z + w * y);
  out[3] = 2 * (x * y + w * z);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - w * x);
  out[6] = 2 * (x * z - w * y);
  out[7] = 2 * (y * z + w * x);
  out[8] = 1 - 2 * (x * x + y * y);
  return out;
}

/**
 * Vector-Jacobian product of quatToMat: given G = dL/dR (row-major 9) at the unit
 * quaternion (w, x, y, z), returns dL/d(w, x, y, z) treating q as free (no normalization).
 */
export function quatToMatVjp(w: number, x: number, y: number, z: number, G: ArrayLike<number>): [number, number, number, number] {
  const [g00, g01, g02, g10, g11, g12, g20, g21, g22] = [G[0], G[1], G[2], G[3], G[4], G[5], G[6], G[7], G[8]];
  return [
    2 * (x * (g21 - g12) + y * (g02 - g20) + z * (g10 - g01)),
    2 * (-2 * x * (g11 + g22) + y * (g10 + g01) + z * (g20 + g02) + w * (g21 - g12)),
    2 * (x * (g10 + g01) - 2 * y * (g00 + g22) + z * (g21 + g12) + w * (g02 - g20)),
    2 * (x * (g20 + g02) + y * (g21 + g12) - 2 * z * (g00 + g11) + w * (g10 - g01)),
  ];
}

/** Hamilton product a ⊗ b of (w, x, y, z) quaternions. */
export function quatMul(a: ArrayLike<number>, b: ArrayLike<number>): [number, number, number, number] {
  const [aw, ax, ay, az] = [a[0], a[1], a[2], a[3]];
  const [bw, bx, by, bz] = [b[0], b[1], b[2], b[3]];
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

/**
 * VJP of c = a ⊗ b: given vc = dL/dc, returns [dL/da, dL/db].
 * c is bilinear, so dL/da = M_R(b)^T vc and dL/db = M_L(a)^T vc, which equal
 * vc ⊗ conj(b) and conj(a) ⊗ vc.
 */
export function quatMulVjp(a: ArrayLike<number>, b: ArrayLike<number>, vc: ArrayLike<number>): [number[], number[]] {
  const conjA = [a[0], -a[1], -a[2], -a[3]];
  const conjB = [b[0], -b[1], -b[2], -b[3]];
  return [quatMul(vc, conjB), quatMul(conjA, vc)];
}

export function quatNormalize(q: ArrayLike<number>): [number, number, number, number] {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** VJP of q̂ = q / |q|: dL/dq = (g - q̂ (q̂·g)) / |q|. */
export function quatNormalizeVjp(q: ArrayLike<number>, g: ArrayLike<number>): [number, number, number, number] {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  const h = [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
  const d = h[0] * g[0] + h[1] * g[1] + h[2] * g[2] + h[3] * g[3];
  return [(g[0] - h[0] * d) / n, (g[1] - h[1] * d) / n, (g[2] - h[2] * d) / n, (g[3] - h[3] * d) / n];
}

/** Unit quaternion of an axis-angle rotation (axis need not be unit). */
export function quatFromAxisAngle(axis: ArrayLike<number>, angle: number): [number, number, number, number] {
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  const s = Math.sin(angle / 2) / n;
  return [Math.cos(angle / 2), axis[0] * s, axis[1] * s, axis[2] * s];
}

/** Unit quaternion (w ≥ 0) of a proper rotation matrix (Shepperd's method, stable for all angles). */
export function matToQuat(R: ArrayLike<number>): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = [R[0], R[1], R[2], R[3], R[4], R[5], R[6], R[7], R[8]];
  const tr = m00 + m11 + m22;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = 2 * Math.sqrt(1 + tr);
    q = [s / 4, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    q = [(m21 - m12) / s, s / 4, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    q = [(m02 - m20) / s, (m01 + m10) / s, s / 4, (m12 + m21) / s];
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, s / 4];
  }
  if (q[0] < 0) q = [-q[0], -q[1], -q[2], -q[3]];
  return quatNormalize(q);
}

/** Angle (radians) of the relative rotation between two quaternions, sign-invariant. */
export function quatAngleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const qa = quatNormalize(a);
  const qb = quatNormalize(b);
  const d = Math.abs(qa[0] * qb[0] + qa[1] * qb[1] + qa[2] * qb[2] + qa[3] * qb[3]);
  return 2 * Math.acos(Math.min(1, d));
}

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations.
 * Returns eigenvalues (descending) and eigenvectors as the columns of V (row-major).
 */
export function symmetricEigen3(A: ArrayLike<number>): { values: number[]; V: number[] } {
  const a = new Float64Array(9);
  for (let i = 0; i < 9; i++) a[i] = A[i];
  const V = new Float64Array(9);
  jacobi3(a, V);
  const order = [0, 1, 2].sort((i, j) => a[j * 4] - a[i * 4]);
  const Vs = new Array<number>(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) Vs[r * 3 + c] = V[r * 3 + order[c]];
  return { values: order.map((i) => a[i * 4]), V: Vs };
}

/** In-place cyclic Jacobi: a becomes diagonal (eigenvalues), V the eigenvectors (columns). */
function jacobi3(a: Float64Array, V: Float64Array): void {
  V.fill(0);
  V[0] = V[4] = V[8] = 1;
  const scale = a[0] * a[0] + a[4] * a[4] + a[8] * a[8] + 1e-300;
  for (let sweep = 0; sweep < 30; sweep++) {
    if (a[1] * a[1] + a[2] * a[2] + a[5] * a[5] < 1e-30 * scale) break;
    for (let pair = 0; pair < 3; pair++) {
      const p = pair === 2 ? 1 : 0;
      const q = pair === 0 ? 1 : 2;
      const apq = a[p * 3 + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[q * 4] - a[p * 4]) / (2 * apq);
      const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      // a <- Jᵀ a J with the Givens rotation J in the (p, q) plane; V <- V J.
      for (let k = 0; k < 3; k++) {
        const akp = a[k * 3 + p];
        const akq = a[k * 3 + q];
        a[k * 3 + p] = c * akp - s * akq;
        a[k * 3 + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p * 3 + k];
        const aqk = a[q * 3 + k];
        a[p * 3 + k] = c * apk - s * aqk;
        a[q * 3 + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = V[k * 3 + p];
        const vkq = V[k * 3 + q];
        V[k * 3 + p] = c * vkp - s * vkq;
        V[k * 3 + q] = s * vkp + c * vkq;
      }
    }
  }
}

// Scratch for closestRotation (called M times per ARAP iteration; no allocation in the loop).
const scratchA = new Float64Array(9);
const scratchV = new Float64Array(9);

/**
 * Closest rotation to M (row-major 3x3) in the Frobenius norm: the rotation part of the
 * polar decomposition, via the SVD M = U Σ Vᵀ built from the eigenvectors of MᵀM;
 * R = U diag(1, 1, det(U Vᵀ)) Vᵀ so reflections are never returned (Kabsch).
 * Robust to rank-deficient M (coplanar or collinear neighbourhoods): missing singular
 * directions are completed by cross products. Writes into `out` (row-major 9) if given.
 */
export function closestRotation(M: ArrayLike<number>, out: number[] | Float64Array = new Array<number>(9)): number[] | Float64Array {
  const a = scratchA;
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j++) {
      const v = M[i] * M[j] + M[3 + i] * M[3 + j] + M[6 + i] * M[6 + j];
      a[i * 3 + j] = v;
      a[j * 3 + i] = v;
    }
  }
  const V = scratchV;
  jacobi3(a, V);
  // Indices of eigenvalues in descending order.
  const e0 = a[0], e1 = a[4], e2 = a[8];
  let i0 = 0, i1 = 1, i2 = 2;
  if (e0 < e1) { i0 = 1; i1 = 0; }
  if ((i1 === 0 ? e0 : e1) < e2) { i2 = i1; i1 = 2; }
  if ((i0 === 0 ? e0 : e1) < a[i1 * 4]) { const tmp = i0; i0 = i1; i1 = tmp; }
  const lam0 = a[i0 * 4];
  const lam1 = a[i1 * 4];
  // v0, v1: right singular vectors of the two largest singular values.
  const v0x = V[i0], v0y = V[3 + i0], v0z = V[6 + i0];
  let v1x = V[i1], v1y = V[3 + i1], v1z = V[6 + i1];
  void i2;
  // u0 = M v0 / |M v0|
  let u0x = M[0] * v0x + M[1] * v0y + M[2] * v0z;
  let u0y = M[3] * v0x + M[4] * v0y + M[5] * v0z;
  let u0z = M[6] * v0x + M[7] * v0y + M[8] * v0z;
  const n0 = Math.hypot(u0x, u0y, u0z);
  if (!(lam0 > 0) || !(n0 > 0)) {
    // M ≈ 0: no information, identity.
    out[0] = 1; out[1] = 0; out[2] = 0; out[3] = 0; out[4] = 1; out[5] = 0; out[6] = 0; out[7] = 0; out[8] = 1;
    return out;
  }
  u0x /= n0; u0y /= n0; u0z /= n0;
  let u1x = M[0] * v1x + M[1] * v1y + M[2] * v1z;
  let u1y = M[3] * v1x + M[4] * v1y + M[5] * v1z;
  let u1z = M[6] * v1x + M[7] * v1y + M[8] * v1z;
  if (!(lam1 > 1e-12 * lam0)) {
    // Rank 1 (collinear neighbourhood): any unit vector orthogonal to u0 (and to v0 for v1).
    [u1x, u1y, u1z] = anyOrthogonal([u0x, u0y, u0z]);
    [v1x, v1y, v1z] = anyOrthogonal([v0x, v0y, v0z]);
  }
  // Gram-Schmidt u1 against u0 for numerical safety.
  const d01 = u0x * u1x + u0y * u1y + u0z * u1z;
  u1x -= d01 * u0x; u1y -= d01 * u0y; u1z -= d01 * u0z;
  const n1 = Math.hypot(u1x, u1y, u1z);
  u1x /= n1; u1y /= n1; u1z /= n1;
  // Third directions by cross products: both frames proper, so R = Σ u_c v_cᵀ is a rotation;
  // when det(M) < 0 this is exactly the diag(1, 1, -1) correction of the Kabsch algorithm.
  const u2x = u0y * u1z - u0z * u1y, u2y = u0z * u1x - u0x * u1z, u2z = u0x * u1y - u0y * u1x;
  const v2x = v0y * v1z - v0z * v1y, v2y = v0z * v1x - v0x * v1z, v2z = v0x * v1y - v0y * v1x;
  out[0] = u0x * v0x + u1x * v1x + u2x * v2x;
  out[1] = u0x * v0y + u1x * v1y + u2x * v2y;
  out[2] = u0x * v0z + u1x * v1z + u2x * v2z;
  out[3] = u0y * v0x + u1y * v1x + u2y * v2x;
  out[4] = u0y * v0y + u1y * v1y + u2y * v2y;
  out[5] = u0y * v0z + u1y * v1z + u2y * v2z;
  out[6] = u0z * v0x + u1z * v1x + u2z * v2x;
  out[7] = u0z * v0y + u1z * v1y + u2z * v2y;
  out[8] = u0z * v0z + u1z * v1z + u2z * v2z;
  return out;
}

function anyOrthogonal(a: number[]): [number, number, number] {
  const t = Math.abs(a[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const c = [a[1] * t[2] - a[2] * t[1], a[2] * t[0] - a[0] * t[2], a[0] * t[1] - a[1] * t[0]];
  const n = Math.hypot(c[0], c[1], c[2]);
  return [c[0] / n, c[1] / n, c[2] / n];
}
