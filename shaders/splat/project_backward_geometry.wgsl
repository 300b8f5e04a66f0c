// Backward of the projection's geometry: 2-D mean / conic / depth gradients -> means,
// log-scales, quaternions and the camera pose. One invocation per splat; the projection is
// recomputed (project_common) rather than stored. Twin of projectBackwardRef.
//
// Pose: for [R|t] <- exp([omega]x)[R|t] + (0, tau), i.e. p <- p + omega x p + tau,
// v_pose = dL/d(omega, tau) at 0, summed over splats.
//
// Bindings (N = counts.x):
//   0 means: [N, 3] f32   1 log_scales: [N, 3] f32   2 quats: [N, 4] f32
//   3 v_splat2d: [N, 10] f32 (layout in rasterize_backward.wgsl)
//   4 v_means: [N, 3] f32 +=   5 v_log_scales: [N, 3] f32 +=   6 v_quats: [N, 4] f32 +=
//   7 v_pose: [6] f32 as atomic<u32> +=  (omega xyz, tau xyz)
//   8 uniforms
#include "common/dispatch"
#include "common/float_atomic"
#include "splat/render_uniforms"
#include "splat/project_common"

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> log_scales: array<f32>;
@group(0) @binding(2) var<storage, read> quats: array<f32>;
@group(0) @binding(3) var<storage, read> v_splat2d: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_means: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_log_scales: array<f32>;
@group(0) @binding(6) var<storage, read_write> v_quats: array<f32>;
@group(0) @binding(7) var<storage, read_write> v_pose: array<atomic<u32>>;
@group(0) @binding(8) var<uniform> u: RenderUniforms;

#include "splat/pose_reduce"

