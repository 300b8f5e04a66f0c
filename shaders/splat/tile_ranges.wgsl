// Where each tile's intersections start and end in the tile-sorted list:
// tile_ranges[2t] = first, tile_ranges[2t + 1] = one past the last (both 0 for empty tiles,
// which the host clears beforehand).
//
// Bindings: 0 isect_tiles: [M] u32 (sorted)   1 tile_ranges: [numTiles, 2] u32 out   2 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"

@group(0) @binding(0) var<storage, read> isect_tiles: array<u32>;
@group(0) @binding(1) var<storage, read_write> tile_ranges: array<u32>;
@group(0) @binding(2) var<uniform> u: RenderUniforms;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  let m = u.counts.w;
  if (i >= m) { return; }
  let t = isect_tiles[i];
  if (i == 0u || isect_tiles[i - 1u] != t) { tile_ranges[2u * t] = i; }
  if (i + 1u == m || isect_tiles[i + 1u] != t) { tile_ranges[2u * t + 1u] = i + 1u; }
}
