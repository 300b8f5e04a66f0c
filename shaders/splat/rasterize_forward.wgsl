// Blend each 16x16 tile front to back: one workgroup per tile, one invocation per pixel.
// The tile's splats are staged through workgroup memory 256 at a time; the workgroup stops
// early once every pixel is saturated. Per pixel: alpha = min(ALPHA_MAX, o * exp(power)),
// skipped below ALPHA_MIN; the pixel stops (that splat not blended) when transmittance would
// fall below T_MIN. Deterministic: each pixel is summed by one invocation in list order.
//
// Bindings (H x W image, pixel p = y * W + x):
//   0 tile_ranges: [numTiles, 2] u32    1 isect_gids: [M] u32 (tile-sorted, front to back)
//   2 projected: [N, 12] f32            3 out_color: [H, W, 3] f32 (with the background)
//   4 out_alpha: [H, W] f32 (1 - final transmittance)
//   5 out_depth: [H, W] f32 (sum of w_i z_i, w_i = alpha_i T_i; divide by alpha for mean depth)
//   6 pixel_state: [H, W, 2] u32: final transmittance (f32 bits), number of list entries up to
//     and including the last blended one (what the backward replays)
//   7 uniforms
#include "splat/render_uniforms"
#include "splat/projected"

@group(0) @binding(0) var<storage, read> tile_ranges: array<u32>;
@group(0) @binding(1) var<storage, read> isect_gids: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read_write> out_color: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_alpha: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_depth: array<f32>;
@group(0) @binding(6) var<storage, read_write> pixel_state: array<u32>;
@group(0) @binding(7) var<uniform> u: RenderUniforms;

const BATCH: u32 = 256u;
var<workgroup> s_mean_opacity: array<vec4<f32>, BATCH>; // x, y, opacity, z
var<workgroup> s_conic: array<vec4<f32>, BATCH>;        // a, b, c, -
var<workgroup> s_color: array<vec4<f32>, BATCH>;        // r, g, b, -
var<workgroup> s_range: vec2<u32>;
var<workgroup> s_done_count: atomic<u32>;
var<workgroup> s_all_done: u32;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let tile = wid.y * u.dims.z + wid.x;
  let px = wid.x * TILE + lid.x;
  let py = wid.y * TILE + lid.y;
  let inside = px < u.dims.x && py < u.dims.y;
  let centre = vec2<f32>(f32(px) + 0.5, f32(py) + 0.5);
  if (lidx == 0u) {
    s_range = vec2<u32>(tile_ranges[2u * tile], tile_ranges[2u * tile + 1u]);
    atomicStore(&s_done_count, 0u);
  }
  let range = workgroupUniformLoad(&s_range);

  var T = 1.0;
  var color = vec3<f32>(0.0);
  var depth = 0.0;
  var n_contrib = 0u;
  var done = !inside;
  if (done) { atomicAdd(&s_done_count, 1u); }

  let total = range.y - range.x;
  let batches = (total + BATCH - 1u) / BATCH;
  for (var b = 0u; b < batches; b++) {
    workgroupBarrier();
    if (lidx == 0u) { s_all_done = atomicLoad(&s_done_count); }
    if (workgroupUniformLoad(&s_all_done) == BATCH) { break; }
    let idx = range.x + b * BATCH + lidx;
    if (idx < range.y) {
      let o = isect_gids[idx] * PROJECTED_STRIDE;
      s_mean_opacity[lidx] = vec4<f32>(projected[o], projected[o + 1u], projected[o + 3u], projected[o + 2u]);
      s_conic[lidx] = vec4<f32>(projected[o + 4u], projected[o + 5u], projected[o + 6u], 0.0);
      s_color[lidx] = vec4<f32>(projected[o + 8u], projected[o + 9u], projected[o + 10u], 0.0);
    }
    workgroupBarrier();
    let count = min(BATCH, total - b * BATCH);
    for (var j = 0u; j < count && !done; j++) {
      let mo = s_mean_opacity[j];
      let con = s_conic[j].xyz;
      let d = mo.xy - centre;
      let power = -0.5 * (con.x * d.x * d.x + con.z * d.y * d.y) - con.y * d.x * d.y;
      if (power > 0.0) { continue; }
      let alpha = min(ALPHA_MAX, mo.z * exp(power));
      if (alpha < ALPHA_MIN) { continue; }
      let next_T = T * (1.0 - alpha);
      if (next_T < T_MIN) {
        done = true;
        atomicAdd(&s_done_count, 1u);
        break;
      }
      let w = alpha * T;
      color += w * s_color[j].xyz;
      depth += w * mo.w;
      T = next_T;
      n_contrib = b * BATCH + j + 1u;
    }
  }
  if (!inside) { return; }
  let p = py * u.dims.x + px;
  let rgb = color + T * u.background.xyz;
  out_color[p * 3u] = rgb.x;
  out_color[p * 3u + 1u] = rgb.y;
  out_color[p * 3u + 2u] = rgb.z;
  out_alpha[p] = 1.0 - T;
  out_depth[p] = depth;
  pixel_state[p * 2u] = bitcast<u32>(T);
  pixel_state[p * 2u + 1u] = n_contrib;
}
