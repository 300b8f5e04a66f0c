/**
 * Eigenvalues of a general (non-symmetric) real matrix, for the five-point solver's
 * 10x10 action matrix: Hessenberg reduction + Francis double-shift QR.
 */
/**
 * Eigenvalues of a general real square matrix [n x n]: reduction to upper Hessenberg
 * form by stabilized elimination, then the Francis double-shift QR iteration (the
 * classic EISPACK hqr). Returns real parts and imaginary parts; null when the
 * iteration does not converge.
 */
export function eigenvaluesGeneral(M: ArrayLike<number>, n: number): { re: number[]; im: number[] } | null {
  const a: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => M[i * n + j]));
  // Hessenberg reduction (elimination with pivoting), a similarity transform.
  for (let m = 1; m < n - 1; m++) {
    let x = 0;
    let piv = m;
    for (let j = m; j < n; j++) if (Math.abs(a[j][m - 1]) > Math.abs(x)) {
      x = a[j][m - 1];
      piv = j;
    }
    if (piv !== m) {
      for (let j = m - 1; j < n; j++) [a[piv][j], a[m][j]] = [a[m][j], a[piv][j]];
      for (let j = 0; j < n; j++) [a[j][piv], a[j][m]] = [a[j][m], a[j][piv]];
    }
    if (x !== 0) {
      for (let i = m + 1; i < n; i++) {
        let y = a[i][m - 1];
        if (y === 0) continue;
        y /= x;
        a[i][m - 1] = 0;
        for (let j = m; j < n; j++) a[i][j] -= y * a[m][j];
        for (let j = 0; j < n; j++) a[j][m] += y * a[j][i];
      }
    }
  }
  const re = new Array<number>(n).fill(0);
  const im = new Array<number>(n).fill(0);
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i][j]);
  const EPS = Number.EPSILON;
  const sign = (v: number, s: number) => (s >= 0 ? Math.abs(v) : -Math.abs(v));
  let nn = n - 1;
  let t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 0) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l > 0; l--) {
        s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l][l - 1]) <= EPS * s) {
          a[l][l - 1] = 0;
          break;
        }
      }
      x = a[nn][nn];
      if (l === nn) {
        re[nn] = x + t;
        im[nn] = 0;
        nn--;
      } else {
        y = a[nn - 1][nn - 1];
        w = a[nn][nn - 1] * a[nn - 1][nn];
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            re[nn - 1] = re[nn] = x + z;
            if (z !== 0) re[nn] = x - w / z;
            im[nn - 1] = im[nn] = 0;
          } else {
            re[nn - 1] = re[nn] = x + p;
            im[nn - 1] = z;
            im[nn] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) return null;
          if (its === 10 || its === 20) {
            // Exceptional shift.
            t += x;
            for (let i = 0; i <= nn; i++) a[i][i] -= x;
            s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          its++;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m][m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
            q = a[m + 1][m + 1] - z - r - s;
            r = a[m + 2][m + 1];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
            if (u <= EPS * v) break;
          }
          for (let i = m; i < nn - 1; i++) {
            a[i + 2][i] = 0;
            if (i !== m) a[i + 2][i - 1] = 0;
          }
          for (let k = m; k < nn; k++) {
            if (k !== m) {
              p = a[k][k - 1];
              q = a[k + 1][k - 1];
              r = 0;
              if (k + 1 !== nn) r = a[k + 2][k - 1];
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = sign(Math.sqrt(p * p + q * q + r * r), p);
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[k][k - 1] = -a[k][k - 1];
              } else a[k][k - 1] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k][j] + q * a[k + 1][j];
                if (k + 1 !== nn) {
                  p += r * a[k + 2][j];
                  a[k + 2][j] -= p * z;
                }
                a[k + 1][j] -= p * y;
                a[k][j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i][k] + y * a[i][k + 1];
                if (k + 1 !== nn) {
                  p += z * a[i][k + 2];
                  a[i][k + 2] -= p * r;
                }
                a[i][k + 1] -= p * q;
                a[i][k] -= p;
              }
            }
          }
        }
      }
    } while (l + 1 < nn);
  }
  return { re, im };
}
