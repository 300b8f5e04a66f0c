// Depth correlation, pass 1: centred statistics of (rendered, prior) depth per patch.
// One 16x16 workgroup per patch of a grid shifted by (offset_x, offset_y).
//
// Bindings:
//   0 rendered:   [H, W] f32  rendered depth
//   1 prior:      [H, W] f32  prior depth (invalid where <= 0 or not finite)
//   2 confidence: [H, W] f32  prior confidence (pixels with 0 are ignored)
//   3 stats:      [P, 6] f32  out, see depth_corr_common
//   4 uniforms
#include "train/depth_corr_common"

@group(0) @binding(0) var<storage, read> rendered: array<f32>;
@group(0) @binding(1) var<storage, read> prior: array<f32>;
@group(0) @binding(2) var<storage, read> confidence: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;
@group(0) @binding(4) var<uniform> u: DepthCorrUniforms;

var<workgroup> s_a: array<vec3<f32>, 256>;

fn reduce3(lidx: u32, v: vec3<f32>) -> vec3<f32> {
  s_a[lidx] = v;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lidx < stride) { s_a[lidx] = s_a[lidx] + s_a[lidx + stride]; }
    workgroupBarrier();
  }
  let r = s_a[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  // Pixel coordinates in the shifted grid; may fall left/above the image.
  let gx = i32(wid.x * PATCH + lid.x) - i32(u.offset_x);
  let gy = i32(wid.y * PATCH + lid.y) - i32(u.offset_y);
  var ok = gx >= 0 && gy >= 0 && u32(gx) < u.width && u32(gy) < u.height;
  var r = 0.0;
  var p = 0.0;
  if (ok) {
    let i = u32(gy) * u.width + u32(gx);
    p = prior[i];
    ok = corr_valid(p, confidence[i]);
    r = rendered[i];
    if (!ok) { p = 0.0; r = 0.0; }
  }
  let w = select(0.0, 1.0, ok);
  let sums = reduce3(lidx, vec3<f32>(w, w * r, w * p));
  let n = sums.x;
  let rm = select(0.0, sums.y / n, n > 0.0);
  let pm = select(0.0, sums.z / n, n > 0.0);
  let dr = w * (r - rm);
  let dp = w * (p - pm);
  let centred = reduce3(lidx, vec3<f32>(dr * dr, dp * dp, dr * dp));
  if (lidx == 0u) {
    let pi = wid.y * u.patches_x + wid.x;
    stats[pi * 6u + 0u] = n;
    stats[pi * 6u + 1u] = rm;
    stats[pi * 6u + 2u] = pm;
    stats[pi * 6u + 3u] = centred.x;
    stats[pi * 6u + 4u] = centred.y;
    stats[pi * 6u + 5u] = centred.z;
  }
}
