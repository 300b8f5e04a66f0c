// Brute-force K nearest control points of each Gaussian mean (M ≤ a few thousand, so
// O(N·M) beats building a grid). One thread per Gaussian keeps a sorted top-K in registers;
// ties keep the lower control-point index. Control-point positions are staged through
// workgroup memory in tiles of TILE (every thread of a workgroup scans the same points, and
// storage reads are the slow path on software adapters). CPU reference: knn() in
// control-points.ts.
//
// Buffers (group 0):
//   0 means:  [N, 3] f32
//   1 ctrl:   [M, 12] f32   control points (positions at offset 0, layout in deform/warp_common)
//   2 nbr:    [N, K] u32    written, nearest first
//   3 params: uniform WarpParams
#include "common/dispatch"
#include "deform/warp_common"

const TILE: u32 = 512u; // 512 x 16 B = 8 KiB of workgroup memory

@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read> ctrl: array<f32>;
@group(0) @binding(2) var<storage, read_write> nbr: array<u32>;
@group(0) @binding(3) var<uniform> params: WarpParams;

var<workgroup> tile: array<vec4<f32>, TILE>;

@compute @workgroup_size(128)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(gid, nwg, 128u);
  // No early return: every thread takes part in the tile loads and barriers.
  let valid = i < params.n;
  var x = vec3<f32>(0.0);
  if (valid) { x = vec3<f32>(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]); }
  var best_d: array<f32, NK>;
  var best_i: array<u32, NK>;
  for (var s = 0u; s < NK; s++) { best_d[s] = 3.0e38; best_i[s] = 0u; }
  for (var base = 0u; base < params.m; base += TILE) {
    let count = min(TILE, params.m - base);
    workgroupBarrier();
    for (var t = lid; t < count; t += 128u) {
      let b = (base + t) * CTRL_STRIDE;
      tile[t] = vec4<f32>(ctrl[b], ctrl[b + 1u], ctrl[b + 2u], 0.0);
    }
    workgroupBarrier();
    for (var t = 0u; t < count; t++) {
      let v = x - tile[t].xyz;
      let d = dot(v, v);
      if (d >= best_d[NK - 1u]) { continue; }
      // Insertion into the sorted list (strict > keeps earlier indices ahead on ties).
      var s = NK - 1u;
      while (s > 0u && best_d[s - 1u] > d) {
        best_d[s] = best_d[s - 1u];
        best_i[s] = best_i[s - 1u];
        s--;
      }
      best_d[s] = d;
      best_i[s] = base + t;
    }
  }
  if (valid) {
    for (var s = 0u; s < NK; s++) { nbr[i * NK + s] = best_i[s]; }
  }
}
