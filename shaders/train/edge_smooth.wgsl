// Edge-aware depth smoothness (see reference/depth-pairs-ref.ts): each invocation gathers
// the gradient of its pixel from its four neighbour edges; no atomics.
//
// Bindings:
//   0 rendered [H, W]   1 image [H, W, 3] (the training photo)   2 v_depth [H, W] (+=)
//   3 uniforms
struct EdgeSmoothUniforms { width: u32, height: u32, weight_over_n: f32, gamma: f32 };

@group(0) @binding(0) var<storage, read> rendered: array<f32>;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> v_depth: array<f32>;
@group(0) @binding(3) var<uniform> u: EdgeSmoothUniforms;

fn edge_grad(a: u32, b: u32) -> f32 {
  let g = abs(image[a * 3u] - image[b * 3u]) + abs(image[a * 3u + 1u] - image[b * 3u + 1u]) + abs(image[a * 3u + 2u] - image[b * 3u + 2u]);
  return u.weight_over_n * exp(-u.gamma * g / 3.0) * sign(rendered[a] - rendered[b]);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.width || gid.y >= u.height) { return; }
  let q = gid.y * u.width + gid.x;
  var g = 0.0;
  if (gid.x + 1u < u.width) { g = g + edge_grad(q, q + 1u); }
  if (gid.x > 0u) { g = g + edge_grad(q, q - 1u); }
  if (gid.y + 1u < u.height) { g = g + edge_grad(q, q + u.width); }
  if (gid.y > 0u) { g = g + edge_grad(q, q - u.width); }
  v_depth[q] = v_depth[q] + g;
}
