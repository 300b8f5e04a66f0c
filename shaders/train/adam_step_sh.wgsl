// One Adam step over SH coefficients [N, K, 3] with two learning rates: the DC term (the first
// 3 values of each row of K*3) at step_size, higher bands at step_size * rest_ratio (3DGS: sh0
// lr 2.5e-3, shN lr / 20). Otherwise identical to adam_step.wgsl (owner: train/adam.ts):
//   params: [N * row_width] f32, updated in place
//   grads:  [N * row_width] f32 bit patterns, zeroed after use
//   m, v:   [N * row_width] f32 moments
// A NaN/Inf gradient counts as 0.
#include "common/dispatch"
struct AdamShParams {
  count: u32,          // N * row_width
  row_width: u32,      // K * 3
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  eps: f32,
  step_size: f32,      // lr_dc / (1 - beta1^t)
  inv_sqrt_bc2: f32,   // 1 / sqrt(1 - beta2^t)
  rest_ratio: f32,     // lr of the higher bands / lr_dc
}
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<u32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> adam: AdamShParams;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= adam.count) { return; }
  var g = bitcast<f32>(grads[i]);
  if (!is_finite(g)) { g = 0.0; }
  let mi = adam.beta1 * m[i] + adam.one_minus_beta1 * g;
  let vi = adam.beta2 * v[i] + adam.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  var step_size = adam.step_size;
  if (i % adam.row_width >= 3u) { step_size = step_size * adam.rest_ratio; }
  params[i] = params[i] - step_size * mi / (sqrt(vi) * adam.inv_sqrt_bc2 + adam.eps);
  grads[i] = 0u;
}
