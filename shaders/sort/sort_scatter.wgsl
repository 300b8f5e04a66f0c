// Radix sort pass, step 3 of 3: stable scatter of each tile to its digit's output slots.
//   keys_in, values_in:   [count] u32
//   tile_offsets:         [SORT_BINS * num_tiles] u32, exclusive scan of sort_count's tile_counts
//   keys_out, values_out: [count] u32; pair i goes to tile_offsets[d * num_tiles + t] + (number of
//                         earlier pairs in tile t with digit d), so equal digits keep input order.
// Invocation `lid` owns 4 contiguous pairs. Their in-tile ranks come from one workgroup scan of
// packed counters: 16 digits x 16-bit fields = 8 u32 (two vec4) per invocation; a tile has 1024
// pairs, so no field overflows. Counters live in vec4 registers updated with selects: dynamically
// indexed function arrays are slow on CPU adapters.
// LOCAL_SORT: first place the tile sorted by digit in workgroup memory, then write it out in
// order so neighbouring invocations write neighbouring addresses (coalesced on GPUs; about 2x
// slower on llvmpipe, so the host enables it on hardware adapters only).
// Workgroup memory: 8 KiB + 1 KiB + 64 B.
@group(0) @binding(0) var<storage, read> keys_in: array<u32>;
@group(0) @binding(1) var<storage, read> values_in: array<u32>;
@group(0) @binding(2) var<storage, read> tile_offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> values_out: array<u32>;
@group(0) @binding(5) var<uniform> params: SortParams;
#include "sort/sort_params"

// [256 invocations, 8] packed counters; with LOCAL_SORT later [keys 1024 | values 1024] of the tile.
var<workgroup> words: array<u32, 2048>;
var<workgroup> segment_totals: array<vec4<u32>, 64>; // [32 segments of 8 invocations, 2 halves]
var<workgroup> digit_start: array<u32, 16>;          // LOCAL_SORT: first in-tile slot of each digit

// Add one to digit d's 16-bit counter in the (lo = digits 0..7, hi = digits 8..15) packing.
fn add_digit(lo: ptr<function, vec4<u32>>, hi: ptr<function, vec4<u32>>, d: u32) {
  let inc = vec4<u32>(1u << ((d & 1u) * 16u));
  let w = vec4<u32>(d >> 1u);
  *lo += select(vec4<u32>(0u), inc, w == vec4<u32>(0u, 1u, 2u, 3u));
  *hi += select(vec4<u32>(0u), inc, w == vec4<u32>(4u, 5u, 6u, 7u));
}

fn load4(i: u32) -> vec4<u32> {
  return vec4<u32>(words[i], words[i + 1u], words[i + 2u], words[i + 3u]);
}

fn store4(i: u32, v: vec4<u32>) {
  words[i] = v.x; words[i + 1u] = v.y; words[i + 2u] = v.z; words[i + 3u] = v.w;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let tile = sort_tile_index(wid, nwg);
  if (tile >= params.num_tiles) { return; } // whole workgroup: uniform
  let n = params.count;
  let first = tile * SORT_TILE + lid * SORT_ITEMS;
  let keys = vec4<u32>(select(0u, keys_in[first], first < n), select(0u, keys_in[first + 1u], first + 1u < n),
                       select(0u, keys_in[first + 2u], first + 2u < n), select(0u, keys_in[first + 3u], first + 3u < n));
  let digits = vec4<u32>(sort_digit(keys.x), sort_digit(keys.y), sort_digit(keys.z), sort_digit(keys.w));
  var lo = vec4<u32>(0u);
  var hi = vec4<u32>(0u);
  for (var k = 0u; k < SORT_ITEMS; k++) {
    if (first + k < n) { add_digit(&lo, &hi, digits[k]); }
  }

  // Exclusive scan of the packed counters across invocations, raking with three barriers:
  // (1) 64 invocations each scan one half (lo or hi) over a segment of 8 invocations serially;
  // (2) 2 invocations scan the 32 segment totals of one half each; (3) everyone adds its offset.
  store4(8u * lid, lo);
  store4(8u * lid + 4u, hi);
  workgroupBarrier();
  if (lid < 64u) {
    var acc = vec4<u32>(0u);
    for (var j = 0u; j < 8u; j++) {
      let idx = 8u * ((lid >> 1u) * 8u + j) + 4u * (lid & 1u);
      acc += load4(idx);
      store4(idx, acc); // inclusive within the segment
    }
    segment_totals[lid] = acc;
  }
  workgroupBarrier();
  if (lid < 2u) {
    var running = vec4<u32>(0u);
    for (var s = 0u; s < 32u; s++) {
      let t = segment_totals[2u * s + lid];
      segment_totals[2u * s + lid] = running;
      running += t;
    }
#ifdef LOCAL_SORT
    // running = tile totals of digits 8*lid .. 8*lid+7.
    for (var c = 0u; c < 4u; c++) {
      digit_start[8u * lid + 2u * c] = running[c] & 0xffffu;
      digit_start[8u * lid + 2u * c + 1u] = running[c] >> 16u;
    }
#endif
  }
  workgroupBarrier();
  // Counts of each digit in this tile before this invocation's first pair.
  let segment = lid >> 3u;
  var before_lo = segment_totals[2u * segment] + load4(8u * lid) - lo;
  var before_hi = segment_totals[2u * segment + 1u] + load4(8u * lid + 4u) - hi;

#ifdef LOCAL_SORT
  if (lid == 0u) {
    var run = 0u;
    for (var d = 0u; d < SORT_BINS; d++) { let t = digit_start[d]; digit_start[d] = run; run += t; }
  }
  workgroupBarrier(); // counters read by everyone before `words` is reused; digit_start ready
#endif
  for (var k = 0u; k < SORT_ITEMS; k++) {
    let i = first + k;
    if (i < n) {
      let d = digits[k];
      let w = d >> 1u;
      let word = select(before_hi[w & 3u], before_lo[w & 3u], w < 4u);
      let rank = (word >> ((d & 1u) * 16u)) & 0xffffu;
      add_digit(&before_lo, &before_hi, d);
#ifdef LOCAL_SORT
      let slot = digit_start[d] + rank;
      words[slot] = keys[k];
      words[SORT_TILE + slot] = values_in[i];
#else
      let dst = tile_offsets[d * params.num_tiles + tile] + rank;
      keys_out[dst] = keys[k];
      values_out[dst] = values_in[i];
#endif
    }
  }
#ifdef LOCAL_SORT
  workgroupBarrier();
  let tile_count = min(SORT_TILE, n - tile * SORT_TILE);
  for (var j = lid; j < tile_count; j += 256u) {
    let key = words[j];
    let d = sort_digit(key);
    let dst = tile_offsets[d * params.num_tiles + tile] + j - digit_start[d];
    keys_out[dst] = key;
    values_out[dst] = words[SORT_TILE + j];
  }
#endif
}
