// Atomic-free backward of rasterize_forward ('rows' reduction, the default on CPU adapters):
// one workgroup per 16x16 tile, one invocation per tile ROW, each replaying its 16 pixels back
// to front (T recovered by dividing by 1 - alpha, as in rasterize_backward.wgsl) and summing
// each splat's gradient over them in registers. A round stages S splats; each row writes its
// S partial sums to workgroup memory, then invocation j adds splat j's 16 row sums in row order
// and stores (=) the tile's sum at the intersection's tile-order index. backward_gather sums
// each splat's tiles. No atomics anywhere and fixed summation orders: bit-deterministic.
// A splat that cannot reach ALPHA_MIN anywhere on a row is skipped for all its pixels, and only
// the pixels its ellipse can reach are visited (splat/row_cull): the others would each skip it.
// Why rows: on a CPU device (llvmpipe) float compare-exchange atomics and barriers dominate;
// here a round of S splats costs 3 barriers of a 16-invocation workgroup and no atomics.
//
// Bindings (pixel p = y * W + x):
//   0 tile_ranges: [numTiles, 2] u32   1 isect_gids: [M] u32   2 projected: [N, 12] f32
//   3 pixel_state: [H, W, 2] u32 (from the forward)
//   4 v_color: [H, W, 3] f32   5 v_alpha: [H, W] f32   6 v_depth: [H, W] f32 (cotangents)
//   7 partials: [M, PART_WIDTH] f32 out, tile order, every entry written: components
//     [PART_OFFSET, PART_OFFSET + PART_WIDTH) of the layout of v_splat2d in rasterize_backward.wgsl
//     (d/d mean xy, conic abc, colour rgb, opacity logit, z). Host defines; the host splits the 10
//     components over several dispatches when [M, 10] f32 would exceed one storage binding.
//   8 uniforms
#include "splat/render_uniforms"
#include "splat/projected"
#include "splat/row_cull"

@group(0) @binding(0) var<storage, read> tile_ranges: array<u32>;
@group(0) @binding(1) var<storage, read> isect_gids: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read> pixel_state: array<u32>;
@group(0) @binding(4) var<storage, read> v_color: array<f32>;
@group(0) @binding(5) var<storage, read> v_alpha: array<f32>;
@group(0) @binding(6) var<storage, read> v_depth: array<f32>;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;
@group(0) @binding(8) var<uniform> u: RenderUniforms;

const V2D: u32 = 10u;
const ROWS: u32 = 16u; // invocations = tile rows
const S: u32 = 16u;    // splats per round: s_part = S * ROWS * 10 f32 = 10 KiB
var<workgroup> s_mean_opacity: array<vec4<f32>, S>; // x, y, opacity, z
var<workgroup> s_conic: array<vec4<f32>, S>; // a, b, c, log(ALPHA_MIN / opacity)
var<workgroup> s_color: array<vec4<f32>, S>;
var<workgroup> s_part: array<f32, 2560>; // [S, ROWS, 10] per-row partial sums of this round
var<workgroup> s_range: vec2<u32>;
var<workgroup> s_max_contrib: atomic<u32>;
var<workgroup> s_max_contrib_plain: u32;

