// Control-point warp, backward. One thread per Gaussian; recomputes the forward locals
// (cheap: K rotations) instead of storing them. Gradients to the Gaussian's own inputs are
// written directly; gradients to control points are accumulated with atomic_add_f32
// (many Gaussians share a control point). CPU reference: warpBackwardRef.
//
// Buffers (group 0):
//   0 means:       [N, 3] f32   rest Gaussian means
//   1 quats:       [N, 4] f32   rest Gaussian rotations (w, x, y, z)
//   2 nbr:         [N, K] u32
//   3 ctrl:        [M, 12] f32  (layout in deform/warp_common)
//   4 v_out_means: [N, 3] f32   dL/dx'
//   5 v_out_quats: [N, 4] f32   dL/dq'
//   6 v_gaussians: [N, 7] f32   written: dL/dx (0..3), dL/dq (3..7)
//   7 v_ctrl:      [M, 12] atomic<u32> (f32 bits), accumulated: dL/dp, dL/dlog r, dL/dq_k, dL/dt
//                  (padding slot stays untouched). Zero it before the dispatch.
//   8 params:      uniform WarpParams
#include "common/dispatch"
#include "common/float_atomic"
#include "deform/warp_common"

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> quats: array<f32>;
@group(0) @binding(2) var<storage, read> nbr: array<u32>;
@group(0) @binding(3) var<storage, read> ctrl: array<f32>;
@group(0) @binding(4) var<storage, read> v_out_means: array<f32>;
@group(0) @binding(5) var<storage, read> v_out_quats: array<f32>;
@group(0) @binding(6) var<storage, read_write> v_gaussians: array<f32>;
@group(0) @binding(7) var<storage, read_write> v_ctrl: array<atomic<u32>>;
@group(0) @binding(8) var<uniform> params: WarpParams;

// VJP of quat_to_mat at unit q for G = dL/dR = vy dᵀ (outer product, G[r][c] = vy[r] d[c]).
fn quat_to_mat_vjp(q: vec4<f32>, vy: vec3<f32>, d: vec3<f32>) -> vec4<f32> {
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  let g00 = vy.x * d.x; let g01 = vy.x * d.y; let g02 = vy.x * d.z;
  let g10 = vy.y * d.x; let g11 = vy.y * d.y; let g12 = vy.y * d.z;
  let g20 = vy.z * d.x; let g21 = vy.z * d.y; let g22 = vy.z * d.z;
  return 2.0 * vec4<f32>(
    x * (g21 - g12) + y * (g02 - g20) + z * (g10 - g01),
    -2.0 * x * (g11 + g22) + y * (g10 + g01) + z * (g20 + g02) + w * (g21 - g12),
    x * (g10 + g01) - 2.0 * y * (g00 + g22) + z * (g21 + g12) + w * (g02 - g20),
    x * (g20 + g02) + y * (g21 + g12) - 2.0 * z * (g00 + g11) + w * (g10 - g01),
  );
}

fn add_ctrl3(b: u32, v: vec3<f32>) {
  atomic_add_f32(&v_ctrl[b], v.x);
  atomic_add_f32(&v_ctrl[b + 1u], v.y);
  atomic_add_f32(&v_ctrl[b + 2u], v.z);
}

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 128u);
  if (i >= params.n) { return; }
  let x = vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
  let q = vec4<f32>(quats[i * 4u], quats[i * 4u + 1u], quats[i * 4u + 2u], quats[i * 4u + 3u]);
  let v_x_out = vec3<f32>(v_out_means[i * 3u], v_out_means[i * 3u + 1u], v_out_means[i * 3u + 2u]);
  let v_q_out = vec4<f32>(v_out_quats[i * 4u], v_out_quats[i * 4u + 1u], v_out_quats[i * 4u + 2u], v_out_quats[i * 4u + 3u]);

  // Forward locals.
  var e: array<f32, NK>;
  var r2inv: array<f32, NK>;
  var s = vec4<f32>(0.0);
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    let d = x - vec3<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u]);
    r2inv[k] = exp(-2.0 * ctrl[b + 3u]);
    e[k] = -0.5 * dot(d, d) * r2inv[k];
  }
  let w = blend_weights(e);
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    s += w[k] * normalize(vec4<f32>(ctrl[b + 4u], ctrl[b + 5u], ctrl[b + 6u], ctrl[b + 7u]));
  }
  let n = normalize(s);

  // q' = n ⊗ q is bilinear: dL/dn = v ⊗ conj(q), dL/dq = conj(n) ⊗ v.
  let v_q = quat_mul(quat_conj(n), v_q_out);
  let v_s = normalize_vjp(s, quat_mul(v_q_out, quat_conj(q)));

  // dL/dw_k, then through the softmax: dL/de_k = w_k (g_k - Σ_j w_j g_j).
  var gw: array<f32, NK>;
  var wgw = 0.0;
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    let p = vec3<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u]);
    let qh = normalize(vec4<f32>(ctrl[b + 4u], ctrl[b + 5u], ctrl[b + 6u], ctrl[b + 7u]));
    let t = vec3<f32>(ctrl[b + 8u], ctrl[b + 9u], ctrl[b + 10u]);
    let y = quat_to_mat(qh) * (x - p) + p + t;
    gw[k] = dot(v_x_out, y) + dot(v_s, qh);
    wgw += w[k] * gw[k];
  }

  var v_x = vec3<f32>(0.0);
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    let p = vec3<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u]);
    let qk = vec4<f32>(ctrl[b + 4u], ctrl[b + 5u], ctrl[b + 6u], ctrl[b + 7u]);
    let qh = normalize(qk);
    let d = x - p;
    let vy = w[k] * v_x_out;
    let rt_vy = transpose(quat_to_mat(qh)) * vy;
    let ge = w[k] * (gw[k] - wgw);
    let v_rbf = ge * r2inv[k] * d; // dL/dd through the weight
    v_x += rt_vy - v_rbf;
    add_ctrl3(b, vy - rt_vy + v_rbf);
    atomic_add_f32(&v_ctrl[b + 3u], ge * dot(d, d) * r2inv[k]);
    let v_qk = normalize_vjp(qk, quat_to_mat_vjp(qh, vy, d) + w[k] * v_s);
    atomic_add_f32(&v_ctrl[b + 4u], v_qk.x);
    atomic_add_f32(&v_ctrl[b + 5u], v_qk.y);
    atomic_add_f32(&v_ctrl[b + 6u], v_qk.z);
    atomic_add_f32(&v_ctrl[b + 7u], v_qk.w);
    add_ctrl3(b + 8u, vy);
  }
  v_gaussians[i * 7u] = v_x.x;
  v_gaussians[i * 7u + 1u] = v_x.y;
  v_gaussians[i * 7u + 2u] = v_x.z;
  v_gaussians[i * 7u + 3u] = v_q.x;
  v_gaussians[i * 7u + 4u] = v_q.y;
  v_gaussians[i * 7u + 5u] = v_q.z;
  v_gaussians[i * 7u + 6u] = v_q.w;
}
