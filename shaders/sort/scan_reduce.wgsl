// Prefix sum, pass 1 of 3: the sum of each block of SCAN_BLOCK inputs.
//   input:      [count] u32
//   block_sums: [num_blocks] u32, block_sums[b] = sum(input[b*SCAN_BLOCK .. (b+1)*SCAN_BLOCK)) mod 2^32
#include "sort/scan_params"
#include "sort/wg_scan"
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> block_sums: array<u32>;
@group(0) @binding(2) var<uniform> params: ScanParams;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = scan_block_index(wid, nwg);
  if (block >= params.num_blocks) { return; } // whole workgroup: uniform
  // Strided loads (consecutive invocations read consecutive words); order is irrelevant for a sum.
  var sum = 0u;
  for (var k = 0u; k < SCAN_ITEMS; k++) {
    let i = block * SCAN_BLOCK + k * SCAN_WG + lid;
    if (i < params.count) { sum += input[i]; }
  }
  let scanned = wg_exclusive_scan(lid, sum);
  if (lid == 0u) { block_sums[block] = scanned.y; }
}
