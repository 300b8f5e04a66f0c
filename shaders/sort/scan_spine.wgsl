// Prefix sum, pass 2 of 3: exclusive scan of the block sums, in place, by one workgroup that
// walks them in chunks of SCAN_BLOCK carrying the running total (4096 blocks for 4M elements).
//   block_sums: [num_blocks] u32 -> block_sums[b] = sum of blocks 0..b-1 (mod 2^32)
#include "sort/scan_params"
#include "sort/wg_scan"
@group(0) @binding(0) var<storage, read_write> block_sums: array<u32>;
@group(0) @binding(1) var<uniform> params: ScanParams;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.num_blocks;
  var carry = 0u;
  for (var base = 0u; base < n; base += SCAN_BLOCK) {
    var v: array<u32, 4>;
    var local_sum = 0u;
    for (var k = 0u; k < SCAN_ITEMS; k++) {
      let i = base + lid * SCAN_ITEMS + k;
      var x = 0u;
      if (i < n) { x = block_sums[i]; }
      v[k] = local_sum; // exclusive within this invocation's 4 items
      local_sum += x;
    }
    let scanned = wg_exclusive_scan(lid, local_sum);
    for (var k = 0u; k < SCAN_ITEMS; k++) {
      let i = base + lid * SCAN_ITEMS + k;
      if (i < n) { block_sums[i] = carry + scanned.x + v[k]; }
    }
    carry += scanned.y;
  }
}
