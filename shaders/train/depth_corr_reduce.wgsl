// Depth correlation, pass 2: one workgroup merges all patch statistics into the global
// statistics (Chan et al.'s pairwise update of centred sums), counts the usable patches
// and evaluates the loss.
//
// Bindings:
//   0 stats:  [P, 6] f32  from depth_corr_stats
//   1 result: [16] f32 out: [0..5] global stats, 6 patches used, 7 loss, 8 global rho (-2 if none)
//   2 uniforms
#include "train/depth_corr_common"

@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> result: array<f32>;
@group(0) @binding(2) var<uniform> u: DepthCorrUniforms;

struct Acc { n: f32, mr: f32, mp: f32, srr: f32, spp: f32, srp: f32 };
var<workgroup> s_acc: array<Acc, 256>;
var<workgroup> s_patch: array<vec2<f32>, 256>; // (patches used, sum of 1 - rho)

fn merge(a: Acc, b: Acc) -> Acc {
  let n = a.n + b.n;
  if (b.n == 0.0) { return a; }
  if (a.n == 0.0) { return b; }
  let f = a.n * b.n / n;
  let dr = b.mr - a.mr;
  let dp = b.mp - a.mp;
  var o: Acc;
  o.n = n;
  o.mr = a.mr + dr * b.n / n;
  o.mp = a.mp + dp * b.n / n;
  o.srr = a.srr + b.srr + dr * dr * f;
  o.spp = a.spp + b.spp + dp * dp * f;
  o.srp = a.srp + b.srp + dr * dp * f;
  return o;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lidx: u32) {
  let count = u.patches_x * u.patches_y;
  var acc = Acc(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  var pc = vec2<f32>(0.0, 0.0);
  for (var k = lidx; k < count; k = k + 256u) {
    let b = k * 6u;
    let s = Acc(stats[b], stats[b + 1u], stats[b + 2u], stats[b + 3u], stats[b + 4u], stats[b + 5u]);
    acc = merge(acc, s);
    let q = pearson_from(s.n, s.mr, s.mp, s.srr, s.spp, s.srp, u.min_pixels, u.eps);
    if (q.valid) { pc = pc + vec2<f32>(1.0, 1.0 - q.rho); }
  }
  s_acc[lidx] = acc;
  s_patch[lidx] = pc;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lidx < stride) {
      s_acc[lidx] = merge(s_acc[lidx], s_acc[lidx + stride]);
      s_patch[lidx] = s_patch[lidx] + s_patch[lidx + stride];
    }
    workgroupBarrier();
  }
  if (lidx == 0u) {
    let g = s_acc[0];
    result[0] = g.n; result[1] = g.mr; result[2] = g.mp;
    result[3] = g.srr; result[4] = g.spp; result[5] = g.srp;
    let used = s_patch[0].x;
    result[6] = used;
    let q = pearson_from(g.n, g.mr, g.mp, g.srr, g.spp, g.srp, u.min_pixels, u.eps);
    var loss = 0.0;
    if (q.valid) { loss = u.w_global * (1.0 - q.rho); }
    if (used > 0.0) { loss = loss + u.w_patch * s_patch[0].y / used; }
    result[7] = loss;
    result[8] = select(-2.0, q.rho, q.valid); // -2: no valid global correlation (NaN constants are not WGSL)
  }
}
