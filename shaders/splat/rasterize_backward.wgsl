// Backward of rasterize_forward: one workgroup per 16x16 tile, one invocation per pixel,
// replaying the tile's list back to front from the saved final transmittance (T is recovered
// by dividing by 1 - alpha; alpha <= ALPHA_MAX keeps that stable). WGSL has no float atomics,
// so per-splat sums over pixels use atomic_add_f32 (compare-exchange on u32 bits). Variants:
//   default    every pixel adds its 10 values straight into v_splat2d (up to 256-way contention)
//   WG_REDUCE  pixels add into a per-batch accumulator in workgroup memory (compare-exchange on
//              workgroup atomics), flushed with one global atomic per splat and value per batch:
//              10 global atomics per tile-splat pair, one extra barrier per batch
// Float summation order varies between runs either way: gradients are not bit-deterministic.
// (The 'rows' reduction, rasterize_backward_rows.wgsl + backward_gather.wgsl, has no atomics; this
// kernel is the 'workgroup' / 'atomic' path and the fallback when rows' partials do not fit.)
//
// Bindings (pixel p = y * W + x):
//   0 tile_ranges: [numTiles, 2] u32   1 isect_gids: [M] u32   2 projected: [N, 12] f32
//   3 pixel_state: [H, W, 2] u32 (from the forward)
//   4 v_color: [H, W, 3] f32   5 v_alpha: [H, W] f32   6 v_depth: [H, W] f32 (cotangents)
//   7 v_splat2d: [N, 10] f32 as atomic<u32>, accumulated (+=):
//     [0..2) d/d mean xy (pixels)  [2..5) d/d conic (a, b, c)  [5..8) d/d colour (after the clamp)
//     [8] d/d opacity logit        [9] d/d camera-space z
//   8 uniforms
#include "splat/render_uniforms"
#include "splat/projected"
#include "common/float_atomic"

@group(0) @binding(0) var<storage, read> tile_ranges: array<u32>;
@group(0) @binding(1) var<storage, read> isect_gids: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read> pixel_state: array<u32>;
@group(0) @binding(4) var<storage, read> v_color: array<f32>;
@group(0) @binding(5) var<storage, read> v_alpha: array<f32>;
@group(0) @binding(6) var<storage, read> v_depth: array<f32>;
@group(0) @binding(7) var<storage, read_write> v_splat2d: array<atomic<u32>>;
@group(0) @binding(8) var<uniform> u: RenderUniforms;

const V2D: u32 = 10u;
#ifdef WG_REDUCE
// Smaller batches leave room for the accumulator within 16 KiB of workgroup memory.
const BATCH: u32 = 128u;
var<workgroup> s_acc: array<atomic<u32>, 1280>; // [BATCH, 10] f32 bits, this batch's sums

