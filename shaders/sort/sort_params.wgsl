// Uniform shared by the radix sort kernels (helper include). One radix pass sorts by the
// digit (key >> shift) & digit_mask, at most 4 bits, so 16 bins. Keys are processed in
// tiles of SORT_TILE = 1024 (256 invocations x 4 contiguous keys).
struct SortParams {
  count: u32,      // number of (key, value) pairs
  num_tiles: u32,  // ceil(count / SORT_TILE)
  shift: u32,      // low bit of this pass's digit
  digit_mask: u32, // (1 << digit bits) - 1; fewer than 4 bits on the last pass of an odd `bits`
}
const SORT_TILE: u32 = 1024u;
const SORT_ITEMS: u32 = 4u;
const SORT_BINS: u32 = 16u;

fn sort_tile_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn sort_digit(key: u32) -> u32 {
  return (key >> params.shift) & params.digit_mask;
}
