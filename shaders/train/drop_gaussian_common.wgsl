// DropGaussian (Park et al., CVPR 2025): which Gaussians are kept at a step, shared by
// drop_gaussian_forward.wgsl and drop_gaussian_backward.wgsl.
// Reference: engine/train/regularizers/reference/drop-gaussian-ref.ts (pcgHash, keepGaussian).

struct DropUniforms {
  count: u32,
  seed: u32,
  step: u32,
  _p0: u32,
  rate: f32,
  // ln c and c - 1 of the compensation c = 1 / (1 - rate)
  log_c: f32,
  c_minus_1: f32,
  // logit of the opacity cap, and the logit written for dropped Gaussians
  cap_logit: f32,
  dropped_logit: f32,
  // cap (1 - cap), for the straight-through gradient at the cap
  cap_slope: f32,
  _p2: f32,
  _p3: f32,
};

// PCG hash (Jarzynski & Olano 2020), a bijection on u32; u32 products wrap as Math.imul does.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Uniform in [0, 1) with 24 bits (exact in f32) from (seed, step, index): runs repeat for a seed,
// and every step draws an independent set.
fn drop_uniform(seed: u32, step: u32, index: u32) -> f32 {
  let h = pcg_hash(index ^ pcg_hash(step ^ pcg_hash(seed)));
  return f32(h >> 8u) * (1.0 / 16777216.0);
}

fn drop_keep(u: DropUniforms, index: u32) -> bool {
  return drop_uniform(u.seed, u.step, index) >= u.rate;
}