fn atomic_add_f32_workgroup(p: ptr<workgroup, atomic<u32>>, v: f32) {
  if (v == 0.0) { return; }
  var old = atomicLoad(p);
  loop {
    let r = atomicCompareExchangeWeak(p, old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
#else
const BATCH: u32 = 256u;
#endif
var<workgroup> s_gid: array<u32, BATCH>;
var<workgroup> s_mean_opacity: array<vec4<f32>, BATCH>; // x, y, opacity, z
var<workgroup> s_conic: array<vec4<f32>, BATCH>;
var<workgroup> s_color: array<vec4<f32>, BATCH>;
var<workgroup> s_range: vec2<u32>;
var<workgroup> s_max_contrib: atomic<u32>;
var<workgroup> s_max_contrib_plain: u32;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let tile = wid.y * u.dims.z + wid.x;
  let px = wid.x * TILE + lid.x;
  let py = wid.y * TILE + lid.y;
  let inside = px < u.dims.x && py < u.dims.y;
  let p = select(0u, py * u.dims.x + px, inside);
  let centre = vec2<f32>(f32(px) + 0.5, f32(py) + 0.5);
  if (lidx == 0u) {
    s_range = vec2<u32>(tile_ranges[2u * tile], tile_ranges[2u * tile + 1u]);
    atomicStore(&s_max_contrib, 0u);
  }
  workgroupBarrier();
  var n_contrib = 0u;
  var T = 1.0;
  var dC = vec3<f32>(0.0);
  var dA = 0.0;
  var dD = 0.0;
  if (inside) {
    T = bitcast<f32>(pixel_state[p * 2u]);
    n_contrib = pixel_state[p * 2u + 1u];
    dC = vec3<f32>(v_color[p * 3u], v_color[p * 3u + 1u], v_color[p * 3u + 2u]);
    dA = v_alpha[p];
    dD = v_depth[p];
    atomicMax(&s_max_contrib, n_contrib);
  }
  workgroupBarrier();
  if (lidx == 0u) { s_max_contrib_plain = atomicLoad(&s_max_contrib); }
  let max_contrib = workgroupUniformLoad(&s_max_contrib_plain);
  let range = workgroupUniformLoad(&s_range);

  var behind_color = u.background.xyz;
  var behind_alpha = 0.0;
  var behind_depth = 0.0;
  let batches = (max_contrib + BATCH - 1u) / BATCH;
  for (var bb = 0u; bb < batches; bb++) {
    let b = batches - 1u - bb;
    workgroupBarrier();
    let idx = range.x + b * BATCH + lidx;
    if (lidx < BATCH && idx < range.y) {
      let g = isect_gids[idx];
      let o = g * PROJECTED_STRIDE;
      s_gid[lidx] = g;
      s_mean_opacity[lidx] = vec4<f32>(projected[o], projected[o + 1u], projected[o + 3u], projected[o + 2u]);
      s_conic[lidx] = vec4<f32>(projected[o + 4u], projected[o + 5u], projected[o + 6u], 0.0);
      s_color[lidx] = vec4<f32>(projected[o + 8u], projected[o + 9u], projected[o + 10u], 0.0);
    }
#ifdef WG_REDUCE
    if (lidx < BATCH) {
      for (var k = 0u; k < V2D; k++) { atomicStore(&s_acc[lidx * V2D + k], 0u); }
    }
#endif
    workgroupBarrier();
    let count = min(BATCH, max_contrib - b * BATCH);
    for (var jj = 0u; jj < count; jj++) {
      let j = count - 1u - jj;
      var gv: array<f32, V2D>;
      var blended = false;
      if (b * BATCH + j < n_contrib) {
        let mo = s_mean_opacity[j];
        let con = s_conic[j].xyz;
        let d = mo.xy - centre;
        let power = -0.5 * (con.x * d.x * d.x + con.z * d.y * d.y) - con.y * d.x * d.y;
        let gauss = exp(power);
        let raw = mo.z * gauss;
        let alpha = min(ALPHA_MAX, raw);
        if (power <= 0.0 && alpha >= ALPHA_MIN) {
          blended = true;
          T = T / (1.0 - alpha);
          let w = alpha * T;
          let c = s_color[j].xyz;
          let v_alpha_j = T * (dot(c - behind_color, dC) + (1.0 - behind_alpha) * dA + (mo.w - behind_depth) * dD);
          if (raw <= ALPHA_MAX) {
            let v_power = alpha * v_alpha_j;
            gv[0] = -(con.x * d.x + con.y * d.y) * v_power;
            gv[1] = -(con.y * d.x + con.z * d.y) * v_power;
            gv[2] = -0.5 * d.x * d.x * v_power;
            gv[3] = -d.x * d.y * v_power;
            gv[4] = -0.5 * d.y * d.y * v_power;
            gv[8] = gauss * v_alpha_j * mo.z * (1.0 - mo.z);
          }
          gv[5] = w * dC.x;
          gv[6] = w * dC.y;
          gv[7] = w * dC.z;
          gv[9] = w * dD;
          behind_color = alpha * c + (1.0 - alpha) * behind_color;
          behind_alpha = alpha + (1.0 - alpha) * behind_alpha;
          behind_depth = alpha * mo.w + (1.0 - alpha) * behind_depth;
        }
      }
#ifdef WG_REDUCE
      if (blended) {
        for (var k = 0u; k < V2D; k++) { atomic_add_f32_workgroup(&s_acc[j * V2D + k], gv[k]); }
      }
#else
      if (blended) {
        let base = s_gid[j] * V2D;
        for (var k = 0u; k < V2D; k++) { atomic_add_f32(&v_splat2d[base + k], gv[k]); }
      }
#endif
    }
#ifdef WG_REDUCE
    workgroupBarrier();
    if (lidx < count) {
      let base = s_gid[lidx] * V2D;
      for (var k = 0u; k < V2D; k++) { atomic_add_f32(&v_splat2d[base + k], bitcast<f32>(atomicLoad(&s_acc[lidx * V2D + k]))); }
    }
#endif
  }
}
