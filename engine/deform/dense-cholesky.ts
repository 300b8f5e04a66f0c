/**
 * Dense Cholesky factorization and solves for the small SPD systems of the ARAP editing
 * solver (n ≤ ~2000 control points: O(n³/6) once per constraint set, O(n²) per solve).
 */
export class DenseCholesky {
  /** Lower-triangular factor, row-major [n, n]. */
  private readonly L: Float64Array;

  constructor(readonly n: number, A: Float64Array) {
    const L = (this.L = Float64Array.from(A));
    for (let j = 0; j < n; j++) {
      let d = L[j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
      if (!(d > 0)) throw new Error(`Cholesky: matrix not positive definite at pivot ${j} (${d})`);
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = L[i * n + j];
        const ri = i * n;
        const rj = j * n;
        for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
        L[ri + j] = s / ljj;
      }
    }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  }

  /** Solve A x = b in place (b: [n]). */
  solve(b: Float64Array): Float64Array {
    const { n, L } = this;
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * b[k];
      b[i] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
      b[i] = s / L[i * n + i];
    }
    return b;
  }
}
