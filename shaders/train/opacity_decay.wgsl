// Opacity decay (Binocular3DGS): every opacity is multiplied by a factor f < 1, in logit space:
//   sigmoid(l') = f * sigmoid(l)  <=>  l' = l + ln f - ln(1 + (1 - f) e^l)
//                                      = ln f - ln((1 - f) + e^-l)   (the form used for l > 0,
// so that e^l never overflows; both forms are exact rewrites of each other).
// Reference: engine/train/regularizers/reference/binocular-ref.ts (opacityDecayRef).
//
// Bindings:
//   0 opacity_logits [N] f32 (read and written)
//   1 uniforms
#include "common/dispatch"

struct DecayUniforms { count: u32, _p: u32, log_f: f32, one_minus_f: f32 };

@group(0) @binding(0) var<storage, read_write> opacity_logits: array<f32>;
@group(0) @binding(1) var<uniform> u: DecayUniforms;

const WG: u32 = 256u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= u.count) { return; }
  let l = opacity_logits[i];
  if (l > 0.0) {
    opacity_logits[i] = u.log_f - log(u.one_minus_f + exp(-l));
  } else {
    opacity_logits[i] = l + u.log_f - log(1.0 + u.one_minus_f * exp(l));
  }
}
