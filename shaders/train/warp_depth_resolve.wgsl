// Turns the warp z-buffer into a depth map: 0 (invalid) where nothing landed.
// Bindings: 0 zbuf [H, W] u32   1 depth [H, W] f32 out   2 params [count]
#include "common/dispatch"
@group(0) @binding(0) var<storage, read> zbuf: array<u32>;
@group(0) @binding(1) var<storage, read_write> depth: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 128u);
  if (i >= params[0]) { return; }
  let b = zbuf[i];
  depth[i] = select(bitcast<f32>(b), 0.0, b == 0xffffffffu);
}
