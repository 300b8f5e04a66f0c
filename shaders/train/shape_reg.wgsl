// Shape and opacity regularizers per Gaussian (anti-needle ratio, anti-blob size,
// opacity entropy); see engine/train/regularizers/reference/shape-ref.ts for the math.
// One invocation per Gaussian; it owns its gradient entries (no atomics), and ADDS
// into the gradient buffers the rasterizer backward also writes.
//
// Bindings:
//   0 log_scales [N, 3]   1 opacity_logits [N]
//   2 v_log_scales [N, 3] (+=)   3 v_opacity_logits [N] (+=)
//   4 partial_loss [numWorkgroups] f32: per-workgroup loss sums (the host adds them)
//   5 uniforms
#include "common/dispatch"

struct ShapeRegUniforms {
  count: u32, _pad: u32, inv_count: f32, w_ratio: f32,
  max_ratio: f32, w_huge: f32, max_scale: f32, w_opacity: f32,
};

@group(0) @binding(0) var<storage, read> log_scales: array<f32>;
@group(0) @binding(1) var<storage, read> opacity_logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> v_log_scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> v_opacity_logits: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial_loss: array<f32>;
@group(0) @binding(5) var<uniform> u: ShapeRegUniforms;

const WG: u32 = 128u;
var<workgroup> s_loss: array<f32, WG>;

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  var loss = 0.0;
  if (i < u.count) {
    var amax = 0u;
    var amin = 0u;
    for (var a = 1u; a < 3u; a = a + 1u) {
      if (log_scales[i * 3u + a] > log_scales[i * 3u + amax]) { amax = a; }
      if (log_scales[i * 3u + a] < log_scales[i * 3u + amin]) { amin = a; }
    }
    let lmax = log_scales[i * 3u + amax];
    let lmin = log_scales[i * 3u + amin];
    let ratio = exp(lmax - lmin);
    var g_max = 0.0;
    var g_min = 0.0;
    if (ratio > u.max_ratio) {
      loss = loss + u.inv_count * u.w_ratio * (ratio - u.max_ratio);
      g_max = g_max + u.inv_count * u.w_ratio * ratio;
      g_min = g_min - u.inv_count * u.w_ratio * ratio;
    }
    let smax = exp(lmax);
    if (smax > u.max_scale) {
      let d = smax - u.max_scale;
      loss = loss + u.inv_count * u.w_huge * d * d;
      g_max = g_max + u.inv_count * u.w_huge * 2.0 * d * smax;
    }
    v_log_scales[i * 3u + amax] = v_log_scales[i * 3u + amax] + g_max;
    v_log_scales[i * 3u + amin] = v_log_scales[i * 3u + amin] + g_min;
    let o = opacity_logits[i];
    let s = 1.0 / (1.0 + exp(-o));
    if (s > 0.0 && s < 1.0) {
      loss = loss - u.inv_count * u.w_opacity * (s * log(s) + (1.0 - s) * log(1.0 - s));
    }
    v_opacity_logits[i] = v_opacity_logits[i] - u.inv_count * u.w_opacity * o * s * (1.0 - s);
  }
  s_loss[lidx] = loss;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride >> 1u) {
    if (lidx < stride) { s_loss[lidx] = s_loss[lidx] + s_loss[lidx + stride]; }
    workgroupBarrier();
  }
  if (lidx == 0u) { partial_loss[wid.y * nwg.x + wid.x] = s_loss[0]; }
}
