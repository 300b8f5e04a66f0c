// Order-preserving map from f32 to u32 (helper include): for finite floats and infinities,
// a < b  <=>  float_to_sortable_u32(a) < float_to_sortable_u32(b), with -0 just below +0.
// Negative floats flip every bit (reversing their order); non-negative ones set the sign bit.
// NaNs map above +inf (positive NaN) or below -inf (negative NaN).
fn float_to_sortable_u32(f: f32) -> u32 {
  let bits = bitcast<u32>(f);
  let mask = select(0x80000000u, 0xffffffffu, (bits & 0x80000000u) != 0u);
  return bits ^ mask;
}

fn sortable_u32_to_float(u: u32) -> f32 {
  let mask = select(0xffffffffu, 0x80000000u, (u & 0x80000000u) != 0u);
  return bitcast<f32>(u ^ mask);
}
