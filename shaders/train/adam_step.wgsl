// One Adam step over a range of a flat f32 parameter buffer, then zero the gradient.
//   params: [>= offset + count] f32, updated in place
//   grads:  [>= offset + count] f32 bit patterns (a plain f32 buffer or atomic<u32> accumulators of
//           atomic_add_f32: read as u32 and bitcast), zeroed after use
//   m, v:   [>= offset + count] f32 first / second moments, updated in place
// torch.optim.Adam form: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps), bc_k = 1 - beta_k^t.
// A NaN/Inf gradient is treated as 0 (the moments still decay) so one bad pixel cannot poison
// the parameters and moments for good.
#include "common/dispatch"
struct AdamParams {
  count: u32,
  offset: u32,
  beta1: f32,
  one_minus_beta1: f32, // from float64 on the host: 1 - f32(0.999) is off by 1.3e-5 relative
  beta2: f32,
  one_minus_beta2: f32,
  eps: f32,
  step_size: f32,      // lr / (1 - beta1^t)
  inv_sqrt_bc2: f32,   // 1 / sqrt(1 - beta2^t)
  _pad: u32,
}
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<u32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> adam: AdamParams;

fn is_finite(x: f32) -> bool {
  // Exponent all ones = Inf or NaN.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg, 256u);
  if (k >= adam.count) { return; }
  let i = adam.offset + k;
  var g = bitcast<f32>(grads[i]);
  if (!is_finite(g)) { g = 0.0; }
  let mi = adam.beta1 * m[i] + adam.one_minus_beta1 * g;
  let vi = adam.beta2 * v[i] + adam.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  params[i] = params[i] - adam.step_size * mi / (sqrt(vi) * adam.inv_sqrt_bc2 + adam.eps);
  grads[i] = 0u;
}
