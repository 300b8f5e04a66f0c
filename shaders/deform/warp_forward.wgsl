// Control-point warp, forward (SC-GS linear blend skinning). One thread per Gaussian.
//   x' = Σ_k w_k (R_k (x - p_k) + p_k + t_k),   q' = normalize(Σ_k w_k q̂_k) ⊗ q
// over the K_NEIGHBOURS control points in nbr. CPU reference: warpForwardRef.
//
// Buffers (group 0):
//   0 means:     [N, 3] f32   rest Gaussian means
//   1 quats:     [N, 4] f32   rest Gaussian rotations (w, x, y, z)
//   2 nbr:       [N, K] u32   control-point index per neighbour slot
//   3 ctrl:      [M, 12] f32  control points (layout in deform/warp_common)
//   4 out_means: [N, 3] f32
//   5 out_quats: [N, 4] f32
//   6 params:    uniform WarpParams
#include "common/dispatch"
#include "deform/warp_common"

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> quats: array<f32>;
@group(0) @binding(2) var<storage, read> nbr: array<u32>;
@group(0) @binding(3) var<storage, read> ctrl: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_means: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_quats: array<f32>;
@group(0) @binding(6) var<uniform> params: WarpParams;

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 128u);
  if (i >= params.n) { return; }
  let x = vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
  let q = vec4<f32>(quats[i * 4u], quats[i * 4u + 1u], quats[i * 4u + 2u], quats[i * 4u + 3u]);

  var e: array<f32, NK>;
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    let d = x - vec3<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u]);
    e[k] = -0.5 * dot(d, d) * exp(-2.0 * ctrl[b + 3u]);
  }
  let w = blend_weights(e);

  var xo = vec3<f32>(0.0);
  var s = vec4<f32>(0.0);
  for (var k = 0u; k < NK; k++) {
    let b = nbr[i * NK + k] * CTRL_STRIDE;
    let p = vec3<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u]);
    let qh = normalize(vec4<f32>(ctrl[b + 4u], ctrl[b + 5u], ctrl[b + 6u], ctrl[b + 7u]));
    let t = vec3<f32>(ctrl[b + 8u], ctrl[b + 9u], ctrl[b + 10u]);
    xo += w[k] * (quat_to_mat(qh) * (x - p) + p + t);
    s += w[k] * qh;
  }
  let qo = quat_mul(normalize(s), q);
  out_means[i * 3u] = xo.x;
  out_means[i * 3u + 1u] = xo.y;
  out_means[i * 3u + 2u] = xo.z;
  out_quats[i * 4u] = qo.x;
  out_quats[i * 4u + 1u] = qo.y;
  out_quats[i * 4u + 2u] = qo.z;
  out_quats[i * 4u + 3u] = qo.w;
}
