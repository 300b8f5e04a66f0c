// Relative (ordinal) depth guidance: hinge on the order of rendered depth where the prior
// depth orders two pixels clearly (see reference/depth-pairs-ref.ts). Pairs are (q, q + o_k)
// for up to 8 per-step offsets o_k shared by all pixels, so each invocation can gather the
// gradient of its own pixel from both pairs it belongs to (as q and as q + o_k): no atomics.
//
// Bindings:
//   0 rendered [H, W]   1 prior [H, W] (invalid where <= 0 or not finite)
//   2 v_depth [H, W] (+=)   3 uniforms (offsets as i32 pairs; inv_n = 1 / pairs counted)
struct OrdinalUniforms {
  width: u32, height: u32, num_offsets: u32, _pad: u32,
  weight_over_n: f32, tau: f32, margin: f32, _pad2: f32,
  offsets: array<vec4<i32>, 4>, // (dx0, dy0, dx1, dy1) per entry: 8 offsets
};

@group(0) @binding(0) var<storage, read> rendered: array<f32>;
@group(0) @binding(1) var<storage, read> prior: array<f32>;
@group(0) @binding(2) var<storage, read_write> v_depth: array<f32>;
@group(0) @binding(3) var<uniform> u: OrdinalUniforms;

fn valid_prior(i: u32) -> bool {
  let p = prior[i];
  return (bitcast<u32>(p) & 0x7f800000u) != 0x7f800000u && p > 0.0;
}

fn offset(k: u32) -> vec2<i32> {
  let e = u.offsets[k / 2u];
  return select(e.xy, e.zw, (k & 1u) == 1u);
}

// d loss / d r_a for the pair (a, b), a at index a: +w if a is the front pixel and the hinge
// is active, -w if a is the back pixel and it is active.
fn pair_grad(a: u32, b: u32) -> f32 {
  let pa = prior[a];
  let pb = prior[b];
  let h_ab = rendered[a] - rendered[b] + u.margin;
  if (pa < pb * (1.0 - u.tau)) { return select(0.0, u.weight_over_n, h_ab > 0.0); }
  let h_ba = rendered[b] - rendered[a] + u.margin;
  if (pb < pa * (1.0 - u.tau)) { return select(0.0, -u.weight_over_n, h_ba > 0.0); }
  return 0.0;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.width || gid.y >= u.height) { return; }
  let q = gid.y * u.width + gid.x;
  if (!valid_prior(q)) { return; }
  var g = 0.0;
  for (var k = 0u; k < u.num_offsets; k = k + 1u) {
    let o = offset(k);
    let f = vec2<i32>(i32(gid.x) + o.x, i32(gid.y) + o.y);   // q is the first of (q, q+o)
    if (f.x >= 0 && f.y >= 0 && f.x < i32(u.width) && f.y < i32(u.height)) {
      let j = u32(f.y) * u.width + u32(f.x);
      if (valid_prior(j)) { g = g + pair_grad(q, j); }
    }
    let s = vec2<i32>(i32(gid.x) - o.x, i32(gid.y) - o.y);   // q is the second of (q-o, q)
    if (s.x >= 0 && s.y >= 0 && s.x < i32(u.width) && s.y < i32(u.height)) {
      let j = u32(s.y) * u.width + u32(s.x);
      if (valid_prior(j)) { g = g + pair_grad(q, j); }
    }
  }
  v_depth[q] = v_depth[q] + g;
}
