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

@group(0) @binding(0) var<storage, read_write> cost: array<f32>;
@group(0) @binding(1) var<storage, read> src_depth: array<f32>;
@group(0) @binding(2) var<storage, read> cams: array<f32>;
@group(0) @binding(3) var<storage, read> inv_depth: array<f32>;
@group(0) @binding(4) var<storage, read> dims: array<u32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;

fn rigid(o: u32, x: vec3<f32>) -> vec3<f32> {
  return vec3<f32>(
    cams[o] * x.x + cams[o + 1u] * x.y + cams[o + 2u] * x.z + cams[o + 9u],
    cams[o + 3u] * x.x + cams[o + 4u] * x.y + cams[o + 5u] * x.z + cams[o + 10u],
    cams[o + 6u] * x.x + cams[o + 7u] * x.y + cams[o + 8u] * x.z + cams[o + 11u]);
}

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
    let o = s * 32u;
    let rfx = cams[o + 28u]; let rfy = cams[o + 29u]; let rcx = cams[o + 30u]; let rcy = cams[o + 31u];
    let sfx = cams[o + 24u]; let sfy = cams[o + 25u]; let scx = cams[o + 26u]; let scy = cams[o + 27u];
    let xs = rigid(o, vec3<f32>((u - rcx) / rfx * d, (v - rcy) / rfy * d, d));
    if (xs.z <= 0.0) { continue; }
    let us = sfx * xs.x / xs.z + scx;
    let vs = sfy * xs.y / xs.z + scy;
    if (us < 0.0 || vs < 0.0 || us >= f32(w) || vs >= f32(h)) { continue; }
    let ds = src_depth[s * w * h + u32(vs) * w + u32(us)];
    if (ds <= 0.0) { continue; }
    let xr = rigid(o + 12u, vec3<f32>((us - scx) / sfx * ds, (vs - scy) / sfy * ds, ds));
    if (xr.z <= 0.0) { continue; }
    let err = length(vec2<f32>(rfx * xr.x / xr.z + rcx - u, rfy * xr.y / xr.z + rcy - v));
    best = min(best, err);
  }
  cost[idx] = cost[idx] + weight * best;
}
