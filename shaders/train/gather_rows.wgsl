// Build a new row buffer from an index list: dst[r, :] = src[indices[r], :], or zeros where
// indices[r] is ZERO_ROW (0xffffffff) or out of range. Rows are row_size 32-bit words (f32 or u32:
// bits are copied). Used by densification so parameters and Adam moments stay row-aligned:
// clone = an index repeated, prune = an index left out, fresh moments = ZERO_ROW.
// Buffers larger than the binding limit are bound in row ranges (engine/train/gather.ts); one
// dispatch handles one destination range against one source range:
//   src:     rows [src_row_start, src_row_start + src_row_count) of [src_rows, row_size] words
//   indices: [num_rows] u32, this destination range's source rows (global numbering)
//   dst:     [num_rows, row_size] words out; rows whose source lies in another source range are
//            left alone, zero rows are written only when zero_fill is set (first source range)
#include "common/dispatch"
struct GatherParams {
  num_rows: u32,
  row_size: u32,
  src_rows: u32,       // valid source rows in total; larger indices give zero rows
  src_row_start: u32,
  src_row_count: u32,
  zero_fill: u32,
  _pad0: u32,
  _pad1: u32,
}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<uniform> gather: GatherParams;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = linear_index(gid, nwg, 256u);
  if (e >= gather.num_rows * gather.row_size) { return; }
  let r = e / gather.row_size;
  let c = e - r * gather.row_size;
  let s = indices[r];
  if (s >= gather.src_rows) {
    if (gather.zero_fill != 0u) { dst[e] = 0u; }
  } else if (s >= gather.src_row_start && s - gather.src_row_start < gather.src_row_count) {
    dst[e] = src[(s - gather.src_row_start) * gather.row_size + c];
  }
}
