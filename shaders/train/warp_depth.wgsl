// Forward-warps a depth map from a source camera into a target camera with a z-buffer:
// each source pixel with a valid depth is unprojected, moved into the target camera and
// splatted to its nearest pixel with atomicMin on the depth's bit pattern (positive f32
// bit patterns order like the floats, so u32 min is float min). Untouched target pixels
// stay 0xffffffff and read as invalid (see warp_depth_resolve).
//
// Bindings:
//   0 src_depth [Hs, Ws] f32 (z along the source optical axis; <= 0 or non-finite = invalid)
//   1 zbuf [Ht, Wt] atomic<u32>, cleared to 0xffffffff by the host
//   2 uniforms
struct WarpUniforms {
  src_size: vec2<u32>, dst_size: vec2<u32>,
  src_intr: vec4<f32>,        // fx, fy, cx, cy of the source
  dst_intr: vec4<f32>,        // of the target
  rel_r0: vec4<f32>, rel_r1: vec4<f32>, rel_r2: vec4<f32>, // target-from-source [R | t] rows
};

@group(0) @binding(0) var<storage, read> src_depth: array<f32>;
@group(0) @binding(1) var<storage, read_write> zbuf: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> u: WarpUniforms;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.src_size.x || gid.y >= u.src_size.y) { return; }
  let z = src_depth[gid.y * u.src_size.x + gid.x];
  if ((bitcast<u32>(z) & 0x7f800000u) == 0x7f800000u || z <= 0.0) { return; }
  let p = vec3<f32>((f32(gid.x) + 0.5 - u.src_intr.z) / u.src_intr.x * z, (f32(gid.y) + 0.5 - u.src_intr.w) / u.src_intr.y * z, z);
  let q = vec3<f32>(dot(u.rel_r0.xyz, p) + u.rel_r0.w, dot(u.rel_r1.xyz, p) + u.rel_r1.w, dot(u.rel_r2.xyz, p) + u.rel_r2.w);
  if (q.z <= 1e-6) { return; }
  let px = u.dst_intr.x * q.x / q.z + u.dst_intr.z;
  let py = u.dst_intr.y * q.y / q.z + u.dst_intr.w;
  if (px < 0.0 || py < 0.0 || px >= f32(u.dst_size.x) || py >= f32(u.dst_size.y)) { return; }
  let i = u32(py) * u.dst_size.x + u32(px);
  atomicMin(&zbuf[i], bitcast<u32>(q.z));
}
