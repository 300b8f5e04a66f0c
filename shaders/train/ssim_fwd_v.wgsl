// SSIM forward, pass 2: vertical blur -> local moments -> SSIM map, its partials, partial sums.
//   planes:    [5, H, W, 3] f32 from ssim_fwd_h
//   rendered, target_img: [H, W, 3] f32 (for the L1 term)
//   weights:   [H, W] f32 per-pixel loss weight (WEIGHTED only; otherwise every pixel weighs 1)
//   dplanes:   [3, H, W, 3] f32 out: w * (dS/dmu1, dS/dE[x^2], dS/dE[xy]) at each pixel and channel
//   partials:  [num_partials] vec4 out: per workgroup (sum of w S, sum of w |x - y|, sum of w, 0)
// Uses raw second moments (sigma^2 = E[x^2] - mu^2) like the 3DGS reference; in f32 that
// cancellation costs ~1e-7 absolute on sigma^2 for values in [0, 1].
#include "train/ssim_common"
@group(0) @binding(0) var<storage, read> planes: array<f32>;
@group(0) @binding(1) var<storage, read> rendered: array<f32>;
@group(0) @binding(2) var<storage, read> target_img: array<f32>;
@group(0) @binding(3) var<storage, read_write> dplanes: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> params: SsimParams;
#ifdef WEIGHTED
@group(0) @binding(6) var<storage, read> weights: array<f32>;
#endif

var<workgroup> sums: array<vec3<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var local = vec3<f32>(0.0);
  if (gid.x < params.width && gid.y < params.height) {
    let x = i32(gid.x);
    let y = i32(gid.y);
    let n = plane_size();
#ifdef WEIGHTED
    let weight = weights[gid.y * params.width + gid.x];
#else
    let weight = 1.0;
#endif
    for (var c = 0u; c < 3u; c++) {
      // Scalar accumulators: dynamically indexed arrays are slow on CPU adapters.
      var mu1 = 0.0; var mu2 = 0.0; var e11 = 0.0; var e22 = 0.0; var e12 = 0.0;
      for (var k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
        let ys = y + k;
        if (ys < 0 || ys >= i32(params.height)) { continue; } // zero padding
        let w = SSIM_WEIGHTS[k + SSIM_RADIUS];
        let i = pixel_offset(x, ys) + c;
        mu1 += w * planes[i];
        mu2 += w * planes[n + i];
        e11 += w * planes[2u * n + i];
        e22 += w * planes[3u * n + i];
        e12 += w * planes[4u * n + i];
      }
      let a = 2.0 * mu1 * mu2 + SSIM_C1;
      let b = 2.0 * (e12 - mu1 * mu2) + SSIM_C2;
      let cc = mu1 * mu1 + mu2 * mu2 + SSIM_C1;
      let d = (e11 - mu1 * mu1) + (e22 - mu2 * mu2) + SSIM_C2;
      let cd = cc * d;
      let s = a * b / cd;
      let o = pixel_offset(x, y) + c;
      // Partials through a (2 mu2), b (-2 mu2), c (2 mu1), d (-2 mu1); E[x^2] through d; E[xy] through b.
      dplanes[o] = weight * ((2.0 * mu2 * (b - a)) / cd - s * (2.0 * mu1 * (d - cc)) / cd);
      dplanes[n + o] = weight * (-s / d);
      dplanes[2u * n + o] = weight * (2.0 * a / cd);
      local += vec3<f32>(weight * s, weight * abs(rendered[o] - target_img[o]), 0.0);
    }
    local.z = weight;
  }
  // Workgroup sum with two barriers: 16 invocations add 16 entries each, then one adds those 16
  // (a log-step tree needs 8 barriers, which cost up to ~25% of this kernel on llvmpipe).
  sums[lid] = local;
  workgroupBarrier();
  if (lid < 16u) {
    var acc = vec3<f32>(0.0);
    for (var j = 0u; j < 16u; j++) { acc += sums[lid * 16u + j]; }
    sums[lid * 16u] = acc;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var total = vec3<f32>(0.0);
    for (var j = 0u; j < 16u; j++) { total += sums[j * 16u]; }
    partials[wid.y * nwg.x + wid.x] = vec4<f32>(total, 0.0);
  }
}
