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
#include "depth/round_trip"

@group(0) @binding(0) var<storage, read> ref_depth: array<f32>;
@group(0) @binding(1) var<storage, read> src_depth: array<f32>;
@group(0) @binding(2) var<storage, read> cams: array<f32>;
@group(0) @binding(3) var<storage, read> dims: array<u32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> count: array<f32>;
@group(0) @binding(6) var<storage, read_write> min_error: array<f32>;

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
      let rt = round_trip(s, u, v, d, w, h);
      if (rt.x < 0.0) { continue; }
      best = min(best, rt.x);
      if (rt.x < params[0] && abs(rt.y - d) < params[1] * d) { n += 1.0; }
    }
  }
  count[p] = n;
  min_error[p] = best;
}
