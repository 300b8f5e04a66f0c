// Prefix sum, pass 3 of 3: scan each block and add its scanned block offset.
//   input:      [count] u32 (absent with IN_PLACE: `output` holds the input)
//   block_sums: [num_blocks] u32, exclusive scan of block sums (from scan_spine)
//   output:     [count] u32, output[i] = sum(input[0..i)) (exclusive) or sum(input[0..=i]) (inclusive), mod 2^32
// Invocation `lid` owns 4 contiguous items so one workgroup scan covers the block.
#include "sort/scan_params"
#include "sort/wg_scan"
#ifdef IN_PLACE
@group(0) @binding(0) var<storage, read_write> output: array<u32>;
@group(0) @binding(1) var<storage, read> block_sums: array<u32>;
@group(0) @binding(2) var<uniform> params: ScanParams;
#else
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read> block_sums: array<u32>;
@group(0) @binding(2) var<uniform> params: ScanParams;
@group(0) @binding(3) var<storage, read_write> output: array<u32>;
#endif

fn load(i: u32) -> u32 {
#ifdef IN_PLACE
  return output[i];
#else
  return input[i];
#endif
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = scan_block_index(wid, nwg);
  if (block >= params.num_blocks) { return; } // whole workgroup: uniform
  let first = block * SCAN_BLOCK + lid * SCAN_ITEMS;
  var x: array<u32, 4>;
  var local_sum = 0u;
  for (var k = 0u; k < SCAN_ITEMS; k++) {
    let i = first + k;
    x[k] = 0u;
    if (i < params.count) { x[k] = load(i); }
    local_sum += x[k];
  }
  let scanned = wg_exclusive_scan(lid, local_sum);
  var running = block_sums[block] + scanned.x;
  for (var k = 0u; k < SCAN_ITEMS; k++) {
    let i = first + k;
    let next = running + x[k];
    if (i < params.count) { output[i] = select(running, next, params.inclusive != 0u); }
    running = next;
  }
}
