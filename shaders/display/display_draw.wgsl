// Display pass 3: one instanced draw of screen-aligned quads (4 vertices, triangle strip), one
// instance per visible splat in back-to-front order, blended with premultiplied "over"
// (src * 1 + dst * (1 - src_alpha)) onto a target cleared to the background colour.
// Not a compute kernel: a vertex + fragment pair.
//
// Instance attributes (the display/display_splat_record layout, 32-byte stride):
//   0 float32x4 (centre x, centre y, axis x, axis y) pixels
//   1 float32x2 (minor/major ratio, support k)
//   2 float16x4 (red, green, blue, opacity)
// Bindings: 0 view: (width, height, -, -) f32 of the target.
// Per fragment, Mahalanobis distance^2 m^2 = |uv|^2 with uv = k (s, t) interpolated from the
// corners; alpha = min(ALPHA_MAX, opacity exp(-m^2 / 2)), discarded below ALPHA_MIN (the engine
// rasterizer's per-pixel rule; pixel centres at +0.5, as fragment positions are) or outside the
// support ellipse m <= k (the quad's corners reach m = k sqrt(2)).
@group(0) @binding(0) var<uniform> view: vec4<f32>;

struct VsOut {
  @builtin(position) pos: vec4<f32>,
  @location(0) uv: vec2<f32>,
  @location(1) @interpolate(flat, either) color: vec4<f32>,
  @location(2) @interpolate(flat, either) k2: f32,
};

@vertex
fn vs(@builtin(vertex_index) v: u32, @location(0) centre_axis: vec4<f32>, @location(1) ratio_k: vec2<f32>,
      @location(2) color: vec4<f32>) -> VsOut {
  let st = vec2<f32>(f32(v & 1u) * 2.0 - 1.0, f32(v >> 1u) * 2.0 - 1.0);
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

@fragment
fn fs(in: VsOut) -> @location(0) vec4<f32> {
  let m2 = dot(in.uv, in.uv);
  let alpha = min(ALPHA_MAX, in.color.w * exp(-0.5 * m2));
  if (m2 > in.k2 || alpha < ALPHA_MIN) { discard; }
  return vec4<f32>(in.color.xyz * alpha, alpha);
}
