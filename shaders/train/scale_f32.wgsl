// In-place scale of a flat f32 buffer: values[i] *= u.factor for i < u.count. CoR-GS weights
// its pseudo-view co-regularization gradient with it (the SSIM + L1 backward writes a
// unit-weight gradient). Reference: engine/train/co-regularization/reference/co-reg-ref.ts.
//
// Bindings:
//   0 values [count] f32 (read and written)
//   1 uniforms { count: u32, factor: f32 }
#include "common/dispatch"

struct ScaleUniforms { count: u32, factor: f32, _p0: u32, _p1: u32 };

@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@group(0) @binding(1) var<uniform> u: ScaleUniforms;

const WG: u32 = 256u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= u.count) { return; }
  values[i] = values[i] * u.factor;
}
