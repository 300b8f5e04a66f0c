// Number of tiles each splat touches, in depth order, for the prefix sum that places its
// intersections: tile_counts[r] = area(tile rect of splat depth_ids[r]) (0 when culled).
//
// Bindings: 0 depth_ids: [N] u32 (global id by depth rank)   1 projected: [N, 12] f32
//           2 tile_counts: [N] u32 out                        3 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"
#include "splat/projected"

@group(0) @binding(0) var<storage, read> depth_ids: array<u32>;
@group(0) @binding(1) var<storage, read> projected: array<f32>;
@group(0) @binding(2) var<storage, read_write> tile_counts: array<u32>;
@group(0) @binding(3) var<uniform> u: RenderUniforms;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg, 256u);
  if (r >= u.counts.x) { return; }
  let b = depth_ids[r] * PROJECTED_STRIDE;
  let extent = vec2<f32>(projected[b + 7u], projected[b + 11u]);
  var n = 0u;
  if (extent.x > 0.0) {
    n = tile_rect_area(tile_rect(vec2<f32>(projected[b], projected[b + 1u]), extent, u.dims.zw));
  }
  tile_counts[r] = n;
}
