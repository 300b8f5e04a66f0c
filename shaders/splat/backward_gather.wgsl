// Second half of the atomic-free backward ('rows'): one invocation per splat (by depth rank r)
// sums its per-tile partial gradients in emit order, a fixed order, so v_splat2d is
// bit-deterministic. Writes (=) every splat's row, zeros for culled splats (no tiles).
//
// Bindings: 0 depth_ids: [N] u32 (depth rank -> global splat id)
//           1 tile_ends: [N] u32 (inclusive prefix sum of tiles per splat, by depth rank)
//           2 tile_pos:  [M] u32 (emit slot -> tile-order intersection index)
//           3 partials:  [M, PART_WIDTH] f32 (tile order): components [PART_OFFSET, +PART_WIDTH)
//                        of v_splat2d's layout (rasterize_backward.wgsl); host defines
//           4 v_splat2d: [N, 10] f32 out (only those components written)
//           5 uniforms
#include "common/dispatch"
#include "splat/render_uniforms"

@group(0) @binding(0) var<storage, read> depth_ids: array<u32>;
@group(0) @binding(1) var<storage, read> tile_ends: array<u32>;
@group(0) @binding(2) var<storage, read> tile_pos: array<u32>;
@group(0) @binding(3) var<storage, read> partials: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_splat2d: array<f32>;
@group(0) @binding(5) var<uniform> u: RenderUniforms;

const V2D: u32 = 10u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg, 256u);
  if (r >= u.counts.x) { return; }
  let end = tile_ends[r];
  let start = select(0u, tile_ends[max(r, 1u) - 1u], r > 0u);
  var acc: array<f32, PART_WIDTH>;
  for (var s = start; s < end; s++) {
    let o = tile_pos[s] * PART_WIDTH;
    for (var k = 0u; k < PART_WIDTH; k++) { acc[k] += partials[o + k]; }
  }
  let g = depth_ids[r] * V2D + PART_OFFSET;
  for (var k = 0u; k < PART_WIDTH; k++) { v_splat2d[g + k] = acc[k]; }
}
