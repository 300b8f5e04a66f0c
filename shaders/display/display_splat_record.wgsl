// Layout of one display splat, `splats: [N, 8] u32` (32 bytes), written by display_project and
// copied into draw order by display_gather; the draw reads it as an instance vertex buffer:
//   [0] centre x (f32 bits, pixels)  [1] centre y      [2] axis x (f32)   [3] axis y (f32)
//   [4] minor / major axis ratio (f32)                  [5] support k (f32, in standard deviations)
//   [6] pack2x16float(red, green)    [7] pack2x16float(blue, opacity)
// The quad's corners are centre +- axis +- ratio * perp(axis), perp(x, y) = (-y, x); `axis` is
// k sqrt(lambda_major) times the major unit eigenvector of the 2-D covariance, so a pixel at
// local quad coordinates (s, t) in [-1, 1]^2 has Mahalanobis distance^2 = k^2 (s^2 + t^2).
// A culled splat's record is never drawn (its key is 0, see display_project.wgsl).
const DISPLAY_STRIDE: u32 = 8u;
