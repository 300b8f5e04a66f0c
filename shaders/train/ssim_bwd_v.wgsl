// SSIM + L1 backward, pass 2: vertical blur of the partial maps and the gradient.
//   hplanes:     [3, H, W, 3] f32 from ssim_bwd_h (row-blurred w * dS/d(mu1, E11, E12))
//   rendered, target_img: [H, W, 3] f32
//   norm:        [1] f32 from ssim_reduce: 1 / (3 sum of w)
//   weights:     [H, W] f32 (WEIGHTED only; otherwise 1)
//   v_rendered:  [H, W, 3] f32 out: dLoss/dRendered =
//     norm ((1 - lambda) w sign(x - y) - lambda (B[w dS/dmu1] + 2 x B[w dS/dE11] + y B[w dS/dE12]))
#include "train/ssim_common"
@group(0) @binding(0) var<storage, read> hplanes: array<f32>;
@group(0) @binding(1) var<storage, read> rendered: array<f32>;
@group(0) @binding(2) var<storage, read> target_img: array<f32>;
@group(0) @binding(3) var<storage, read_write> v_rendered: array<f32>;
@group(0) @binding(4) var<storage, read> norm: array<f32>;
@group(0) @binding(5) var<uniform> params: SsimParams;
#ifdef WEIGHTED
@group(0) @binding(6) var<storage, read> weights: array<f32>;
#endif

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.width || gid.y >= params.height) { return; }
  let x = i32(gid.x);
  let y = i32(gid.y);
  let n = plane_size();
  let scale = norm[0];
#ifdef WEIGHTED
  let weight = weights[gid.y * params.width + gid.x];
#else
  let weight = 1.0;
#endif
  for (var c = 0u; c < 3u; c++) {
    var m = vec3<f32>(0.0);
    for (var k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
      let ys = y + k;
      if (ys < 0 || ys >= i32(params.height)) { continue; }
      let i = pixel_offset(x, ys) + c;
      m += SSIM_WEIGHTS[k + SSIM_RADIUS] * vec3<f32>(hplanes[i], hplanes[n + i], hplanes[2u * n + i]);
    }
    let o = pixel_offset(x, y) + c;
    let xv = rendered[o];
    let yv = target_img[o];
    let d_ssim = m.x + 2.0 * xv * m.y + yv * m.z;
    v_rendered[o] = scale * ((1.0 - params.lambda) * weight * sign(xv - yv) - params.lambda * d_ssim);
  }
}
