// Geometric-consistency term of the plane-sweep cost (ACMM's geometric consistency pass,
// Xu & Tao 2019): the photometric cost of every (plane, pixel) is raised by how badly the
// plane's 3-D point agrees with the neighbours' depth maps from the previous pass.
//
// For reference pixel p on plane rho (depth 1 / rho): lift to 3-D, project into source s,
// read the source depth at the nearest pixel, lift it at the projected position and project
// it back into the reference; e_s = round-trip distance in pixels (maxPx when the source has
// no depth there, the point leaves its image or lies behind it). With few views a surface
// is often seen by one neighbour only, so the term uses the best source:
//   cost += weight * min_s min(e_s, maxPx)
// Pixels with no source depth anywhere get the same constant on every plane (no change).
//
// Buffers (bind group 0):
//   0 cost:     [D, H, W] f32 read-write (aggregated photometric cost, updated in place)
//   1 srcDepth: [S, H, W] f32   previous-pass depth of each source view, <= 0 = unknown
//   2 cams:     [S, 32] f32     per source, layout of consistency.wgsl (geometry.consistencyCams)
//   3 invDepth: [D] f32
//   4 dims:     [4] u32         W, H, S, D
//   5 params:   [2] f32         weight, maxPx
#include "common/dispatch"
#include "depth/round_trip"

@group(0) @binding(0) var<storage, read_write> cost: array<f32>;
@group(0) @binding(1) var<storage, read> src_depth: array<f32>;
@group(0) @binding(2) var<storage, read> cams: array<f32>;
@group(0) @binding(3) var<storage, read> inv_depth: array<f32>;
@group(0) @binding(4) var<storage, read> dims: array<u32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = dims[0]; let h = dims[1]; let n_src = dims[2]; let n_planes = dims[3];
  let idx = linear_index(gid, nwg, 64u);
  if (idx >= w * h * n_planes) { return; }
  let plane = idx / (w * h);
  let p = idx % (w * h);
  let u = f32(p % w) + 0.5;
  let v = f32(p / w) + 0.5;
  let d = 1.0 / inv_depth[plane];
  let weight = params[0];
  let max_px = params[1];
  var best = max_px;
  for (var s = 0u; s < n_src; s++) {
    let rt = round_trip(s, u, v, d, w, h);
    if (rt.x >= 0.0) { best = min(best, rt.x); }
  }
  cost[idx] = cost[idx] + weight * best;
}
