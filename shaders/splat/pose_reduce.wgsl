// Workgroup sum of each invocation's 6-DoF pose-gradient contribution (omega, tau), then one
// atomic_add_f32 per component into v_pose: 6 atomics per 256 splats instead of per splat.
// Every invocation of the workgroup must call it (it contains barriers).
// Needs `v_pose: array<atomic<u32>>` declared by the including kernel and common/float_atomic.
var<workgroup> s_pose_omega: array<vec3<f32>, 256>;
var<workgroup> s_pose_tau: array<vec3<f32>, 256>;

fn reduce_pose(lidx: u32, omega: vec3<f32>, tau: vec3<f32>) {
  s_pose_omega[lidx] = omega;
  s_pose_tau[lidx] = tau;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lidx < stride) {
      s_pose_omega[lidx] += s_pose_omega[lidx + stride];
      s_pose_tau[lidx] += s_pose_tau[lidx + stride];
    }
    workgroupBarrier();
  }
  if (lidx == 0u) {
    let o = s_pose_omega[0];
    let t = s_pose_tau[0];
    atomic_add_f32(&v_pose[0], o.x);
    atomic_add_f32(&v_pose[1], o.y);
    atomic_add_f32(&v_pose[2], o.z);
    atomic_add_f32(&v_pose[3], t.x);
    atomic_add_f32(&v_pose[4], t.y);
    atomic_add_f32(&v_pose[5], t.z);
  }
}
