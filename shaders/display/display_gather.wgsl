// Display pass 2 (after the ascending depth-key sort): copy the visible splats' records into
// draw order, back to front (the farthest first), and write the instance count of the draw.
// Culled splats have key 0 and sort first, so the V visible ones are sorted[N - V .. N);
// draw rank r < V takes sorted position N - 1 - r. The invocation at the visible/culled
// boundary writes V (instanced draw) and 6 V (indexed draw); the host resets both counts to 0
// before every frame (all culled).
//
// Bindings (N = params.x):
//   0 keys: [N] u32 (sorted)   1 ids: [N] u32 (sorted with the keys)
//   2 splats: [N, 8] u32 (by splat id, display/display_splat_record)
//   3 drawn: [N, 8] u32 out (by draw rank; bound as the draw's instance vertex buffer)
//   4 draw_args: [9] u32 out: [0, 4) drawIndirect (vertexCount 4, instanceCount V, 0, 0) and
//       [4, 9) drawIndexedIndirect (indexCount 6 V, instanceCount 1, 0, 0, 0)
//   5 params: (N, -, -, -)
#include "common/dispatch"
#include "display/display_splat_record"

@group(0) @binding(0) var<storage, read> keys: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> splats: array<u32>;
@group(0) @binding(3) var<storage, read_write> drawn: array<u32>;
@group(0) @binding(4) var<storage, read_write> draw_args: array<u32>;
@group(0) @binding(5) var<uniform> params: vec4<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg, 256u);
  let n = params.x;
  if (r >= n) { return; }
  let j = n - 1u - r;
  if (keys[j] == 0u) { return; }
  if (j == 0u || keys[j - 1u] == 0u) {
    draw_args[1] = r + 1u;
    draw_args[4] = 6u * (r + 1u);
  }
  let src = ids[j] * DISPLAY_STRIDE;
  let dst = r * DISPLAY_STRIDE;
  for (var c = 0u; c < DISPLAY_STRIDE; c++) { drawn[dst + c] = splats[src + c]; }
}
