// Plane-sweep matching cost for one reference view (one thread per pixel and plane).
//
// For fronto-parallel planes of the reference camera at inverse depth rho, the
// plane-induced homography maps a reference pixel x = (u, v, 1) to
//   x_s ~ A x + rho * b,   A = K_s R_sr K_r^-1,  b = K_s t_sr
// (R_sr, t_sr: reference camera frame -> source camera frame). Pixel centres are at +0.5.
// Each source view scores the (2R+1)^2 window around the pixel by zero-mean NCC;
// cost = 1 - NCC in [0, 2]. A source whose warped centre leaves the image, or whose
// window (or the reference window) has variance below minVar, scores 1 (no evidence).
// The plane cost is the mean of the bestK smallest source costs (robust to occlusion).
//
// Buffers (bind group 0):
//   0 ref:      [H, W] f32        reference grayscale
//   1 src:      [S, H, W] f32     source grayscale
//   2 warp:     [S, 12] f32       per source: A (row-major 3x3), b (3)
//   3 invDepth: [D] f32           inverse depth of each plane
//   4 dims:     [6] u32           W, H, S, D, R (window radius), bestK
//   5 params:   [1] f32           minVar
//   6 cost:     [D, H, W] f32     out
#include "common/dispatch"

const MAX_SRC: u32 = 8u;

@group(0) @binding(0) var<storage, read> ref_img: array<f32>;
@group(0) @binding(1) var<storage, read> src_img: array<f32>;
@group(0) @binding(2) var<storage, read> warp: array<f32>;
@group(0) @binding(3) var<storage, read> inv_depth: array<f32>;
@group(0) @binding(4) var<storage, read> dims: array<u32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> cost: array<f32>;

// Bilinear sample of source s at continuous pixel coords (pixel centres at +0.5), clamped to the edge.
fn sample_src(s: u32, x: f32, y: f32, w: u32, h: u32) -> f32 {
  let fx = clamp(x - 0.5, 0.0, f32(w - 1u));
  let fy = clamp(y - 0.5, 0.0, f32(h - 1u));
  let x0 = min(u32(floor(fx)), w - 1u);
  let y0 = min(u32(floor(fy)), h - 1u);
  let x1 = min(x0 + 1u, w - 1u);
  let y1 = min(y0 + 1u, h - 1u);
  let ax = fx - f32(x0);
  let ay = fy - f32(y0);
  let base = s * w * h;
  let top = mix(src_img[base + y0 * w + x0], src_img[base + y0 * w + x1], ax);
  let bot = mix(src_img[base + y1 * w + x0], src_img[base + y1 * w + x1], ax);
  return mix(top, bot, ay);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = dims[0]; let h = dims[1]; let n_src = dims[2]; let n_planes = dims[3];
  let radius = i32(dims[4]); let best_k = dims[5];
  let idx = linear_index(gid, nwg, 64u);
  if (idx >= w * h * n_planes) { return; }
  let plane = idx / (w * h);
  let pix = idx % (w * h);
  let px = i32(pix % w);
  let py = i32(pix / w);
  let rho = inv_depth[plane];
  let min_var = params[0];
  let taps = f32((2 * radius + 1) * (2 * radius + 1));

  var costs: array<f32, MAX_SRC>;
  for (var s = 0u; s < n_src; s++) {
    let o = s * 12u;
    let cu = f32(px) + 0.5; let cv = f32(py) + 0.5;
    let cz = warp[o + 6u] * cu + warp[o + 7u] * cv + warp[o + 8u] + rho * warp[o + 11u];
    let cx = (warp[o + 0u] * cu + warp[o + 1u] * cv + warp[o + 2u] + rho * warp[o + 9u]) / cz;
    let cy = (warp[o + 3u] * cu + warp[o + 4u] * cv + warp[o + 5u] + rho * warp[o + 10u]) / cz;
    costs[s] = 1.0;
    if (cz <= 0.0 || cx < 0.0 || cy < 0.0 || cx > f32(w) || cy > f32(h)) { continue; }
    var sr = 0.0; var ss = 0.0; var srr = 0.0; var sss = 0.0; var srs = 0.0;
    for (var dy = -radius; dy <= radius; dy++) {
      for (var dx = -radius; dx <= radius; dx++) {
        let qx = clamp(px + dx, 0, i32(w) - 1);
        let qy = clamp(py + dy, 0, i32(h) - 1);
        let r = ref_img[u32(qy) * w + u32(qx)];
        let u = f32(qx) + 0.5; let v = f32(qy) + 0.5;
        let z = warp[o + 6u] * u + warp[o + 7u] * v + warp[o + 8u] + rho * warp[o + 11u];
        let x = (warp[o + 0u] * u + warp[o + 1u] * v + warp[o + 2u] + rho * warp[o + 9u]) / z;
        let y = (warp[o + 3u] * u + warp[o + 4u] * v + warp[o + 5u] + rho * warp[o + 10u]) / z;
        let t = sample_src(s, x, y, w, h);
        sr += r; ss += t; srr += r * r; sss += t * t; srs += r * t;
      }
    }
    let mr = sr / taps; let ms = ss / taps;
    let var_r = srr / taps - mr * mr;
    let var_s = sss / taps - ms * ms;
    if (var_r < min_var || var_s < min_var) { continue; }
    let ncc = (srs / taps - mr * ms) / sqrt(var_r * var_s);
    costs[s] = clamp(1.0 - ncc, 0.0, 2.0);
  }
  // Mean of the bestK smallest costs (partial selection sort; n_src <= MAX_SRC).
  let k = min(best_k, n_src);
  var total = 0.0;
  for (var i = 0u; i < k; i++) {
    var m = i;
    for (var j = i + 1u; j < n_src; j++) { if (costs[j] < costs[m]) { m = j; } }
    let tmp = costs[i]; costs[i] = costs[m]; costs[m] = tmp;
    total += costs[i];
  }
  cost[idx] = total / f32(max(k, 1u));
}
