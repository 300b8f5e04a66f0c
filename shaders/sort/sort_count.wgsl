// Radix sort pass, step 1 of 3: per-tile digit histogram.
//   keys:        [count] u32
//   tile_counts: [SORT_BINS * num_tiles] u32, digit-major: tile_counts[d * num_tiles + t] = number of
//                keys in tile t with digit d. Digit-major order makes the exclusive scan of this array
//                the first output slot of (digit d, tile t), which is what keeps the sort stable.
@group(0) @binding(0) var<storage, read> keys: array<u32>;
@group(0) @binding(1) var<storage, read_write> tile_counts: array<u32>;
@group(0) @binding(2) var<uniform> params: SortParams;
#include "sort/sort_params"

var<workgroup> histogram: array<atomic<u32>, 16>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let tile = sort_tile_index(wid, nwg);
  if (tile >= params.num_tiles) { return; } // whole workgroup: uniform
  if (lid < SORT_BINS) { atomicStore(&histogram[lid], 0u); }
  workgroupBarrier();
  for (var k = 0u; k < SORT_ITEMS; k++) {
    let i = tile * SORT_TILE + k * 256u + lid; // order is irrelevant for counting
    if (i < params.count) { atomicAdd(&histogram[sort_digit(keys[i])], 1u); }
  }
  workgroupBarrier();
  if (lid < SORT_BINS) { tile_counts[lid * params.num_tiles + tile] = atomicLoad(&histogram[lid]); }
}
