// Per-render constants shared by every splat kernel (host side: engine/splat/render-uniforms.ts).
// Cut-off values (ALPHA_MIN, ...) arrive as host defines from engine/splat/constants.ts.
struct RenderUniforms {
  rot0: vec4<f32>,        // world-to-camera rotation, row 0 (xyz)
  rot1: vec4<f32>,        // row 1
  rot2: vec4<f32>,        // row 2
  trans: vec4<f32>,       // world-to-camera translation (xyz), near plane (w)
  focal: vec4<f32>,       // fx, fy, cx, cy
  centre: vec4<f32>,      // camera centre in world coordinates (xyz)
  background: vec4<f32>,  // rgb
  lim: vec4<f32>,         // x/z and y/z clamp of the projection Jacobian: +x, -x, +y, -y
  dims: vec4<u32>,        // width, height, tilesX, tilesY
  counts: vec4<u32>,      // N splats, active SH degree, SH coefficients per splat in the buffer (K), intersections
}

// True for finite f32 (not NaN or +-Inf), by bit pattern so fast-math cannot fold it away.
fn is_finite_f32(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn is_finite_vec3(v: vec3<f32>) -> bool {
  return is_finite_f32(v.x) && is_finite_f32(v.y) && is_finite_f32(v.z);
}

fn world_to_camera_rotation(u: RenderUniforms) -> mat3x3<f32> {
  // WGSL matrices are column-major: columns of R are built from the rows' components.
  return transpose(mat3x3<f32>(u.rot0.xyz, u.rot1.xyz, u.rot2.xyz));
}
