/**
 * Real spherical harmonics up to degree 3 (the 3DGS basis and sign convention), float64.
 * Twin of shaders/splat/sh.wgsl. `dir` must be unit length; the gradient is with respect
 * to the unit vector's components (the caller chains through the normalisation).
 */
const C0 = 0.28209479177387814;
const C1 = 0.4886025119029199;
const C2 = [1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396];
const C3 = [
  -0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658,
  1.445305721320277, -0.5900435899266435,
];

/** Basis values Y_k(dir), k < (degree+1)^2. */
export function shBasisRef(degree: number, x: number, y: number, z: number): number[] {
  const Y = [C0];
  if (degree < 1) return Y;
  Y.push(-C1 * y, C1 * z, -C1 * x);
  if (degree < 2) return Y;
  const xx = x * x, yy = y * y, zz = z * z;
  Y.push(C2[0] * x * y, C2[1] * y * z, C2[2] * (2 * zz - xx - yy), C2[3] * x * z, C2[4] * (xx - yy));
  if (degree < 3) return Y;
  Y.push(
    C3[0] * y * (3 * xx - yy),
    C3[1] * x * y * z,
    C3[2] * y * (4 * zz - xx - yy),
    C3[3] * z * (2 * zz - 3 * xx - 3 * yy),
    C3[4] * x * (4 * zz - xx - yy),
    C3[5] * z * (xx - yy),
    C3[6] * x * (xx - 3 * yy),
  );
  return Y;
}

/** dY_k/d(x, y, z) for each basis function: [K][3]. */
export function shBasisGradRef(degree: number, x: number, y: number, z: number): number[][] {
  const G: number[][] = [[0, 0, 0]];
  if (degree < 1) return G;
  G.push([0, -C1, 0], [0, 0, C1], [-C1, 0, 0]);
  if (degree < 2) return G;
  const xx = x * x, yy = y * y, zz = z * z;
  G.push(
    [C2[0] * y, C2[0] * x, 0],
    [0, C2[1] * z, C2[1] * y],
    [-2 * C2[2] * x, -2 * C2[2] * y, 4 * C2[2] * z],
    [C2[3] * z, 0, C2[3] * x],
    [2 * C2[4] * x, -2 * C2[4] * y, 0],
  );
  if (degree < 3) return G;
  G.push(
    [C3[0] * 6 * x * y, C3[0] * (3 * xx - 3 * yy), 0],
    [C3[1] * y * z, C3[1] * x * z, C3[1] * x * y],
    [C3[2] * -2 * x * y, C3[2] * (4 * zz - xx - 3 * yy), C3[2] * 8 * y * z],
    [C3[3] * -6 * x * z, C3[3] * -6 * y * z, C3[3] * (6 * zz - 3 * xx - 3 * yy)],
    [C3[4] * (4 * zz - 3 * xx - yy), C3[4] * -2 * x * y, C3[4] * 8 * x * z],
    [C3[5] * 2 * x * z, C3[5] * -2 * y * z, C3[5] * (xx - yy)],
    [C3[6] * (3 * xx - 3 * yy), C3[6] * -6 * x * y, 0],
  );
  return G;
}
