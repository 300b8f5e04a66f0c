// One separable pass of a box filter over each plane of the cost volume (cost aggregation):
// averages the matching cost over 2R+1 pixels along one axis, so weakly textured pixels
// inherit the evidence of their surroundings. Taps outside the image are skipped (the mean
// is over the taps inside). Run once per axis.
//
// Buffers (bind group 0):
//   0 src:  [D, H, W] f32
//   1 dims: [5] u32   W, H, D, R, axis (0 = along x, 1 = along y)
//   2 dst:  [D, H, W] f32 out
#include "common/dispatch"

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> dims: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = dims[0]; let h = dims[1]; let n_planes = dims[2];
  let radius = i32(dims[3]); let axis = dims[4];
  let idx = linear_index(gid, nwg, 64u);
  if (idx >= w * h * n_planes) { return; }
  let plane_base = (idx / (w * h)) * w * h;
  let pix = idx % (w * h);
  let x = i32(pix % w);
  let y = i32(pix / w);
  var total = 0.0;
  var n = 0.0;
  for (var k = -radius; k <= radius; k++) {
    var qx = x; var qy = y;
    if (axis == 0u) { qx = x + k; } else { qy = y + k; }
    if (qx < 0 || qy < 0 || qx >= i32(w) || qy >= i32(h)) { continue; }
    total += src[plane_base + u32(qy) * w + u32(qx)];
    n += 1.0;
  }
  dst[idx] = total / n;
}
