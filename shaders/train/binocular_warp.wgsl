// Binocular stereo consistency (Binocular3DGS, Han et al. 2024), forward and backward in one
// pass; reference: engine/train/regularizers/reference/binocular-ref.ts.
//
// A virtual camera is the training camera moved by a baseline b along its own x axis (same
// rotation and intrinsics), so a point at depth z shifts horizontally by fx*b/z pixels and rows
// map to the same rows. The shifted camera's render is sampled back into the training view
// through the training view's rendered depth z = depth/alpha (backward warp, linear
// interpolation along x), and compared with the training photo:
//   sx = x - fxb / z,  warped(x) = (1-f) S[x0] + f S[x0+1],  x0 = floor(sx), f = sx - x0
//   L  = weight/(3HW) * sum over valid pixels and channels |warped - target|
// A pixel is valid when alpha >= min_alpha, z > 0 and 0 <= sx <= W-1. Gradients go to the
// shifted render (v_shifted, written) and, through the sampling position, to the training
// view's depth and alpha (v_depth, v_alpha, added).
//
// One invocation per image row: a row of training pixels only reads and writes the same row
// of the shifted image, so the scatter into v_shifted needs no atomics and sums in a fixed
// order (deterministic).
//
// Bindings:
//   0 shifted [H, W, 3] f32   render of the shifted camera
//   1 target  [H, W, 3] f32   training photo
//   2 depth   [H, W] f32      training view's sum(w z)
//   3 alpha   [H, W] f32      training view's sum(w)
//   4 v_shifted [H, W, 3] f32 (written: every element of the row)
//   5 v_depth [H, W] f32 (+=)
//   6 v_alpha [H, W] f32 (+=)
//   7 row_loss [H] f32 (written)
//   8 uniforms
#include "common/dispatch"

struct BinocularUniforms {
  width: u32, height: u32, fxb: f32, weight_over_n: f32,
  min_alpha: f32, _p0: f32, _p1: f32, _p2: f32,
};

@group(0) @binding(0) var<storage, read> shifted: array<f32>;
@group(0) @binding(1) var<storage, read> target_rgb: array<f32>;
@group(0) @binding(2) var<storage, read> depth: array<f32>;
@group(0) @binding(3) var<storage, read> alpha: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_shifted: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_depth: array<f32>;
@group(0) @binding(6) var<storage, read_write> v_alpha: array<f32>;
@group(0) @binding(7) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(8) var<uniform> u: BinocularUniforms;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let y = linear_index(gid, nwg, WG);
  if (y >= u.height) { return; }
  let W = u.width;
  let row = y * W;
  for (var x = 0u; x < W * 3u; x = x + 1u) { v_shifted[row * 3u + x] = 0.0; }
  var loss = 0.0;
  for (var x = 0u; x < W; x = x + 1u) {
    let p = row + x;
    let a = alpha[p];
    if (a < u.min_alpha) { continue; }
    let z = depth[p] / a;
    if (z <= 0.0) { continue; }
    let sx = f32(x) - u.fxb / z;
    if (!(sx >= 0.0 && sx <= f32(W - 1u))) { continue; }
    let x0 = min(u32(floor(sx)), W - 1u);
    let x1 = min(x0 + 1u, W - 1u);
    let f = sx - f32(x0);
    var dsx = 0.0;
    for (var c = 0u; c < 3u; c = c + 1u) {
      let s0 = shifted[(row + x0) * 3u + c];
      let s1 = shifted[(row + x1) * 3u + c];
      let r = (1.0 - f) * s0 + f * s1 - target_rgb[p * 3u + c];
      loss = loss + abs(r);
      let g = u.weight_over_n * sign(r);
      v_shifted[(row + x0) * 3u + c] = v_shifted[(row + x0) * 3u + c] + g * (1.0 - f);
      v_shifted[(row + x1) * 3u + c] = v_shifted[(row + x1) * 3u + c] + g * f;
      dsx = dsx + g * (s1 - s0);
    }
    // sx = x - fxb * a / depth: d sx / d depth = fxb / (z * depth) = fxb / (z^2 a), d sx / d a = -fxb / depth
    let dz = dsx * u.fxb / (z * z);
    v_depth[p] = v_depth[p] + dz / a;
    v_alpha[p] = v_alpha[p] - dz * z / a;
  }
  row_loss[y] = u.weight_over_n * loss;
}
