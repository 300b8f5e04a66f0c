// Coherence regularizer (see reference/coherence-ref.ts): neighbours on the pixel grid of
// the depth map a Gaussian came from should share their displacement. One invocation per
// Gaussian gathers its own gradient from its (symmetric) neighbour list: no atomics.
//
// Bindings:
//   0 means [N, 3]   1 initial_means [N, 3]   2 neighbours [N, 4] i32 (-1 = none)
//   3 v_means [N, 3] (+=)   4 uniforms (count, 2 w / E)
#include "common/dispatch"
struct CoherenceUniforms { count: u32, _pad: u32, two_w_over_e: f32, _pad2: f32 };

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> initial_means: array<f32>;
@group(0) @binding(2) var<storage, read> neighbours: array<i32>;
@group(0) @binding(3) var<storage, read_write> v_means: array<f32>;
@group(0) @binding(4) var<uniform> u: CoherenceUniforms;

fn offset(i: u32) -> vec3<f32> {
  return vec3<f32>(means[i * 3u] - initial_means[i * 3u], means[i * 3u + 1u] - initial_means[i * 3u + 1u], means[i * 3u + 2u] - initial_means[i * 3u + 2u]);
}

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, 128u);
  if (i >= u.count) { return; }
  let di = offset(i);
  var g = vec3<f32>(0.0);
  for (var k = 0u; k < 4u; k = k + 1u) {
    let j = neighbours[i * 4u + k];
    if (j >= 0 && u32(j) < u.count) { g = g + (di - offset(u32(j))); }
  }
  g = g * u.two_w_over_e;
  v_means[i * 3u] = v_means[i * 3u] + g.x;
  v_means[i * 3u + 1u] = v_means[i * 3u + 1u] + g.y;
  v_means[i * 3u + 2u] = v_means[i * 3u + 2u] + g.z;
}
