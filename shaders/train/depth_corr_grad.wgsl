// Depth correlation, pass 3: adds dL/d(rendered depth) to the depth cotangent, one
// invocation per pixel (same shifted patch grid as pass 1; no atomics needed).
//
//   d rho / d r_i = (p_i - p̄) / sqrt(Srr Spp) - rho (r_i - r̄) / Srr
//
// Bindings:
//   0 rendered [H, W]   1 prior [H, W]   2 confidence [H, W]   3 stats [P, 6]
//   4 result [16] (from depth_corr_reduce)   5 v_depth [H, W] f32 (accumulated: +=)
//   6 uniforms
#include "train/depth_corr_common"

@group(0) @binding(0) var<storage, read> rendered: array<f32>;
@group(0) @binding(1) var<storage, read> prior: array<f32>;
@group(0) @binding(2) var<storage, read> confidence: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read> result: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_depth: array<f32>;
@group(0) @binding(6) var<uniform> u: DepthCorrUniforms;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let gx = i32(wid.x * PATCH + lid.x) - i32(u.offset_x);
  let gy = i32(wid.y * PATCH + lid.y) - i32(u.offset_y);
  if (gx < 0 || gy < 0 || u32(gx) >= u.width || u32(gy) >= u.height) { return; }
  let i = u32(gy) * u.width + u32(gx);
  let p = prior[i];
  if (!corr_valid(p, confidence[i])) { return; }
  let r = rendered[i];
  var v = 0.0;
  let g = pearson_from(result[0], result[1], result[2], result[3], result[4], result[5], u.min_pixels, u.eps);
  if (g.valid) { v = v - u.w_global * ((p - g.pm) * g.inv_sqrt - g.rho * (r - g.rm) * g.inv_srr); }
  let used = result[6];
  let b = (wid.y * u.patches_x + wid.x) * 6u;
  let q = pearson_from(stats[b], stats[b + 1u], stats[b + 2u], stats[b + 3u], stats[b + 4u], stats[b + 5u], u.min_pixels, u.eps);
  if (q.valid && used > 0.0) { v = v - (u.w_patch / used) * ((p - q.pm) * q.inv_sqrt - q.rho * (r - q.rm) * q.inv_srr); }
  v_depth[i] = v_depth[i] + v;
}
