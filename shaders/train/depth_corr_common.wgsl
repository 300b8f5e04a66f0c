// Shared by the depth-correlation kernels (engine/train/regularizers/depth-correlation.ts).
// Patch statistics are stored centred, 6 f32 per patch:
//   [n, mean_r, mean_p, Srr, Spp, Srp]   (S = sums of centred products)
// because raw sums of squares of depths (tens of units) lose the variance to
// cancellation in f32.
struct DepthCorrUniforms {
  width: u32, height: u32, offset_x: u32, offset_y: u32,
  patches_x: u32, patches_y: u32, min_pixels: f32, eps: f32,
  w_global: f32, w_patch: f32, _pad0: f32, _pad1: f32,
};

const PATCH: u32 = 16u;

fn corr_valid(prior: f32, conf: f32) -> bool {
  // Finite test on the bit pattern: shader compilers may fold `x == x` away (fast math).
  let finite = (bitcast<u32>(prior) & 0x7f800000u) != 0x7f800000u;
  return finite && prior > 0.0 && conf > 0.0;
}

// Pearson's rho and the pieces its gradient needs; valid = false for small or constant sets.
struct Pearson { rho: f32, inv_sqrt: f32, inv_srr: f32, rm: f32, pm: f32, valid: bool };

fn pearson_from(s0: f32, s1: f32, s2: f32, s3: f32, s4: f32, s5: f32, min_pixels: f32, eps: f32) -> Pearson {
  var o: Pearson;
  o.valid = s0 >= min_pixels && s3 > eps * s0 && s4 > eps * s0;
  if (!o.valid) { return o; }
  o.inv_sqrt = inverseSqrt(s3) * inverseSqrt(s4);
  o.rho = s5 * o.inv_sqrt;
  o.inv_srr = 1.0 / s3;
  o.rm = s1;
  o.pm = s2;
  return o;
}
