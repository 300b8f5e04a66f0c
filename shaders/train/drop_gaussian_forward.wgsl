// DropGaussian forward: the opacity logits of the scene rendered for one training step.
//   kept (drop_keep):  l' = logit(min(c * sigmoid(l), cap)),  c = 1 / (1 - rate)
//   dropped:           l' = dropped_logit (opacity ~0: below ALPHA_MIN at every pixel)
// c * sigmoid(l) as a logit without overflow (both are exact rewrites of logit(c sigmoid(l))):
//   l <= 0:  l' = ln c + l - ln(1 - (c - 1) e^l)
//   l >  0:  l' = ln c - ln(e^-l - (c - 1))
// A non-positive argument of ln means c sigmoid(l) >= 1: capped.
// Reference: engine/train/regularizers/reference/drop-gaussian-ref.ts (dropGaussianForwardRef).
//
// Bindings:
//   0 opacity_logits [N] f32 (read: the trained scene)
//   1 dropped_logits [N] f32 (written: the rendered scene)
//   2 uniforms (DropUniforms)
#include "common/dispatch"
#include "train/drop_gaussian_common"

@group(0) @binding(0) var<storage, read> opacity_logits: array<f32>;
@group(0) @binding(1) var<storage, read_write> dropped_logits: array<f32>;
@group(0) @binding(2) var<uniform> u: DropUniforms;

const WG: u32 = 256u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= u.count) { return; }
  if (!drop_keep(u, i)) {
    dropped_logits[i] = u.dropped_logit;
    return;
  }
  let l = opacity_logits[i];
  var lp = u.cap_logit;
  if (l <= 0.0) {
    let a = 1.0 - u.c_minus_1 * exp(l);
    if (a > 0.0) { lp = u.log_c + l - log(a); }
  } else {
    let d = exp(-l) - u.c_minus_1;
    if (d > 0.0) { lp = u.log_c - log(d); }
  }
  dropped_logits[i] = min(lp, u.cap_logit);
}