@compute @workgroup_size(16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) row: u32) {
  let tile = wid.y * u.dims.z + wid.x;
  let x0 = wid.x * TILE;
  let py = wid.y * TILE + row;
  let npx = select(0u, min(TILE, u.dims.x - x0), py < u.dims.y);
  if (row == 0u) {
    s_range = vec2<u32>(tile_ranges[2u * tile], tile_ranges[2u * tile + 1u]);
    atomicStore(&s_max_contrib, 0u);
  }
  // Per-pixel state of this row: [16] each.
  var T: array<f32, 16>;
  var n_contrib: array<u32, 16>;
  var dC: array<vec3<f32>, 16>;
  var dAD: array<vec2<f32>, 16>;          // dL/dalpha, dL/ddepth
  var behind_color: array<vec3<f32>, 16>;
  var behind_ad: array<vec2<f32>, 16>;    // alpha, depth of what lies behind
  var row_max = 0u;
  for (var q = 0u; q < npx; q++) {
    let p = py * u.dims.x + x0 + q;
    T[q] = bitcast<f32>(pixel_state[p * 2u]);
    n_contrib[q] = pixel_state[p * 2u + 1u];
    dC[q] = vec3<f32>(v_color[p * 3u], v_color[p * 3u + 1u], v_color[p * 3u + 2u]);
    dAD[q] = vec2<f32>(v_alpha[p], v_depth[p]);
    behind_color[q] = u.background.xyz;
    behind_ad[q] = vec2<f32>(0.0);
    row_max = max(row_max, n_contrib[q]);
  }
  workgroupBarrier();
  atomicMax(&s_max_contrib, row_max);
  workgroupBarrier();
  if (row == 0u) { s_max_contrib_plain = atomicLoad(&s_max_contrib); }
  let max_contrib = workgroupUniformLoad(&s_max_contrib_plain);
  let range = workgroupUniformLoad(&s_range);
  let cy = f32(py) + 0.5;

  let rounds = (max_contrib + S - 1u) / S;
  for (var rr = 0u; rr < rounds; rr++) {
    let b = rounds - 1u - rr;
    workgroupBarrier();
    let idx = range.x + b * S + row;
    if (row < S && idx < range.y) {
      let o = isect_gids[idx] * PROJECTED_STRIDE;
      s_mean_opacity[row] = vec4<f32>(projected[o], projected[o + 1u], projected[o + 3u], projected[o + 2u]);
      s_conic[row] = vec4<f32>(projected[o + 4u], projected[o + 5u], projected[o + 6u], row_log_threshold(projected[o + 3u]));
      s_color[row] = vec4<f32>(projected[o + 8u], projected[o + 9u], projected[o + 10u], 0.0);
    }
    workgroupBarrier();
    let count = min(S, max_contrib - b * S);
    for (var jj = 0u; jj < count; jj++) {
      let j = count - 1u - jj;
      var v_xy = vec2<f32>(0.0);
      var v_conic = vec3<f32>(0.0);
      var v_rgb = vec3<f32>(0.0);
      var v_op = 0.0;
      var v_z = 0.0;
      var span = vec2<u32>(0u, 0u);
      if (b * S + j < row_max) { span = row_span(s_mean_opacity[j].xy, s_conic[j].xyz, s_conic[j].w, cy, f32(x0), npx); }
      if (span.x < span.y) {
        let mo = s_mean_opacity[j];
        let con = s_conic[j].xyz;
        let c = s_color[j].xyz;
        for (var q = span.x; q < span.y; q++) {
          if (b * S + j >= n_contrib[q]) { continue; }
          let d = mo.xy - vec2<f32>(f32(x0 + q) + 0.5, cy);
          let power = -0.5 * (con.x * d.x * d.x + con.z * d.y * d.y) - con.y * d.x * d.y;
          let gauss = exp(power);
          let raw = mo.z * gauss;
          let alpha = min(ALPHA_MAX, raw);
          if (power > 0.0 || alpha < ALPHA_MIN) { continue; }
          let t = T[q] / (1.0 - alpha);
          T[q] = t;
          let w = alpha * t;
          let bc = behind_color[q];
          let bad = behind_ad[q];
          let dc = dC[q];
          let dad = dAD[q];
          let v_alpha_j = t * (dot(c - bc, dc) + (1.0 - bad.x) * dad.x + (mo.w - bad.y) * dad.y);
          if (raw <= ALPHA_MAX) {
            let v_power = alpha * v_alpha_j;
            v_xy += -vec2<f32>(con.x * d.x + con.y * d.y, con.y * d.x + con.z * d.y) * v_power;
            v_conic += vec3<f32>(-0.5 * d.x * d.x, -d.x * d.y, -0.5 * d.y * d.y) * v_power;
            v_op += gauss * v_alpha_j * mo.z * (1.0 - mo.z);
          }
          v_rgb += w * dc;
          v_z += w * dad.y;
          behind_color[q] = alpha * c + (1.0 - alpha) * bc;
          behind_ad[q] = vec2<f32>(alpha + (1.0 - alpha) * bad.x, alpha * mo.w + (1.0 - alpha) * bad.y);
        }
      }
      let o = (j * ROWS + row) * V2D;
      s_part[o] = v_xy.x;
      s_part[o + 1u] = v_xy.y;
      s_part[o + 2u] = v_conic.x;
      s_part[o + 3u] = v_conic.y;
      s_part[o + 4u] = v_conic.z;
      s_part[o + 5u] = v_rgb.x;
      s_part[o + 6u] = v_rgb.y;
      s_part[o + 7u] = v_rgb.z;
      s_part[o + 8u] = v_op;
      s_part[o + 9u] = v_z;
    }
    workgroupBarrier();
    if (row < count) {
      let out = (range.x + b * S + row) * PART_WIDTH;
      for (var k = 0u; k < PART_WIDTH; k++) {
        var sum = 0.0;
        for (var i = 0u; i < ROWS; i++) { sum += s_part[(row * ROWS + i) * V2D + PART_OFFSET + k]; }
        partials[out + k] = sum;
      }
    }
  }
  // List entries past every pixel's last blended one get no gradient.
  for (var idx = range.x + max_contrib + row; idx < range.y; idx += ROWS) {
    for (var k = 0u; k < PART_WIDTH; k++) { partials[idx * PART_WIDTH + k] = 0.0; }
  }
}
