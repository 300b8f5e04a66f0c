// Workgroup-wide scan helper for 256-invocation workgroups (helper include, not a kernel).
// Raking in three phases with four barriers, not log2(256) = 8 Hillis-Steele steps with
// 16: barriers dominate on CPU adapters (llvmpipe), and the serial parts are tiny.
// Must be called from uniform control flow by every invocation. u32 sums wrap (mod 2^32).
const SCAN_WG: u32 = 256u;
var<workgroup> wg_scan_buf: array<u32, 256>;
var<workgroup> wg_scan_segments: array<u32, 17>; // 16 segment offsets + total

// Returns (exclusive prefix of `value` over invocations 0..lid-1, total over the workgroup).
fn wg_exclusive_scan(lid: u32, value: u32) -> vec2<u32> {
  wg_scan_buf[lid] = value;
  workgroupBarrier();
  // (1) invocation s < 16 scans invocations 16s..16s+15 serially (inclusive, in place).
  if (lid < 16u) {
    var acc = 0u;
    for (var j = 0u; j < 16u; j++) {
      acc += wg_scan_buf[lid * 16u + j];
      wg_scan_buf[lid * 16u + j] = acc;
    }
    wg_scan_segments[lid] = acc;
  }
  workgroupBarrier();
  // (2) one invocation turns the 16 segment totals into exclusive offsets.
  if (lid == 0u) {
    var running = 0u;
    for (var s = 0u; s < 16u; s++) {
      let t = wg_scan_segments[s];
      wg_scan_segments[s] = running;
      running += t;
    }
    wg_scan_segments[16] = running;
  }
  workgroupBarrier();
  // (3) offset + inclusive-in-segment - own value.
  let exclusive = wg_scan_segments[lid >> 4u] + wg_scan_buf[lid] - value;
  let total = wg_scan_segments[16];
  // Everyone has read the buffers before a later call overwrites them.
  workgroupBarrier();
  return vec2<u32>(exclusive, total);
}
