// Row culling for the 'rows' rasterizer kernels (CPU adapters): can a splat reach ALPHA_MIN
// anywhere on one tile row? power(dx) = -0.5 (a dx^2 + c dy^2) - b dx dy is a concave quadratic
// in dx (a > 0), so over the row's pixel centres (dx in [dx_lo, dx_hi], one dy) it is at most its
// value at clamp(-b dy / a, dx_lo, dx_hi). When even that bound gives opacity * exp(bound) below
// ALPHA_MIN, every pixel of the row would skip the splat: skipping the row changes no result.
// The bound is evaluated with the pixels' own formula; the margin covers f32 rounding of the
// terms (relative 1e-5 of their magnitude) so a pixel at the threshold is never skipped wrongly.

// log_thresh = log(ALPHA_MIN / opacity) (+large when opacity <= 0): what `power` must reach.
fn row_log_threshold(opacity: f32) -> f32 {
  return select(1e30, log(ALPHA_MIN) - log(opacity), !(opacity <= 0.0)); // NaN stays NaN: never culled
}

// mean: splat centre (pixels); con: conic (a, b, c); cy: row centre y; x_lo, x_hi: first and
// last pixel centre x of the row. True when the row cannot see the splat.
fn row_culled(mean: vec2<f32>, con: vec3<f32>, log_thresh: f32, cy: f32, x_lo: f32, x_hi: f32) -> bool {
  if (!(con.x > 0.0)) { return false; }
  let dy = mean.y - cy;
  let dx = clamp(-con.y * dy / con.x, mean.x - x_hi, mean.x - x_lo);
  let ta = con.x * dx * dx;
  let tc = con.z * dy * dy;
  let tb = con.y * dx * dy;
  let bound = -0.5 * (ta + tc) - tb;
  let margin = 1e-5 * (abs(ta) + abs(tc) + 2.0 * abs(tb)) + 1e-4;
  return bound + margin < log_thresh;
}

// Pixels [q0, q1) of a row of npx pixels starting at x0 whose centres can reach log_thresh:
// the roots of a dx^2 + 2 b dy dx + c dy^2 + 2 log_thresh = 0, widened by a slack of one pixel
// plus 1e-3 of the magnitudes involved (the roots lose precision to cancellation for thin,
// tilted ellipses). Pixels outside the span would each skip the splat; q0 >= q1: none.
// Falls back to the whole row whenever the arithmetic is not clean (NaN, no real root although
// the bound says reachable).
fn row_span(mean: vec2<f32>, con: vec3<f32>, log_thresh: f32, cy: f32, x0: f32, npx: u32) -> vec2<u32> {
  let full = vec2<u32>(0u, npx);
  if (npx == 0u) { return full; }
  if (row_culled(mean, con, log_thresh, cy, x0 + 0.5, x0 + f32(npx) - 0.5)) { return vec2<u32>(0u, 0u); }
  if (!(con.x > 0.0)) { return full; }
  let dy = mean.y - cy;
  let disc = con.y * con.y * dy * dy - con.x * (con.z * dy * dy + 2.0 * log_thresh);
  if (!(disc >= 0.0)) { return full; }
  let peak = mean.x + con.y * dy / con.x; // pixel x of the row's maximum (dx = -b dy / a)
  let half = sqrt(disc) / con.x;
  let scale = sqrt((abs(con.z) * dy * dy + 2.0 * abs(log_thresh)) / con.x);
  let slack = 1.0 + 1e-3 * (abs(peak - x0) + half + scale);
  let lo = peak - half - slack - x0 - 0.5;
  let hi = peak + half + slack - x0 - 0.5;
  if (!(lo <= hi)) { return full; }
  let n = f32(npx);
  return vec2<u32>(u32(clamp(ceil(lo), 0.0, n)), u32(clamp(floor(hi) + 1.0, 0.0, n)));
}
