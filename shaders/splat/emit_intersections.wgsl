// One (tile, splat) intersection per tile each splat touches, written in depth order so a
// stable sort by tile id leaves every tile's list sorted front to back. In this emit order
// each splat's intersections are contiguous ([tile_ends[r] - count, tile_ends[r]) for depth
// rank r): the sort carries the emit slot so the backward can sum a splat's per-tile partial
// gradients without atomics (isect_maps builds the tile-order gid list and the inverse map).
//
// Bindings: 0 depth_ids: [N] u32            1 projected: [N, 12] f32
//           2 tile_ends: [N] u32 (inclusive prefix sum of tile_counts, by depth rank)
//           3 isect_tiles: [M] u32 out (tile id = ty * tilesX + tx)
//           4 isect_slots: [M] u32 out (emit slot = own index; the sort's values)
//           5 emit_gids:   [M] u32 out (global splat id by emit slot)
//           6 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"
#include "splat/projected"

@group(0) @binding(0) var<storage, read> depth_ids: array<u32>;
@group(0) @binding(1) var<storage, read> projected: array<f32>;
@group(0) @binding(2) var<storage, read> tile_ends: array<u32>;
@group(0) @binding(3) var<storage, read_write> isect_tiles: array<u32>;
@group(0) @binding(4) var<storage, read_write> isect_slots: array<u32>;
@group(0) @binding(5) var<storage, read_write> emit_gids: array<u32>;
@group(0) @binding(6) var<uniform> u: RenderUniforms;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg, 256u);
  if (r >= u.counts.x) { return; }
  let g = depth_ids[r];
  let b = g * PROJECTED_STRIDE;
  let extent = vec2<f32>(projected[b + 7u], projected[b + 11u]);
  if (!(extent.x > 0.0)) { return; }
  let rect = tile_rect(vec2<f32>(projected[b], projected[b + 1u]), extent, u.dims.zw);
  var slot = tile_ends[r] - tile_rect_area(rect);
  for (var ty = rect.y; ty < rect.w; ty++) {
    for (var tx = rect.x; tx < rect.z; tx++) {
      isect_tiles[slot] = u32(ty) * u.dims.z + u32(tx);
      isect_slots[slot] = slot;
      emit_gids[slot] = g;
      slot++;
    }
  }
}
