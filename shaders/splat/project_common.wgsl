// EWA projection of one Gaussian, shared by project_forward and both projection backward
// kernels (which recompute it rather than store it). Twin of traceOne() in
// engine/splat/reference/project-ref.ts. Needs splat/render_uniforms included first.
struct ProjTrace {
  ok: bool,
  p: vec3<f32>,             // camera-space mean
  q: vec4<f32>,             // unit quaternion (w, x, y, z)
  q_norm: f32,
  s: vec3<f32>,             // exp(log scales)
  rq: mat3x3<f32>,          // rotation of q
  m: mat3x3<f32>,           // rq * diag(s)
  sigma_cam: mat3x3<f32>,   // camera-space 3-D covariance
  j0: vec3<f32>,            // rows of the 2x3 EWA Jacobian
  j1: vec3<f32>,
  clamped: vec2<bool>,      // x/z, y/z clamped to the widened frustum (no gradient to x, y there)
  txy: vec2<f32>,           // clamped x, y used in the Jacobian
  cov2: vec3<f32>,          // 2-D covariance (A, B, C) with the low-pass added
  det: f32,
}

fn quat_to_mat3(q: vec4<f32>) -> mat3x3<f32> {
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  // Rows of the rotation, transposed into WGSL's column-major constructor.
  return transpose(mat3x3<f32>(
    vec3<f32>(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y)),
    vec3<f32>(2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x)),
    vec3<f32>(2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y))));
}

fn project_trace(u: RenderUniforms, mean: vec3<f32>, log_scale: vec3<f32>, quat: vec4<f32>) -> ProjTrace {
  var t: ProjTrace;
  t.ok = false;
  let rot = world_to_camera_rotation(u);
  t.p = rot * mean + u.trans.xyz;
  if (!is_finite_vec3(t.p) || !(t.p.z >= u.trans.w)) { return t; }
  t.q_norm = length(quat);
  if (!is_finite_f32(t.q_norm) || !(t.q_norm > 0.0)) { return t; }
  t.q = quat / t.q_norm;
  t.s = exp(log_scale);
  if (!is_finite_vec3(t.s)) { return t; }
  t.rq = quat_to_mat3(t.q);
  t.m = t.rq * mat3x3<f32>(vec3<f32>(t.s.x, 0.0, 0.0), vec3<f32>(0.0, t.s.y, 0.0), vec3<f32>(0.0, 0.0, t.s.z));
  t.sigma_cam = rot * (t.m * transpose(t.m)) * transpose(rot);
  let z = t.p.z;
  let fx = u.focal.x; let fy = u.focal.y;
  let ux = t.p.x / z; let uy = t.p.y / z;
  let clamp_x = (ux > u.lim.x) || (ux < -u.lim.y);
  let clamp_y = (uy > u.lim.z) || (uy < -u.lim.w);
  t.clamped = vec2<bool>(clamp_x, clamp_y);
  t.txy = z * vec2<f32>(min(u.lim.x, max(-u.lim.y, ux)), min(u.lim.z, max(-u.lim.w, uy)));
  t.j0 = vec3<f32>(fx / z, 0.0, -fx * t.txy.x / (z * z));
  t.j1 = vec3<f32>(0.0, fy / z, -fy * t.txy.y / (z * z));
  let sj0 = t.sigma_cam * t.j0;
  let sj1 = t.sigma_cam * t.j1;
  t.cov2 = vec3<f32>(dot(t.j0, sj0) + LOW_PASS, dot(t.j0, sj1), dot(t.j1, sj1) + LOW_PASS);
  t.det = t.cov2.x * t.cov2.z - t.cov2.y * t.cov2.y;
  if (!is_finite_f32(t.det) || !(t.det > 0.0)) { return t; }
  t.ok = true;
  return t;
}

// Unit view direction from the camera centre to the mean (0,0,1 when they coincide) and |m - c|.
fn view_direction(u: RenderUniforms, mean: vec3<f32>) -> vec4<f32> {
  let d = mean - u.centre.xyz;
  let len = length(d);
  if (len > 0.0) { return vec4<f32>(d / len, len); }
  return vec4<f32>(0.0, 0.0, 1.0, 0.0);
}
