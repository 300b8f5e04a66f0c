// SSIM forward, pass 1: horizontal blur of the five local-moment images.
//   rendered, target_img: [H, W, 3] f32 (x and y)
//   planes:           [5, H, W, 3] f32 out: blur_h of x, y, x*x, y*y, x*y
#include "train/ssim_common"
@group(0) @binding(0) var<storage, read> rendered: array<f32>;
@group(0) @binding(1) var<storage, read> target_img: array<f32>;
@group(0) @binding(2) var<storage, read_write> planes: array<f32>;
@group(0) @binding(3) var<uniform> params: SsimParams;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.width || gid.y >= params.height) { return; }
  let x = i32(gid.x);
  let y = i32(gid.y);
  let n = plane_size();
  for (var c = 0u; c < 3u; c++) {
    var mx = 0.0; var my = 0.0; var xx = 0.0; var yy = 0.0; var xy = 0.0;
    for (var k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
      let xs = x + k;
      if (xs < 0 || xs >= i32(params.width)) { continue; } // zero padding
      let w = SSIM_WEIGHTS[k + SSIM_RADIUS];
      let i = pixel_offset(xs, y) + c;
      let a = rendered[i];
      let b = target_img[i];
      mx += w * a; my += w * b; xx += w * a * a; yy += w * b * b; xy += w * a * b;
    }
    let o = pixel_offset(x, y) + c;
    planes[o] = mx;
    planes[n + o] = my;
    planes[2u * n + o] = xx;
    planes[3u * n + o] = yy;
    planes[4u * n + o] = xy;
  }
}
