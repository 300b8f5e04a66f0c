// Test kernel: out[i] = i + OFFSET, for checking includes, defines and 2-D dispatch.
#include "common/dispatch"
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>; // [n]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 64u);
  if (i >= params[0]) { return; }
  out[i] = i + OFFSET;
}
