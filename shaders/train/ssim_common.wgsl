// Shared by the ssim_* kernels (helper include). Images are [H, W, 3] f32, channels interleaved;
// "planes" buffers hold P images of that shape back to back: plane q at q * plane_size().
// The kernels run one invocation per pixel (3 channels) in 16x16 workgroups, reading global
// memory directly: staging tiles in workgroup memory measured ~1.5x slower on llvmpipe.
// The blur is an 11-tap Gaussian (sigma 1.5, normalised) with zero padding, as in 3DGS.
struct SsimParams {
  width: u32,
  height: u32,
  num_partials: u32, // workgroups of the 16x16 grid = partial sums written by ssim_fwd_v
  lambda: f32,       // loss = (1 - lambda) L1 + lambda (1 - SSIM)
}

const SSIM_RADIUS: i32 = 5;
// exp(-(k-5)^2 / (2 * 1.5^2)), normalised to sum 1 (engine/train/reference/ssim-ref.ts: gaussianWindow).
const SSIM_WEIGHTS = array<f32, 11>(0.00102838008, 0.00759875814, 0.0360007721, 0.109360690, 0.213005538,
  0.266011725, 0.213005538, 0.109360690, 0.0360007721, 0.00759875814, 0.00102838008);
const SSIM_C1: f32 = 0.0001; // 0.01^2
const SSIM_C2: f32 = 0.0009; // 0.03^2

fn plane_size() -> u32 {
  return params.width * params.height * 3u;
}

fn pixel_offset(x: i32, y: i32) -> u32 {
  return (u32(y) * params.width + u32(x)) * 3u;
}
