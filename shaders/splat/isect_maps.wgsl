// After the tile sort: the tile-order splat ids the rasterizer reads, and the inverse of the
// sort's permutation (emit slot -> tile-order index) that backward_gather uses to find each
// splat's per-tile partial gradients. One invocation per intersection.
//
// Bindings: 0 isect_slots: [M] u32 (tile order: emit slot of each intersection)
//           1 emit_gids:   [M] u32 (by emit slot: global splat id)
//           2 isect_gids:  [M] u32 out (tile order: global splat id)
//           3 tile_pos:    [M] u32 out (by emit slot: tile-order index)
//           4 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"

@group(0) @binding(0) var<storage, read> isect_slots: array<u32>;
@group(0) @binding(1) var<storage, read> emit_gids: array<u32>;
@group(0) @binding(2) var<storage, read_write> isect_gids: array<u32>;
@group(0) @binding(3) var<storage, read_write> tile_pos: array<u32>;
@group(0) @binding(4) var<uniform> u: RenderUniforms;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= u.counts.w) { return; }
  let slot = isect_slots[i];
  isect_gids[i] = emit_gids[slot];
  tile_pos[slot] = i;
}
