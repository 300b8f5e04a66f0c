// Round trip of a reference pixel through one source view's depth map, shared by
// consistency.wgsl and geom_cost.wgsl. The including kernel declares
//   cams      [S, 32] f32  per source: srcFromRef R (9, row-major), t (3); refFromSrc R (9), t (3);
//                          source fx, fy, cx, cy; reference fx, fy, cx, cy
//   src_depth [S, H, W] f32  source depths, <= 0 = unknown

fn rigid(o: u32, x: vec3<f32>) -> vec3<f32> {
  return vec3<f32>(
    cams[o] * x.x + cams[o + 1u] * x.y + cams[o + 2u] * x.z + cams[o + 9u],
    cams[o + 3u] * x.x + cams[o + 4u] * x.y + cams[o + 5u] * x.z + cams[o + 10u],
    cams[o + 6u] * x.x + cams[o + 7u] * x.y + cams[o + 8u] * x.z + cams[o + 11u]);
}

// Pixel centre (u, v) at depth d -> source s -> its depth there -> back to the reference.
// Returns (round-trip error in pixels, depth back in the reference frame), or x < 0 when the
// trip falls behind a camera, outside the source image or on an unknown source depth.
fn round_trip(s: u32, u: f32, v: f32, d: f32, w: u32, h: u32) -> vec2<f32> {
  let o = s * 32u;
  let rfx = cams[o + 28u]; let rfy = cams[o + 29u]; let rcx = cams[o + 30u]; let rcy = cams[o + 31u];
  let sfx = cams[o + 24u]; let sfy = cams[o + 25u]; let scx = cams[o + 26u]; let scy = cams[o + 27u];
  let xs = rigid(o, vec3<f32>((u - rcx) / rfx * d, (v - rcy) / rfy * d, d));
  if (xs.z <= 0.0) { return vec2<f32>(-1.0, 0.0); }
  let us = sfx * xs.x / xs.z + scx;
  let vs = sfy * xs.y / xs.z + scy;
  if (us < 0.0 || vs < 0.0 || us >= f32(w) || vs >= f32(h)) { return vec2<f32>(-1.0, 0.0); }
  let ds = src_depth[s * w * h + u32(vs) * w + u32(us)];
  if (ds <= 0.0) { return vec2<f32>(-1.0, 0.0); }
  let xr = rigid(o + 12u, vec3<f32>((us - scx) / sfx * ds, (vs - scy) / sfy * ds, ds));
  if (xr.z <= 0.0) { return vec2<f32>(-1.0, 0.0); }
  return vec2<f32>(length(vec2<f32>(rfx * xr.x / xr.z + rcx - u, rfy * xr.y / xr.z + rcy - v)), xr.z);
}
