// Real spherical harmonics up to degree 3 (3DGS basis and signs); twin of
// engine/splat/reference/sh-ref.ts. `d` is a unit view direction.
const SH_C0: f32 = 0.28209479177387814;
const SH_C1: f32 = 0.4886025119029199;
const SH_C2_0: f32 = 1.0925484305920792;
const SH_C2_1: f32 = -1.0925484305920792;
const SH_C2_2: f32 = 0.31539156525252005;
const SH_C2_3: f32 = -1.0925484305920792;
const SH_C2_4: f32 = 0.5462742152960396;
const SH_C3_0: f32 = -0.5900435899266435;
const SH_C3_1: f32 = 2.890611442640554;
const SH_C3_2: f32 = -0.4570457994644658;
const SH_C3_3: f32 = 0.3731763325901154;
const SH_C3_4: f32 = -0.4570457994644658;
const SH_C3_5: f32 = 1.445305721320277;
const SH_C3_6: f32 = -0.5900435899266435;

// Basis values Y_k(d) for k < (degree + 1)^2; the rest are 0.
fn sh_basis(degree: u32, d: vec3<f32>) -> array<f32, 16> {
  var y: array<f32, 16>;
  y[0] = SH_C0;
  if (degree < 1u) { return y; }
  let x = d.x; let yy_ = d.y; let z = d.z;
  y[1] = -SH_C1 * yy_; y[2] = SH_C1 * z; y[3] = -SH_C1 * x;
  if (degree < 2u) { return y; }
  let xx = x * x; let yy = yy_ * yy_; let zz = z * z;
  y[4] = SH_C2_0 * x * yy_;
  y[5] = SH_C2_1 * yy_ * z;
  y[6] = SH_C2_2 * (2.0 * zz - xx - yy);
  y[7] = SH_C2_3 * x * z;
  y[8] = SH_C2_4 * (xx - yy);
  if (degree < 3u) { return y; }
  y[9] = SH_C3_0 * yy_ * (3.0 * xx - yy);
  y[10] = SH_C3_1 * x * yy_ * z;
  y[11] = SH_C3_2 * yy_ * (4.0 * zz - xx - yy);
  y[12] = SH_C3_3 * z * (2.0 * zz - 3.0 * xx - 3.0 * yy);
  y[13] = SH_C3_4 * x * (4.0 * zz - xx - yy);
  y[14] = SH_C3_5 * z * (xx - yy);
  y[15] = SH_C3_6 * x * (xx - 3.0 * yy);
  return y;
}

// sum_k w[k] * grad Y_k(d) with respect to the unit vector's components.
fn sh_basis_grad_dot(degree: u32, d: vec3<f32>, w: array<f32, 16>) -> vec3<f32> {
  var g = vec3<f32>(0.0);
  if (degree < 1u) { return g; }
  let x = d.x; let y = d.y; let z = d.z;
  g += vec3<f32>(0.0, -SH_C1, 0.0) * w[1] + vec3<f32>(0.0, 0.0, SH_C1) * w[2] + vec3<f32>(-SH_C1, 0.0, 0.0) * w[3];
  if (degree < 2u) { return g; }
  let xx = x * x; let yy = y * y; let zz = z * z;
  g += SH_C2_0 * vec3<f32>(y, x, 0.0) * w[4];
  g += SH_C2_1 * vec3<f32>(0.0, z, y) * w[5];
  g += SH_C2_2 * vec3<f32>(-2.0 * x, -2.0 * y, 4.0 * z) * w[6];
  g += SH_C2_3 * vec3<f32>(z, 0.0, x) * w[7];
  g += SH_C2_4 * vec3<f32>(2.0 * x, -2.0 * y, 0.0) * w[8];
  if (degree < 3u) { return g; }
  g += SH_C3_0 * vec3<f32>(6.0 * x * y, 3.0 * xx - 3.0 * yy, 0.0) * w[9];
  g += SH_C3_1 * vec3<f32>(y * z, x * z, x * y) * w[10];
  g += SH_C3_2 * vec3<f32>(-2.0 * x * y, 4.0 * zz - xx - 3.0 * yy, 8.0 * y * z) * w[11];
  g += SH_C3_3 * vec3<f32>(-6.0 * x * z, -6.0 * y * z, 6.0 * zz - 3.0 * xx - 3.0 * yy) * w[12];
  g += SH_C3_4 * vec3<f32>(4.0 * zz - 3.0 * xx - yy, -2.0 * x * y, 8.0 * x * z) * w[13];
  g += SH_C3_5 * vec3<f32>(2.0 * x * z, -2.0 * y * z, xx - yy) * w[14];
  g += SH_C3_6 * vec3<f32>(3.0 * xx - 3.0 * yy, -6.0 * x * y, 0.0) * w[15];
  return g;
}
