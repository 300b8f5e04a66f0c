// Shared by warp_forward / warp_backward: control-point layout, quaternion helpers and the
// per-Gaussian blend weights. CPU reference: engine/deform/warp-ref.ts.
//
// ctrl: [M, 12] f32 per control point k:
//   [0..3)  p_k   rest position
//   [3]     log r_k   RBF radius (w ∝ exp(-|x - p_k|² / (2 r_k²)))
//   [4..8)  q_k   rotation (w, x, y, z), normalized here
//   [8..11) t_k   translation
//   [11]    padding
// Gradients to control points use the same layout.

#define K_NEIGHBOURS 3
const NK: u32 = K_NEIGHBOURS;
const CTRL_STRIDE: u32 = 12u;

struct WarpParams {
  n: u32, // Gaussians
  m: u32, // control points
  pad0: u32,
  pad1: u32,
}

// Rotation matrix of a unit quaternion (w, x, y, z); WGSL matrices are column-major.
fn quat_to_mat(q: vec4<f32>) -> mat3x3<f32> {
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  return mat3x3<f32>(
    vec3<f32>(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y)),
    vec3<f32>(2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x)),
    vec3<f32>(2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y)),
  );
}

// Hamilton product a ⊗ b, (w, x, y, z) stored in (x, y, z, w) of the vec4.
fn quat_mul(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(
    a.x * b.x - a.y * b.y - a.z * b.z - a.w * b.w,
    a.x * b.y + a.y * b.x + a.z * b.w - a.w * b.z,
    a.x * b.z - a.y * b.w + a.z * b.x + a.w * b.y,
    a.x * b.w + a.y * b.z - a.z * b.y + a.w * b.x,
  );
}

fn quat_conj(q: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(q.x, -q.y, -q.z, -q.w);
}

// VJP of normalize(v): (g - v̂ (v̂·g)) / |v|.
fn normalize_vjp(v: vec4<f32>, g: vec4<f32>) -> vec4<f32> {
  let len = length(v);
  let h = v / len;
  return (g - h * dot(h, g)) / len;
}

// Normalized RBF weights of one Gaussian as a max-shifted softmax of
// e_k = -|x - p_k|² / (2 r_k²): finite even when every RBF underflows.
fn blend_weights(e: array<f32, NK>) -> array<f32, NK> {
  var emax = e[0];
  for (var k = 1u; k < NK; k++) { emax = max(emax, e[k]); }
  var w: array<f32, NK>;
  var sum = 0.0;
  for (var k = 0u; k < NK; k++) { w[k] = exp(e[k] - emax); sum += w[k]; }
  for (var k = 0u; k < NK; k++) { w[k] = w[k] / sum; }
  return w;
}
