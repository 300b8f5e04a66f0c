// Display pass 1: project every Gaussian with the engine's EWA projection (splat/project_common,
// the same cut-offs as the training rasterizer), evaluate its SH colour, turn the 2-D
// covariance into a screen-aligned quad (major axis, axis ratio, support), cull it when no
// pixel can reach alpha >= ALPHA_MIN or its ellipse misses the image, and write the depth key.
//
// Support: alpha = min(ALPHA_MAX, o exp(-m^2 / 2)) >= min_alpha  <=>  m^2 <= 2 ln(o / min_alpha),
// so k = min(sqrt(2 ln(o / min_alpha)), max_sigma) standard deviations bounds every pixel the
// splat draws (min_alpha = ALPHA_MIN, the engine's cut, unless the host trades faint tails for
// speed; max_sigma caps it; the fragment shader clips to the ellipse m <= k).
//
// Bindings (N = counts.x, K = counts.z SH coefficients per splat in the buffer):
//   0 means: [N, 3] f32   1 log_scales: [N, 3] f32   2 quats: [N, 4] f32 (wxyz)
//   3 opacity_logits: [N] f32   4 sh: [N, K, 3] f32
//   5 splats: [N, 8] u32 out (display/display_splat_record)
//   6 keys: [N] u32 out: 0 = culled; else increases with camera-space z:
//       key_bits 32: the f32 bits of z (z >= near > 0, so they order like the floats)
//       key_bits 16: 1 + floor(65534 * clamp(ln(z / z_min) / ln(z_max / z_min), 0, 1))
//   7 ids: [N] u32 out: i (the sort carries it along)
//   8 uniforms: RenderUniforms   9 dp: DisplayParams
#include "common/dispatch"
#include "splat/render_uniforms"
#include "splat/project_common"
#include "splat/sh"
#include "display/display_splat_record"

struct DisplayParams {
  depth: vec4<f32>,   // z_min, 1 / ln(z_max / z_min), max_sigma, min_alpha
  bits: vec4<u32>,    // key bits (16 or 32), -, -, -
}

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> log_scales: array<f32>;
@group(0) @binding(2) var<storage, read> quats: array<f32>;
@group(0) @binding(3) var<storage, read> opacity_logits: array<f32>;
@group(0) @binding(4) var<storage, read> sh: array<f32>;
@group(0) @binding(5) var<storage, read_write> splats: array<u32>;
@group(0) @binding(6) var<storage, read_write> keys: array<u32>;
@group(0) @binding(7) var<storage, read_write> ids: array<u32>;
@group(0) @binding(8) var<uniform> u: RenderUniforms;
@group(0) @binding(9) var<uniform> dp: DisplayParams;

// Unit major eigenvector of the symmetric [[a, b], [b, c]], from the row without cancellation.
fn major_axis(a: f32, b: f32, c: f32, lambda1: f32) -> vec2<f32> {
  var v = vec2<f32>(1.0, 0.0);
  if (a >= c) { v = vec2<f32>(lambda1 - c, b); } else { v = vec2<f32>(b, lambda1 - a); }
  let len = length(v);
  if (len > 0.0) { return v / len; }
  return vec2<f32>(1.0, 0.0); // isotropic: any axis
}

fn depth_key(z: f32) -> u32 {
  if (dp.bits.x == 32u) { return bitcast<u32>(z); }
  let s = clamp(log(z / dp.depth.x) * dp.depth.y, 0.0, 1.0);
  return 1u + u32(s * 65534.0);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= u.counts.x) { return; }
  ids[i] = i;
  keys[i] = 0u;

  let mean = vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
  let log_scale = vec3<f32>(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]);
  let quat = vec4<f32>(quats[i * 4u], quats[i * 4u + 1u], quats[i * 4u + 2u], quats[i * 4u + 3u]);
  let t = project_trace(u, mean, log_scale, quat);
  if (!t.ok) { return; }
  let logit = opacity_logits[i];
  let opacity = 1.0 / (1.0 + exp(-logit));
  // Support in standard deviations; none when even the centre stays below min_alpha.
  let k2 = 2.0 * log(opacity / dp.depth.w);
  if (!(k2 > 0.0)) { return; }
  let k = min(sqrt(k2), dp.depth.z);

  let xy = vec2<f32>(u.focal.x * t.p.x / t.p.z + u.focal.z, u.focal.y * t.p.y / t.p.z + u.focal.w);
  // Axis-aligned half-size of the support ellipse; cull when it misses the image.
  let half = k * sqrt(vec2<f32>(t.cov2.x, t.cov2.z));
  let size = vec2<f32>(u.dims.xy);
  if (!is_finite_f32(xy.x) || !is_finite_f32(xy.y)) { return; }
  if (xy.x + half.x <= 0.0 || xy.y + half.y <= 0.0 || xy.x - half.x >= size.x || xy.y - half.y >= size.y) { return; }

  let dir = view_direction(u, mean).xyz;
  let basis = sh_basis(u.counts.y, dir);
  let K = u.counts.z;
  var color = vec3<f32>(0.5);
  let ncoef = (u.counts.y + 1u) * (u.counts.y + 1u);
  for (var c = 0u; c < ncoef; c++) {
    let o = (i * K + c) * 3u;
    color += basis[c] * vec3<f32>(sh[o], sh[o + 1u], sh[o + 2u]);
  }
  if (!is_finite_vec3(color) || !is_finite_f32(logit)) { return; }
  color = max(color, vec3<f32>(0.0));

  // Eigen-decomposition of the 2-D covariance (A, B, C); lambda2 = det / lambda1 avoids cancellation.
  let A = t.cov2.x; let B = t.cov2.y; let C = t.cov2.z;
  let mid = 0.5 * (A + C);
  let rad = sqrt(max(0.25 * (A - C) * (A - C) + B * B, 0.0));
  let lambda1 = mid + rad;
  let lambda2 = t.det / lambda1;
  let axis = k * sqrt(lambda1) * major_axis(A, B, C, lambda1);

  let base = i * DISPLAY_STRIDE;
  splats[base + 0u] = bitcast<u32>(xy.x);
  splats[base + 1u] = bitcast<u32>(xy.y);
  splats[base + 2u] = bitcast<u32>(axis.x);
  splats[base + 3u] = bitcast<u32>(axis.y);
  splats[base + 4u] = bitcast<u32>(sqrt(lambda2 / lambda1));
  splats[base + 5u] = bitcast<u32>(k);
  splats[base + 6u] = pack2x16float(color.xy);
  splats[base + 7u] = pack2x16float(vec2<f32>(color.z, opacity));
  keys[i] = depth_key(t.p.z);
}
