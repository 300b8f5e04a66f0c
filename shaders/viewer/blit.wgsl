// Viewer blit: draws the rasterizer's colour output (a storage buffer) to the canvas
// with one full-screen triangle. Not a compute kernel: a vertex + fragment pair.
//
// Bindings:
//   0: color  array<f32>  [H, W, 3] linear RGB in [0, 1], top row first
//   1: params vec4<u32>   (width, height, 0, 0)
@group(0) @binding(0) var<storage, read> color: array<f32>;
@group(0) @binding(1) var<uniform> params: vec4<u32>;

struct VsOut { @builtin(position) pos: vec4<f32>, @location(0) uv: vec2<f32> };

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VsOut {
  let p = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u));
  var o: VsOut;
  o.pos = vec4<f32>(p * 2.0 - 1.0, 0.0, 1.0);
  o.uv = vec2<f32>(p.x, 1.0 - p.y);
  return o;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4<f32> {
  let w = params.x;
  let h = params.y;
  let x = min(u32(in.uv.x * f32(w)), w - 1u);
  let y = min(u32(in.uv.y * f32(h)), h - 1u);
  let i = (y * w + x) * 3u;
  return vec4<f32>(color[i], color[i + 1u], color[i + 2u], 1.0);
}