fn outer3(a: vec3<f32>, b: vec3<f32>) -> mat3x3<f32> {
  return mat3x3<f32>(a * b.x, a * b.y, a * b.z); // M[r][c] = a[r] b[c]
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let i = linear_index(gid, nwg, 256u);
  var omega = vec3<f32>(0.0);
  var tau = vec3<f32>(0.0);
  if (i < u.counts.x) {
    let vb = i * 10u;
    let v_xy = vec2<f32>(v_splat2d[vb], v_splat2d[vb + 1u]);
    let v_conic = vec3<f32>(v_splat2d[vb + 2u], v_splat2d[vb + 3u], v_splat2d[vb + 4u]);
    let v_z = v_splat2d[vb + 9u];
    var t: ProjTrace;
    t.ok = false;
    if (any(v_xy != vec2<f32>(0.0)) || any(v_conic != vec3<f32>(0.0)) || v_z != 0.0) {
      t = project_trace(u,
        vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]),
        vec3<f32>(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]),
        vec4<f32>(quats[i * 4u], quats[i * 4u + 1u], quats[i * 4u + 2u], quats[i * 4u + 3u]));
    }
    if (t.ok) {
      let rot = world_to_camera_rotation(u);
      let A = t.cov2.x; let B = t.cov2.y; let C = t.cov2.z;
      let d2 = t.det * t.det;
      // conic = Sigma2^-1 = (C, -B, A) / det
      let vA = (v_conic.x * (-C * C) + v_conic.y * (B * C) + v_conic.z * (-B * B)) / d2;
      let vB = (v_conic.x * (2.0 * B * C) - v_conic.y * (A * C + B * B) + v_conic.z * (2.0 * A * B)) / d2;
      let vC = (v_conic.x * (-B * B) + v_conic.y * (A * B) + v_conic.z * (-A * A)) / d2;
      // Sigma2 = J Sc J^T: vSc = J^T G2 J, vJ = 2 G2 J Sc with G2 = [[vA, vB/2], [vB/2, vC]]
      let v_sc = vA * outer3(t.j0, t.j0) + 0.5 * vB * (outer3(t.j0, t.j1) + outer3(t.j1, t.j0)) + vC * outer3(t.j1, t.j1);
      let sj0 = t.sigma_cam * t.j0;
      let sj1 = t.sigma_cam * t.j1;
      let v_j0 = 2.0 * (vA * sj0 + 0.5 * vB * sj1);
      let v_j1 = 2.0 * (0.5 * vB * sj0 + vC * sj1);
      // Camera-space mean from the 2-D mean, the depth output and the Jacobian.
      let fx = u.focal.x; let fy = u.focal.y;
      let x = t.p.x; let y = t.p.y; let z = t.p.z;
      let z2 = z * z; let z3 = z2 * z;
      var vp = vec3<f32>(fx / z * v_xy.x, fy / z * v_xy.y, -fx * x / z2 * v_xy.x - fy * y / z2 * v_xy.y + v_z);
      vp.z += -fx / z2 * v_j0.x - fy / z2 * v_j1.y;
      if (!t.clamped.x) { vp.x += -fx / z2 * v_j0.z; }
      vp.z += (2.0 * fx * t.txy.x / z3 - select(0.0, fx * t.txy.x / z3, t.clamped.x)) * v_j0.z;
      if (!t.clamped.y) { vp.y += -fy / z2 * v_j1.z; }
      vp.z += (2.0 * fy * t.txy.y / z3 - select(0.0, fy * t.txy.y / z3, t.clamped.y)) * v_j1.z;
      let vm = transpose(rot) * vp;
      // Pose: p moves by omega x p + tau; Sc by [omega]x Sc - Sc [omega]x.
      let am = v_sc * t.sigma_cam - t.sigma_cam * v_sc; // am[c][r] is row r, column c
      omega = cross(t.p, vp) + vec3<f32>(am[1][2] - am[2][1], am[2][0] - am[0][2], am[0][1] - am[1][0]);
      tau = vp;
      // Sc = R S3 R^T, S3 = M M^T, M = Rq diag(s)
      let v_s3 = transpose(rot) * v_sc * rot;
      let v_m = (v_s3 + transpose(v_s3)) * t.m;
      let v_rq = v_m * mat3x3<f32>(vec3<f32>(t.s.x, 0.0, 0.0), vec3<f32>(0.0, t.s.y, 0.0), vec3<f32>(0.0, 0.0, t.s.z));
      let v_log_s = vec3<f32>(dot(v_m[0], t.rq[0]), dot(v_m[1], t.rq[1]), dot(v_m[2], t.rq[2])) * t.s;
      // Unit quaternion from the rotation gradient (row-major v[r*3+c] = v_rq[c][r]).
      let w = t.q.x; let qx = t.q.y; let qy = t.q.z; let qz = t.q.w;
      let r00 = v_rq[0][0]; let r01 = v_rq[1][0]; let r02 = v_rq[2][0];
      let r10 = v_rq[0][1]; let r11 = v_rq[1][1]; let r12 = v_rq[2][1];
      let r20 = v_rq[0][2]; let r21 = v_rq[1][2]; let r22 = v_rq[2][2];
      let v_qu = 2.0 * vec4<f32>(
        -qz * r01 + qy * r02 + qz * r10 - qx * r12 - qy * r20 + qx * r21,
        qy * r01 + qz * r02 + qy * r10 - 2.0 * qx * r11 - w * r12 + qz * r20 + w * r21 - 2.0 * qx * r22,
        -2.0 * qy * r00 + qx * r01 + w * r02 + qx * r10 + qz * r12 - w * r20 + qz * r21 - 2.0 * qy * r22,
        -2.0 * qz * r00 - w * r01 + qx * r02 + w * r10 - 2.0 * qz * r11 + qy * r12 + qx * r20 + qy * r21);
      let v_q = (v_qu - t.q * dot(t.q, v_qu)) / t.q_norm;
      for (var k = 0u; k < 3u; k++) {
        v_means[i * 3u + k] += vm[k];
        v_log_scales[i * 3u + k] += v_log_s[k];
      }
      for (var k = 0u; k < 4u; k++) { v_quats[i * 4u + k] += v_q[k]; }
    }
  }
  reduce_pose(lidx, omega, tau);
}
