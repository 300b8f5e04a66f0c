// Map f32 values to order-preserving u32 sort keys (see float_key.wgsl), e.g. depths for RadixSorter.
//   floats: [count] f32
//   keys:   [count] u32, keys[i] = float_to_sortable_u32(floats[i])
#include "common/dispatch"
#include "sort/float_key"
@group(0) @binding(0) var<storage, read> floats: array<f32>;
@group(0) @binding(1) var<storage, read_write> keys: array<u32>;
@group(0) @binding(2) var<uniform> params: vec4<u32>; // x: count

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 256u);
  if (i >= params.x) { return; }
  keys[i] = float_to_sortable_u32(floats[i]);
}
