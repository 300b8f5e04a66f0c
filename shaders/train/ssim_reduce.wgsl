// SSIM + L1 loss, final reduction by one workgroup.
//   partials: [num_partials] vec4 from ssim_fwd_v (sum of w S, sum of w |x - y|, sum of w, 0)
//   loss_out: [3] f32 out: (loss, L1, SSIM), weighted means over pixels and channels,
//             loss = (1 - lambda) L1 + lambda (1 - SSIM)
//   norm:     [1] f32 out: 1 / (3 sum of w), the backward's normaliser (0 when every weight is 0:
//             then loss_out is (0, 0, 1) and the gradient is zero)
#include "train/ssim_common"
@group(0) @binding(0) var<storage, read> partials: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> loss_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> norm: array<f32>;
@group(0) @binding(3) var<uniform> params: SsimParams;

var<workgroup> sums: array<vec3<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var local = vec3<f32>(0.0);
  for (var p = lid; p < params.num_partials; p += 256u) {
    local += partials[p].xyz;
  }
  sums[lid] = local;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total_w = sums[0].z;
    let inv = select(0.0, 1.0 / (3.0 * total_w), total_w > 0.0);
    let ssim = select(1.0, sums[0].x * inv, total_w > 0.0);
    let l1 = sums[0].y * inv;
    loss_out[0] = (1.0 - params.lambda) * l1 + params.lambda * (1.0 - ssim);
    loss_out[1] = l1;
    loss_out[2] = ssim;
    norm[0] = inv;
  }
}
