/**
 * Small dense float64 linear algebra for the pose geometry: matrices are plain
 * row-major number arrays with their sizes passed alongside. The problems here are
 * tiny (3x3, 9x9, 12x12, a few hundred rows at most for the reduced bundle
 * adjustment system), so clarity wins over blocking or SIMD.
 */

export type Vec3 = [number, number, number];
/** Row-major 3x3. */
export type Mat3 = number[];

/** C[m x n] = A[m x k] * B[k x n] */
export function matMul(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const C = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
    }
  }
  return C;
}

export function transpose(A: ArrayLike<number>, m: number, n: number): number[] {
  const T = new Array<number>(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/** A^T A for A [m x n] -> [n x n]. */
export function gram(A: ArrayLike<number>, m: number, n: number): number[] {
  const G = new Array<number>(n * n).fill(0);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      const a = A[r * n + i];
      if (a === 0) continue;
      for (let j = i; j < n; j++) G[i * n + j] += a * A[r * n + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) G[i * n + j] = G[j * n + i];
  return G;
}

/**
 * Symmetric eigen-decomposition by cyclic Jacobi rotations.
 * Returns eigenvalues ascending and eigenvectors as the COLUMNS of `vectors` [n x n].
 */
export function eigSymmetric(S: ArrayLike<number>, n: number): { values: number[]; vectors: number[] } {
  const A = Array.from(S);
  const V = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i * n + j] * A[i * n + j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((a, b) => A[a * n + a] - A[b * n + b]);
  const values = order.map((i) => A[i * n + i]);
  const vectors = new Array<number>(n * n);
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = V[r * n + order[c]];
  return { values, vectors };
}

/**
 * Thin SVD of A [m x n], m >= n, by one-sided (Hestenes) Jacobi: accurate for the
 * small singular values that null-space problems care about (no A^T A squaring).
 * Returns U [m x n], S [n] descending, V [n x n] with A = U diag(S) V^T.
 */
export function svd(A: ArrayLike<number>, m: number, n: number): { U: number[]; S: number[]; V: number[] } {
  if (m < n) {
    // Pad with zero rows: the null space of a wide matrix is what callers want.
    const P = new Array<number>(n * n).fill(0);
    for (let i = 0; i < m * n; i++) P[i] = A[i];
    const r = svd(P, n, n);
    return { U: r.U.slice(0, m * n), S: r.S, V: r.V };
  }
  const U = Array.from(A);
  const V = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const up = U[i * n + p];
          const uq = U[i * n + q];
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const up = U[i * n + p];
          const uq = U[i * n + q];
          U[i * n + p] = c * up - s * uq;
          U[i * n + q] = s * up + c * uq;
        }
        for (let i = 0; i < n; i++) {
          const vp = V[i * n + p];
          const vq = V[i * n + q];
          V[i * n + p] = c * vp - s * vq;
          V[i * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += U[i * n + j] * U[i * n + j];
    norms[j] = Math.sqrt(s);
  }
  const order = [...Array(n).keys()].sort((a, b) => norms[b] - norms[a]);
  const Uo = new Array<number>(m * n).fill(0);
  const Vo = new Array<number>(n * n);
  const S = order.map((j) => norms[j]);
  for (let c = 0; c < n; c++) {
    const j = order[c];
    const inv = norms[j] > 1e-300 ? 1 / norms[j] : 0;
    for (let i = 0; i < m; i++) Uo[i * n + c] = U[i * n + j] * inv;
    for (let i = 0; i < n; i++) Vo[i * n + c] = V[i * n + j];
  }
  return { U: Uo, S, V: Vo };
}

/** Right null vector of A [m x n]: the column of V for the smallest singular value. */
export function nullVector(A: ArrayLike<number>, m: number, n: number): number[] {
  const { V } = svd(A, m, n);
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) v[i] = V[i * n + n - 1];
  return v;
}

/**
 * Solve the symmetric positive definite system A x = b by Cholesky (A [n x n]).
 * Returns null when A is not positive definite (the caller raises damping).
 */
export function choleskySolve(A: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Solve a general square system by Gaussian elimination with partial pivoting; null if singular. */
export function luSolve(A: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] | null {
  // Typed copies and swaps without temporary arrays: the five-point solver calls this up to
  // ten times per minimal sample (a quarter of its time with boxed arrays).
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[piv * n + c])) piv = r;
    if (Math.abs(M[piv * n + c]) < 1e-300) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        const t = M[c * n + k];
        M[c * n + k] = M[piv * n + k];
        M[piv * n + k] = t;
      }
      const t = x[c];
      x[c] = x[piv];
      x[piv] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / M[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= M[r * n + k] * x[k];
    x[r] = s / M[r * n + r];
  }
  return Array.from(x);
}

