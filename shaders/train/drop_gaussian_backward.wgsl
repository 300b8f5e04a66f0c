// DropGaussian backward: the rasterizer's dL/dl' (w.r.t. the rendered scene's logits) mapped in
// place to dL/dl (w.r.t. the trained logits).
//   dropped:            0
//   kept, below cap:    dl'/dl = (1 - sigmoid(l)) / (1 - c sigmoid(l))
//                              = 1 / (1 - (c - 1) e^l)      (l <= 0)
//                              = e^-l / (e^-l - (c - 1))    (l > 0)
//   kept, at the cap:   c sigmoid(l)(1 - sigmoid(l)) / (cap (1 - cap))  (straight-through: dL/do'
//                       passed on as if uncapped; sigmoid(l)(1 - sigmoid(l)) = e^-|l| / (1 + e^-|l|)^2)
// A kept Gaussian is at the cap iff the forward wrote cap_logit (min(lp, cap_logit)).
// Reference: engine/train/regularizers/reference/drop-gaussian-ref.ts (dropGaussianBackwardRef).
//
// Bindings:
//   0 opacity_logits [N] f32 (read: the trained scene)
//   1 dropped_logits [N] f32 (read: what the forward wrote)
//   2 v_opacity_logits [N] f32 (read and written)
//   3 uniforms (DropUniforms)
#include "common/dispatch"
#include "train/drop_gaussian_common"

@group(0) @binding(0) var<storage, read> opacity_logits: array<f32>;
@group(0) @binding(1) var<storage, read> dropped_logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> v_opacity_logits: array<f32>;
@group(0) @binding(3) var<uniform> u: DropUniforms;

const WG: u32 = 256u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= u.count) { return; }
  if (!drop_keep(u, i)) {
    v_opacity_logits[i] = 0.0;
    return;
  }
  let l = opacity_logits[i];
  var factor: f32;
  if (dropped_logits[i] >= u.cap_logit) {
    let e = exp(-abs(l));
    factor = (1.0 + u.c_minus_1) * e / ((1.0 + e) * (1.0 + e)) / u.cap_slope;
  } else if (l <= 0.0) {
    factor = 1.0 / (1.0 - u.c_minus_1 * exp(l));
  } else {
    let e = exp(-l);
    factor = e / (e - u.c_minus_1);
  }
  v_opacity_logits[i] = v_opacity_logits[i] * factor;
}
