// Multi-view geometric consistency of a reference depth map (forward-backward reprojection).
//
// A reference pixel p with depth d is lifted to 3-D, projected into source s, the source
// depth at the nearest pixel is read and lifted at the projected position, then projected
// back into the reference. The pixel is consistent with s when the round trip lands within
// maxReprojPx pixels of p and the returned depth is within maxRelDepth of d.
// Depth <= 0 means unknown.
//
// Buffers (bind group 0):
//   0 refDepth: [H, W] f32
//   1 srcDepth: [S, H, W] f32
//   2 cams:     [S, 32] f32   per source: srcFromRef R (9, row-major), t (3); refFromSrc R (9), t (3);
//                             source fx, fy, cx, cy; reference fx, fy, cx, cy
//   3 dims:     [3] u32       W, H, S
//   4 params:   [2] f32       maxReprojPx, maxRelDepth
//   5 count:    [H, W] f32 out  number of consistent sources
//   6 minError: [H, W] f32 out  smallest round-trip error in pixels over sources (1e9 if none)
#include "common/dispatch"

@group(0) @binding(0) var<storage, read> ref_depth: array<f32>;
@group(0) @binding(1) var<storage, read> src_depth: array<f32>;
@group(0) @binding(2) var<storage, read> cams: array<f32>;
@group(0) @binding(3) var<storage, read> dims: array<u32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> count: array<f32>;
@group(0) @binding(6) var<storage, read_write> min_error: array<f32>;

fn rigid(o: u32, x: vec3<f32>) -> vec3<f32> {
  return vec3<f32>(
    cams[o] * x.x + cams[o + 1u] * x.y + cams[o + 2u] * x.z + cams[o + 9u],
    cams[o + 3u] * x.x + cams[o + 4u] * x.y + cams[o + 5u] * x.z + cams[o + 10u],
    cams[o + 6u] * x.x + cams[o + 7u] * x.y + cams[o + 8u] * x.z + cams[o + 11u]);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = dims[0]; let h = dims[1]; let n_src = dims[2];
  let p = linear_index(gid, nwg, 64u);
  if (p >= w * h) { return; }
  let u = f32(p % w) + 0.5;
  let v = f32(p / w) + 0.5;
  let d = ref_depth[p];
  var n = 0.0;
  var best = 1e9;
  if (d > 0.0) {
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
      if (err < params[0] && abs(xr.z - d) < params[1] * d) { n += 1.0; }
    }
  }
  count[p] = n;
  min_error[p] = best;
}