/** Inverse of a 3x3 (null when singular). */
export function inv3(M: ArrayLike<number>): Mat3 | null {
  const [a, b, c, d, e, f, g, h, i] = M as number[];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-300) return null;
  const s = 1 / det;
  return [
    A * s, -(b * i - c * h) * s, (b * f - c * e) * s,
    B * s, (a * i - c * g) * s, -(a * f - c * d) * s,
    C * s, -(a * h - b * g) * s, (a * e - b * d) * s,
  ];
}

export function det3(M: ArrayLike<number>): number {
  return M[0] * (M[4] * M[8] - M[5] * M[7]) - M[1] * (M[3] * M[8] - M[5] * M[6]) + M[2] * (M[3] * M[7] - M[4] * M[6]);
}

export const mul3 = (A: ArrayLike<number>, B: ArrayLike<number>): Mat3 => matMul(A, B, 3, 3, 3);
export const tr3 = (A: ArrayLike<number>): Mat3 => transpose(A, 3, 3);

export function mulVec3(A: ArrayLike<number>, v: ArrayLike<number>): Vec3 {
  return [
    A[0] * v[0] + A[1] * v[1] + A[2] * v[2],
    A[3] * v[0] + A[4] * v[1] + A[5] * v[2],
    A[6] * v[0] + A[7] * v[1] + A[8] * v[2],
  ];
}

export function cross(a: ArrayLike<number>, b: ArrayLike<number>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export const dot3 = (a: ArrayLike<number>, b: ArrayLike<number>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const norm3 = (a: ArrayLike<number>): number => Math.hypot(a[0], a[1], a[2]);
export const sub3 = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add3 = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale3 = (a: ArrayLike<number>, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];

/** [v]_x, so that skew(a) b = a x b. */
export function skew(v: ArrayLike<number>): Mat3 {
  return [0, -v[2], v[1], v[2], 0, -v[0], -v[1], v[0], 0];
}

/** Rotation matrix from an axis-angle vector (Rodrigues). */
export function expSO3(w: ArrayLike<number>): Mat3 {
  const th = norm3(w);
  const K = skew(w);
  const K2 = mul3(K, K);
  // Taylor terms keep the small-angle case exact to float64.
  const a = th < 1e-8 ? 1 - (th * th) / 6 : Math.sin(th) / th;
  const b = th < 1e-8 ? 0.5 - (th * th) / 24 : (1 - Math.cos(th)) / (th * th);
  const R = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let i = 0; i < 9; i++) R[i] += a * K[i] + b * K2[i];
  return R;
}

/** Axis-angle vector of a rotation matrix (inverse of expSO3), stable near 0 and pi. */
export function logSO3(R: ArrayLike<number>): Vec3 {
  const c = Math.min(1, Math.max(-1, (R[0] + R[4] + R[8] - 1) / 2));
  const th = Math.acos(c);
  if (th < 1e-6) return [(R[7] - R[5]) / 2, (R[2] - R[6]) / 2, (R[3] - R[1]) / 2];
  if (Math.PI - th < 1e-4) {
    // Near pi: axis from the diagonal of (R + I)/2 = a a^T.
    const d = [R[0], R[4], R[8]];
    const k = d[0] >= d[1] && d[0] >= d[2] ? 0 : d[1] >= d[2] ? 1 : 2;
    const col = [R[k] + (k === 0 ? 1 : 0), R[3 + k] + (k === 1 ? 1 : 0), R[6 + k] + (k === 2 ? 1 : 0)];
    const n = norm3(col);
    return [(col[0] / n) * th, (col[1] / n) * th, (col[2] / n) * th];
  }
  const s = th / (2 * Math.sin(th));
  return [(R[7] - R[5]) * s, (R[2] - R[6]) * s, (R[3] - R[1]) * s];
}

/** Angle in degrees of the relative rotation Ra^T Rb. */
export function rotationAngleDeg(Ra: ArrayLike<number>, Rb: ArrayLike<number>): number {
  const M = mul3(tr3(Ra), Rb);
  const c = Math.min(1, Math.max(-1, (M[0] + M[4] + M[8] - 1) / 2));
  return (Math.acos(c) * 180) / Math.PI;
}

/** Nearest rotation (Frobenius) to a 3x3 matrix, via SVD with det fixed to +1. */
export function nearestRotation(M: ArrayLike<number>): Mat3 {
  const { U, V } = svd(M, 3, 3);
  let R = mul3(U, tr3(V));
  if (det3(R) < 0) {
    const U2 = U.slice();
    for (let i = 0; i < 3; i++) U2[i * 3 + 2] = -U2[i * 3 + 2];
    R = mul3(U2, tr3(V));
  }
  return R;
}

