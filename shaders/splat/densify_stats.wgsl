// Densification statistics after a backward (3DGS / gsplat "grad2d" and "count"):
//   grad_accum[i] += |d loss / d mean2D| in NDC units, i.e. the pixel gradient scaled by
//                    (W/2, H/2), the quantity the usual 0.0002 threshold refers to;
//   vis_count[i]  += 1 when the splat was visible (touched a tile) in this view.
//
// Bindings: 0 v_splat2d: [N, 10] f32   1 projected: [N, 12] f32
//           2 grad_accum: [N] f32 +=   3 vis_count: [N] u32 +=   4 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"
#include "splat/projected"

@group(0) @binding(0) var<storage, read> v_splat2d: array<f32>;
@group(0) @binding(1) var<storage, read> projected: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_accum: array<f32>;
@group(0) @binding(3) var<storage, read_write> vis_count: array<u32>;
@group(0) @binding(4) var<uniform> u: RenderUniforms;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= u.counts.x) { return; }
  if (!(projected[i * PROJECTED_STRIDE + 7u] > 0.0)) { return; }
  let g = vec2<f32>(v_splat2d[i * 10u], v_splat2d[i * 10u + 1u]) * 0.5 * vec2<f32>(f32(u.dims.x), f32(u.dims.y));
  grad_accum[i] += length(g);
  vis_count[i] += 1u;
}
