// Winner-take-all over the plane-sweep cost volume with sub-plane parabolic refinement.
//
// Per pixel: the plane with the lowest cost wins; a parabola through its two neighbours'
// costs moves the inverse depth by at most half a plane step. Confidence combines how
// good the match is (1 - cost, i.e. the NCC for one source) with how unique it is
// (1 - cost / second-best cost, the second best being the lowest other local minimum
// at least 2 planes away).
// A winner at the first or last plane lies outside the swept range: confidence 0.
//
// Buffers (bind group 0):
//   0 cost:       [D, H, W] f32
//   1 invDepth:   [D] f32
//   2 dims:       [3] u32   W, H, D
//   3 depth:      [H, W] f32 out, metric depth along the optical axis (1 / rho)
//   4 confidence: [H, W] f32 out, in [0, 1]
//   5 bestCost:   [H, W] f32 out
#include "common/dispatch"

@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read> inv_depth: array<f32>;
@group(0) @binding(2) var<storage, read> dims: array<u32>;
@group(0) @binding(3) var<storage, read_write> depth: array<f32>;
@group(0) @binding(4) var<storage, read_write> confidence: array<f32>;
@group(0) @binding(5) var<storage, read_write> best_cost: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = dims[0]; let h = dims[1]; let n_planes = dims[2];
  let p = linear_index(gid, nwg, 64u);
  if (p >= w * h) { return; }
  let hw = w * h;
  var i_min = 0u;
  var c_min = cost[p];
  for (var i = 1u; i < n_planes; i++) {
    let c = cost[i * hw + p];
    if (c < c_min) { c_min = c; i_min = i; }
  }
  // Second best: the lowest other local minimum at least 2 planes away (a slope of the
  // winner's own basin is not a competing depth).
  var c_second = 2.0;
  for (var i = 0u; i < n_planes; i++) {
    if (i + 1u >= i_min && i <= i_min + 1u) { continue; }
    let c = cost[i * hw + p];
    let left_ok = i == 0u || c < cost[(i - 1u) * hw + p];
    let right_ok = i + 1u == n_planes || c <= cost[(i + 1u) * hw + p];
    if (left_ok && right_ok) { c_second = min(c_second, c); }
  }
  var rho = inv_depth[i_min];
  var conf = clamp(1.0 - c_min, 0.0, 1.0) * clamp(1.0 - c_min / max(c_second, 1e-6), 0.0, 1.0);
  if (i_min == 0u || i_min + 1u == n_planes) {
    conf = 0.0;
  } else {
    let cm = cost[(i_min - 1u) * hw + p];
    let cp = cost[(i_min + 1u) * hw + p];
    let curv = cm - 2.0 * c_min + cp;
    if (curv > 1e-6) {
      let off = clamp(0.5 * (cm - cp) / curv, -0.5, 0.5);
      if (off > 0.0) { rho += off * (inv_depth[i_min + 1u] - inv_depth[i_min]); }
      else { rho += off * (inv_depth[i_min] - inv_depth[i_min - 1u]); }
    }
  }
  depth[p] = 1.0 / rho;
  confidence[p] = conf;
  best_cost[p] = c_min;
}
