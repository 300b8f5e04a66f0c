// Display pass 3: screen-aligned quads (two triangles each), one per visible splat in
// back-to-front order, blended with premultiplied "over" (src * 1 + dst * (1 - src_alpha)) onto
// a target cleared to the background colour. Not a compute kernel: a vertex + fragment pair.
// Two ways to feed the vertex stage, the same quads and triangle order either way:
//   default (instanced): one instance per splat, 4 vertices as a triangle strip; the record
//     arrives as instance attributes (the display/display_splat_record layout, 32-byte stride):
//       0 float32x4 (centre x, centre y, axis x, axis y) pixels
//       1 float32x2 (minor/major ratio, support k)
//       2 float16x4 (red, green, blue, opacity)
//   VERTEX_PULL (indexed): one non-instanced indexed triangle list over all splats, vertex
//     4 s + c is corner c of draw rank s, the index buffer holds (4s, 4s+1, 4s+2, 4s+2, 4s+1, 4s+3)
//     (the strip's two triangles, same winding); the vertex shader reads rank s's record from
//     `drawn` (a vertex-stage storage buffer). Software rasterizers (SwiftShader) run each
//     instance as a separate draw call; this path is one draw call for all splats.
// Corner c: (s, t) = (2 (c & 1) - 1, 2 (c >> 1) - 1).
// Bindings: 0 view: (width, height, -, -) f32 of the target;
//           1 drawn: [V, 2] vec4<u32> records by draw rank (VERTEX_PULL only).
// Per fragment, Mahalanobis distance^2 m^2 = |uv|^2 with uv = k (s, t) interpolated from the
// corners; alpha = min(ALPHA_MAX, opacity exp(-m^2 / 2)), discarded below ALPHA_MIN (the engine
// rasterizer's per-pixel rule; pixel centres at +0.5, as fragment positions are) or outside the
// support ellipse m <= k (the quad's corners reach m = k sqrt(2)).
@group(0) @binding(0) var<uniform> view: vec4<f32>;
#ifdef VERTEX_PULL
@group(0) @binding(1) var<storage, read> drawn: array<vec4<u32>>;
#endif

struct VsOut {
  @builtin(position) pos: vec4<f32>,
  @location(0) uv: vec2<f32>,
  @location(1) @interpolate(flat, either) color: vec4<f32>,
  @location(2) @interpolate(flat, either) k2: f32,
};

fn quad_corner(c: u32, centre_axis: vec4<f32>, ratio_k: vec2<f32>, color: vec4<f32>) -> VsOut {
  let st = vec2<f32>(f32(c & 1u) * 2.0 - 1.0, f32(c >> 1u) * 2.0 - 1.0);
  let axis = centre_axis.zw;
  let minor = ratio_k.x * vec2<f32>(-axis.y, axis.x);
  let p = centre_axis.xy + st.x * axis + st.y * minor;
  var o: VsOut;
  o.pos = vec4<f32>(2.0 * p.x / view.x - 1.0, 1.0 - 2.0 * p.y / view.y, 0.0, 1.0);
  o.uv = ratio_k.y * st;
  o.color = color;
  o.k2 = ratio_k.y * ratio_k.y;
  return o;
}

#ifdef VERTEX_PULL
@vertex
fn vs(@builtin(vertex_index) v: u32) -> VsOut {
  let s = v >> 2u;
  let a = drawn[2u * s];
  let b = drawn[2u * s + 1u];
  let color = vec4<f32>(unpack2x16float(b.z), unpack2x16float(b.w));
  return quad_corner(v & 3u, bitcast<vec4<f32>>(a), bitcast<vec2<f32>>(b.xy), color);
}
#else
@vertex
fn vs(@builtin(vertex_index) v: u32, @location(0) centre_axis: vec4<f32>, @location(1) ratio_k: vec2<f32>,
      @location(2) color: vec4<f32>) -> VsOut {
  return quad_corner(v, centre_axis, ratio_k, color);
}
#endif

@fragment
fn fs(in: VsOut) -> @location(0) vec4<f32> {
  let m2 = dot(in.uv, in.uv);
  let alpha = min(ALPHA_MAX, in.color.w * exp(-0.5 * m2));
  if (m2 > in.k2 || alpha < ALPHA_MIN) { discard; }
  return vec4<f32>(in.color.xyz * alpha, alpha);
}
