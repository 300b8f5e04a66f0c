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
  // Row-major and typed (no nested arrays, no temporary arrays in swaps): it runs once per
  // five-point sample, 200+ times per image pair.
  const a = Float64Array.from(M);
  // Hessenberg reduction (elimination with pivoting), a similarity transform.
  for (let m = 1; m < n - 1; m++) {
    let x = 0;
    let piv = m;
    for (let j = m; j < n; j++) if (Math.abs(a[j * n + m - 1]) > Math.abs(x)) {
      x = a[j * n + m - 1];
      piv = j;
    }
    if (piv !== m) {
      for (let j = m - 1; j < n; j++) {
        const tmp = a[piv * n + j];
        a[piv * n + j] = a[m * n + j];
        a[m * n + j] = tmp;
      }
      for (let j = 0; j < n; j++) {
        const tmp = a[j * n + piv];
        a[j * n + piv] = a[j * n + m];
        a[j * n + m] = tmp;
      }
    }
    if (x !== 0) {
      for (let i = m + 1; i < n; i++) {
        let y = a[i * n + m - 1];
        if (y === 0) continue;
        y /= x;
        a[i * n + m - 1] = 0;
        for (let j = m; j < n; j++) a[i * n + j] -= y * a[m * n + j];
        for (let j = 0; j < n; j++) a[j * n + m] += y * a[j * n + i];
      }
    }
  }
  const re = new Array<number>(n).fill(0);
  const im = new Array<number>(n).fill(0);
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i * n + j]);
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
        s = Math.abs(a[(l - 1) * n + l - 1]) + Math.abs(a[l * n + l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l * n + l - 1]) <= EPS * s) {
          a[l * n + l - 1] = 0;
          break;
        }
      }
      x = a[nn * n + nn];
      if (l === nn) {
        re[nn] = x + t;
        im[nn] = 0;
        nn--;
      } else {
        y = a[(nn - 1) * n + nn - 1];
        w = a[nn * n + nn - 1] * a[(nn - 1) * n + nn];
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
            for (let i = 0; i <= nn; i++) a[i * n + i] -= x;
            s = Math.abs(a[nn * n + nn - 1]) + Math.abs(a[(nn - 1) * n + nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          its++;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m * n + m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[(m + 1) * n + m] + a[m * n + m + 1];
            q = a[(m + 1) * n + m + 1] - z - r - s;
            r = a[(m + 2) * n + m + 1];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m * n + m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[(m - 1) * n + m - 1]) + Math.abs(z) + Math.abs(a[(m + 1) * n + m + 1]));
            if (u <= EPS * v) break;
          }
          for (let i = m; i < nn - 1; i++) {
            a[(i + 2) * n + i] = 0;
            if (i !== m) a[(i + 2) * n + i - 1] = 0;
          }
          for (let k = m; k < nn; k++) {
            if (k !== m) {
              p = a[k * n + k - 1];
              q = a[(k + 1) * n + k - 1];
              r = 0;
              if (k + 1 !== nn) r = a[(k + 2) * n + k - 1];
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
                if (l !== m) a[k * n + k - 1] = -a[k * n + k - 1];
              } else a[k * n + k - 1] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k * n + j] + q * a[(k + 1) * n + j];
                if (k + 1 !== nn) {
                  p += r * a[(k + 2) * n + j];
                  a[(k + 2) * n + j] -= p * z;
                }
                a[(k + 1) * n + j] -= p * y;
                a[k * n + j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i * n + k] + y * a[i * n + k + 1];
                if (k + 1 !== nn) {
                  p += z * a[i * n + k + 2];
                  a[i * n + k + 2] -= p * r;
                }
                a[i * n + k + 1] -= p * q;
                a[i * n + k] -= p;
              }
            }
          }
        }
      }
    } while (l + 1 < nn);
  }
  return { re, im };
}
