/**
 * Mean squared distance to the 3 nearest neighbours of every point (3DGS's initial
 * scale), with a uniform grid: cells hold ~2 points on average, each query searches
 * growing shells of cells until the shell is farther than its 3rd-best distance.
 */
export function meanSqDistKnn3(xyz: Float32Array): Float32Array {
  const n = xyz.length / 3;
  const out = new Float32Array(n);
  if (n < 2) return out.fill(1e-4);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) {
    lo[a] = Math.min(lo[a], xyz[i * 3 + a]);
    hi[a] = Math.max(hi[a], xyz[i * 3 + a]);
  }
  const size = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9);
  const res = Math.max(1, Math.min(256, Math.round(Math.cbrt(n / 2))));
  const cell = size / res;
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.ceil((hi[a] - lo[a]) / cell) + 1));
  const cellOf = (i: number, a: number) => Math.min(dims[a] - 1, Math.floor((xyz[i * 3 + a] - lo[a]) / cell));
  // Counting sort of points by cell.
  const ncell = dims[0] * dims[1] * dims[2];
  const start = new Uint32Array(ncell + 1);
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    key[i] = (cellOf(i, 2) * dims[1] + cellOf(i, 1)) * dims[0] + cellOf(i, 0);
    start[key[i] + 1]++;
  }
  for (let c = 0; c < ncell; c++) start[c + 1] += start[c];
  const fill = start.slice(0, ncell);
  const sorted = new Uint32Array(n);
  for (let i = 0; i < n; i++) sorted[fill[key[i]]++] = i;

  const best = [Infinity, Infinity, Infinity];
  for (let i = 0; i < n; i++) {
    best[0] = best[1] = best[2] = Infinity;
    const c = [cellOf(i, 0), cellOf(i, 1), cellOf(i, 2)];
    const maxShell = Math.max(...dims);
    for (let r = 0; r <= maxShell; r++) {
      // Points in shell r are at least (r - 1) cells away.
      if (r > 1 && ((r - 1) * cell) ** 2 > best[2]) break;
      for (let z = c[2] - r; z <= c[2] + r; z++) {
        if (z < 0 || z >= dims[2]) continue;
        for (let y = c[1] - r; y <= c[1] + r; y++) {
          if (y < 0 || y >= dims[1]) continue;
          for (let x = c[0] - r; x <= c[0] + r; x++) {
            if (x < 0 || x >= dims[0]) continue;
            if (Math.max(Math.abs(x - c[0]), Math.abs(y - c[1]), Math.abs(z - c[2])) !== r) continue;
            const k = (z * dims[1] + y) * dims[0] + x;
            for (let s = start[k]; s < start[k + 1]; s++) {
              const j = sorted[s];
              if (j === i) continue;
              const dx = xyz[j * 3] - xyz[i * 3], dy = xyz[j * 3 + 1] - xyz[i * 3 + 1], dz = xyz[j * 3 + 2] - xyz[i * 3 + 2];
              const d = dx * dx + dy * dy + dz * dz;
              if (d < best[2]) {
                if (d < best[1]) {
                  best[2] = best[1];
                  if (d < best[0]) { best[1] = best[0]; best[0] = d; } else best[1] = d;
                } else best[2] = d;
              }
            }
          }
        }
      }
    }
    const found = best.filter(Number.isFinite);
    out[i] = found.length ? found.reduce((a, b) => a + b, 0) / found.length : 1e-4;
  }
  return out;
}
