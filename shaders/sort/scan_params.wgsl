// Uniform shared by the scan kernels (helper include). Elements are grouped in blocks of
// SCAN_BLOCK = 1024 (256 invocations x 4 contiguous items).
struct ScanParams {
  count: u32,      // number of u32 elements to scan
  num_blocks: u32, // ceil(count / SCAN_BLOCK)
  inclusive: u32,  // 1: inclusive scan, 0: exclusive
  _pad: u32,
}
const SCAN_BLOCK: u32 = 1024u;
const SCAN_ITEMS: u32 = 4u;

// Workgroups may be folded into a 2-D grid (Kernel.dispatch with grid1d): linear block id.
fn scan_block_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}
