// SSIM backward, pass 1: horizontal blur of the three partial maps. With zero padding and a
// symmetric window the transposed blur is the blur itself.
//   dplanes: [3, H, W, 3] f32 from ssim_fwd_v
//   hplanes: [3, H, W, 3] f32 out (the first 3 planes of the forward scratch, reused)
#include "train/ssim_common"
@group(0) @binding(0) var<storage, read> dplanes: array<f32>;
@group(0) @binding(1) var<storage, read_write> hplanes: array<f32>;
@group(0) @binding(2) var<uniform> params: SsimParams;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.width || gid.y >= params.height) { return; }
  let x = i32(gid.x);
  let y = i32(gid.y);
  let n = plane_size();
  for (var c = 0u; c < 3u; c++) {
    var m = vec3<f32>(0.0);
    for (var k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
      let xs = x + k;
      if (xs < 0 || xs >= i32(params.width)) { continue; }
      let i = pixel_offset(xs, y) + c;
      m += SSIM_WEIGHTS[k + SSIM_RADIUS] * vec3<f32>(dplanes[i], dplanes[n + i], dplanes[2u * n + i]);
    }
    let o = pixel_offset(x, y) + c;
    hplanes[o] = m.x;
    hplanes[n + o] = m.y;
    hplanes[2u * n + o] = m.z;
  }
}
