// rasterize_forward for CPU adapters ('rows', the layout of rasterize_backward_rows): one
// workgroup per 16x16 tile, one invocation per tile ROW blending its 16 pixels front to back.
// Per pixel the operations and their order are exactly rasterize_forward.wgsl's (same outputs,
// bit for bit); what differs is the work skipped: a splat whose ellipse cannot reach ALPHA_MIN on
// a row is skipped for all 16 pixels at once and otherwise only the pixels its ellipse can reach
// are visited (splat/row_cull), and a 16-invocation workgroup
// pays far fewer barrier switches per staged batch on llvmpipe than a 256-invocation one.
// Splats are staged BATCH at a time; the workgroup stops once every row is saturated.
//
// Bindings: as rasterize_forward.wgsl (H x W image, pixel p = y * W + x):
//   0 tile_ranges: [numTiles, 2] u32    1 isect_gids: [M] u32 (tile-sorted, front to back)
//   2 projected: [N, 12] f32            3 out_color: [H, W, 3] f32 (with the background)
//   4 out_alpha: [H, W] f32             5 out_depth: [H, W] f32 (sum of w_i z_i)
//   6 pixel_state: [H, W, 2] u32: final transmittance (f32 bits), list entries used
//   7 uniforms
#include "splat/render_uniforms"
#include "splat/projected"
#include "splat/row_cull"

@group(0) @binding(0) var<storage, read> tile_ranges: array<u32>;
@group(0) @binding(1) var<storage, read> isect_gids: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read_write> out_color: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_alpha: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_depth: array<f32>;
@group(0) @binding(6) var<storage, read_write> pixel_state: array<u32>;
@group(0) @binding(7) var<uniform> u: RenderUniforms;

const ROWS: u32 = 16u;   // invocations = tile rows
const BATCH: u32 = 128u; // splats staged per round (ROWS loads each): 6 KiB
var<workgroup> s_mean_opacity: array<vec4<f32>, BATCH>; // x, y, opacity, z
var<workgroup> s_conic: array<vec4<f32>, BATCH>;        // a, b, c, log(ALPHA_MIN / opacity)
var<workgroup> s_color: array<vec4<f32>, BATCH>;        // r, g, b, -
var<workgroup> s_range: vec2<u32>;
var<workgroup> s_done_rows: atomic<u32>;
var<workgroup> s_all_done: u32;

@compute @workgroup_size(16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) row: u32) {
  let tile = wid.y * u.dims.z + wid.x;
  let x0 = wid.x * TILE;
  let py = wid.y * TILE + row;
  let npx = select(0u, min(TILE, u.dims.x - x0), py < u.dims.y);
  let cy = f32(py) + 0.5;
  if (row == 0u) {
    s_range = vec2<u32>(tile_ranges[2u * tile], tile_ranges[2u * tile + 1u]);
    atomicStore(&s_done_rows, 0u);
  }
  let range = workgroupUniformLoad(&s_range);

  // Per-pixel state of this row: [16] each.
  var T: array<f32, 16>;
  var color: array<vec3<f32>, 16>;
  var depth: array<f32, 16>;
  var n_contrib: array<u32, 16>;
  var done: array<bool, 16>;
  for (var q = 0u; q < TILE; q++) {
    T[q] = 1.0;
    color[q] = vec3<f32>(0.0);
    depth[q] = 0.0;
    n_contrib[q] = 0u;
    done[q] = q >= npx;
  }
  var live = npx; // pixels of this row not yet saturated
  if (live == 0u) { atomicAdd(&s_done_rows, 1u); }

  let total = range.y - range.x;
  let batches = (total + BATCH - 1u) / BATCH;
  for (var b = 0u; b < batches; b++) {
    workgroupBarrier();
    if (row == 0u) { s_all_done = atomicLoad(&s_done_rows); }
    if (workgroupUniformLoad(&s_all_done) == ROWS) { break; }
    for (var k = row; k < BATCH; k += ROWS) {
      let idx = range.x + b * BATCH + k;
      if (idx < range.y) {
        let o = isect_gids[idx] * PROJECTED_STRIDE;
        let opacity = projected[o + 3u];
        s_mean_opacity[k] = vec4<f32>(projected[o], projected[o + 1u], opacity, projected[o + 2u]);
        s_conic[k] = vec4<f32>(projected[o + 4u], projected[o + 5u], projected[o + 6u], row_log_threshold(opacity));
        s_color[k] = vec4<f32>(projected[o + 8u], projected[o + 9u], projected[o + 10u], 0.0);
      }
    }
    workgroupBarrier();
    let count = min(BATCH, total - b * BATCH);
    for (var j = 0u; j < count && live > 0u; j++) {
      let mo = s_mean_opacity[j];
      let cw = s_conic[j];
      let con = cw.xyz;
      let span = row_span(mo.xy, con, cw.w, cy, f32(x0), npx);
      if (span.x >= span.y) { continue; }
      let c = s_color[j].xyz;
      for (var q = span.x; q < span.y; q++) {
        if (done[q]) { continue; }
        let d = mo.xy - vec2<f32>(f32(x0 + q) + 0.5, cy);
        let power = -0.5 * (con.x * d.x * d.x + con.z * d.y * d.y) - con.y * d.x * d.y;
        if (power > 0.0) { continue; }
        let alpha = min(ALPHA_MAX, mo.z * exp(power));
        if (alpha < ALPHA_MIN) { continue; }
        let t = T[q];
        let next_T = t * (1.0 - alpha);
        if (next_T < T_MIN) {
          done[q] = true;
          live -= 1u;
          if (live == 0u) { atomicAdd(&s_done_rows, 1u); }
          continue;
        }
        let w = alpha * t;
        color[q] += w * c;
        depth[q] += w * mo.w;
        T[q] = next_T;
        n_contrib[q] = b * BATCH + j + 1u;
      }
    }
  }
  for (var q = 0u; q < npx; q++) {
    let p = py * u.dims.x + x0 + q;
    let rgb = color[q] + T[q] * u.background.xyz;
    out_color[p * 3u] = rgb.x;
    out_color[p * 3u + 1u] = rgb.y;
    out_color[p * 3u + 2u] = rgb.z;
    out_alpha[p] = 1.0 - T[q];
    out_depth[p] = depth[q];
    pixel_state[p * 2u] = bitcast<u32>(T[q]);
    pixel_state[p * 2u + 1u] = n_contrib[q];
  }
}
