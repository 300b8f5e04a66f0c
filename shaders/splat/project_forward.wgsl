// Pass 1 of the forward: project every Gaussian (EWA splatting), cull it (near plane,
// outside the image, degenerate or non-finite parameters), evaluate its SH colour and
// write the depth-sort keys.
//
// Bindings (N = counts.x, K = counts.z SH coefficients per splat in the buffer):
//   0 means:          [N, 3] f32      1 log_scales: [N, 3] f32     2 quats: [N, 4] f32 (wxyz)
//   3 opacity_logits: [N] f32         4 sh: [N, K, 3] f32
//   5 projected:      [N, 12] f32 out (layout in splat/projected.wgsl; all zero when culled)
//   6 depth_keys:     [N] u32 out: bits of z (> 0, so they order like the floats); culled: 0xffffffff
//   7 depth_ids:      [N] u32 out: i (the depth sort turns it into global id by depth rank)
//   8 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"
#include "splat/projected"
#include "splat/project_common"
#include "splat/sh"

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> log_scales: array<f32>;
@group(0) @binding(2) var<storage, read> quats: array<f32>;
@group(0) @binding(3) var<storage, read> opacity_logits: array<f32>;
@group(0) @binding(4) var<storage, read> sh: array<f32>;
@group(0) @binding(5) var<storage, read_write> projected: array<f32>;
@group(0) @binding(6) var<storage, read_write> depth_keys: array<u32>;
@group(0) @binding(7) var<storage, read_write> depth_ids: array<u32>;
@group(0) @binding(8) var<uniform> u: RenderUniforms;

fn load3(i: u32) -> vec3<f32> { return vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= u.counts.x) { return; }
  depth_ids[i] = i;
  depth_keys[i] = 0xffffffffu;
  let base = i * PROJECTED_STRIDE;
  for (var k = 0u; k < PROJECTED_STRIDE; k++) { projected[base + k] = 0.0; }

  let mean = load3(i);
  let log_scale = vec3<f32>(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]);
  let quat = vec4<f32>(quats[i * 4u], quats[i * 4u + 1u], quats[i * 4u + 2u], quats[i * 4u + 3u]);
  let t = project_trace(u, mean, log_scale, quat);
  if (!t.ok) { return; }

  let xy = vec2<f32>(u.focal.x * t.p.x / t.p.z + u.focal.z, u.focal.y * t.p.y / t.p.z + u.focal.w);
  let extent = ceil(SIGMA_EXTENT * sqrt(vec2<f32>(t.cov2.x, t.cov2.z)));
  let rect = tile_rect(xy, extent, u.dims.zw);
  if (!is_finite_f32(xy.x) || !is_finite_f32(xy.y) || tile_rect_area(rect) == 0u) { return; }

  // Colour from SH in the view direction, clamped at 0 as in 3DGS.
  let dir = view_direction(u, mean).xyz;
  let basis = sh_basis(u.counts.y, dir);
  let K = u.counts.z;
  var color = vec3<f32>(0.5);
  let ncoef = (u.counts.y + 1u) * (u.counts.y + 1u);
  for (var k = 0u; k < ncoef; k++) {
    let o = (i * K + k) * 3u;
    color += basis[k] * vec3<f32>(sh[o], sh[o + 1u], sh[o + 2u]);
  }
  let logit = opacity_logits[i];
  if (!is_finite_vec3(color) || !is_finite_f32(logit)) { return; }
  let opacity = 1.0 / (1.0 + exp(-logit));
  let inv_det = 1.0 / t.det;

  projected[base + 0u] = xy.x;
  projected[base + 1u] = xy.y;
  projected[base + 2u] = t.p.z;
  projected[base + 3u] = opacity;
  projected[base + 4u] = t.cov2.z * inv_det;
  projected[base + 5u] = -t.cov2.y * inv_det;
  projected[base + 6u] = t.cov2.x * inv_det;
  projected[base + 7u] = extent.x;
  projected[base + 8u] = max(color.x, 0.0);
  projected[base + 9u] = max(color.y, 0.0);
  projected[base + 10u] = max(color.z, 0.0);
  projected[base + 11u] = extent.y;
  depth_keys[i] = bitcast<u32>(t.p.z);
}
