// Backward of the projection's appearance: colour gradients -> SH coefficients, the mean
// (through the view direction) and the camera pose (through the camera centre); the opacity
// logit gradient is moved from v_splat2d into v_opacity_logits. One invocation per splat.
//
// Bindings (N = counts.x, K = counts.z):
//   0 means: [N, 3] f32   1 sh: [N, K, 3] f32   2 v_splat2d: [N, 10] f32
//   3 v_sh: [N, K, 3] f32 +=   4 v_means: [N, 3] f32 +=   5 v_opacity_logits: [N] f32 +=
//   6 v_pose: [6] f32 as atomic<u32> +=   7 uniforms
#include "common/dispatch"
#include "common/float_atomic"
#include "splat/render_uniforms"
#include "splat/project_common"
#include "splat/sh"

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> sh: array<f32>;
@group(0) @binding(2) var<storage, read> v_splat2d: array<f32>;
@group(0) @binding(3) var<storage, read_write> v_sh: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_means: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_opacity_logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> v_pose: array<atomic<u32>>;
@group(0) @binding(7) var<uniform> u: RenderUniforms;

#include "splat/pose_reduce"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let i = linear_index(gid, nwg, 256u);
  var tau = vec3<f32>(0.0);
  if (i < u.counts.x) {
    let vb = i * 10u;
    v_opacity_logits[i] += v_splat2d[vb + 8u];
    var vc = vec3<f32>(v_splat2d[vb + 5u], v_splat2d[vb + 6u], v_splat2d[vb + 7u]);
    if (any(vc != vec3<f32>(0.0))) {
      let mean = vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
      let view = view_direction(u, mean);
      let dir = view.xyz;
      let deg = u.counts.y;
      let K = u.counts.z;
      let ncoef = (deg + 1u) * (deg + 1u);
      let basis = sh_basis(deg, dir);
      var raw = vec3<f32>(0.5);
      for (var k = 0u; k < ncoef; k++) {
        let o = (i * K + k) * 3u;
        raw += basis[k] * vec3<f32>(sh[o], sh[o + 1u], sh[o + 2u]);
      }
      // The forward clamps colour at 0: no gradient where it clipped.
      vc = select(vec3<f32>(0.0), vc, raw > vec3<f32>(0.0));
      var w: array<f32, 16>;
      for (var k = 0u; k < ncoef; k++) {
        let o = (i * K + k) * 3u;
        let coef = vec3<f32>(sh[o], sh[o + 1u], sh[o + 2u]);
        let vsh = basis[k] * vc;
        v_sh[o] += vsh.x;
        v_sh[o + 1u] += vsh.y;
        v_sh[o + 2u] += vsh.z;
        w[k] = dot(coef, vc);
      }
      if (view.w > 0.0) {
        let v_dir = sh_basis_grad_dot(deg, dir, w);
        let v_d = (v_dir - dir * dot(dir, v_dir)) / view.w;
        v_means[i * 3u] += v_d.x;
        v_means[i * 3u + 1u] += v_d.y;
        v_means[i * 3u + 2u] += v_d.z;
        // The camera centre moves by -R^T tau: dL/dtau = R v_d.
        tau = world_to_camera_rotation(u) * v_d;
      }
    }
  }
  reduce_pose(lidx, vec3<f32>(0.0), tau);
}
