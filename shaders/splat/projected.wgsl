// Layout of one projected splat, `projected: [N, 12] f32`, written by project_forward:
//   [0] mean x (pixels)  [1] mean y  [2] camera-space z  [3] opacity (sigmoid of the logit)
//   [4] conic a          [5] conic b [6] conic c          [7] extent x in pixels (0 = culled)
//   [8] red              [9] green   [10] blue            [11] extent y in pixels
// The conic [[a, b], [b, c]] is the inverse 2-D covariance; a pixel at centre p gets
// alpha = opacity * exp(-0.5 (a dx^2 + c dy^2) - b dx dy), d = mean - p.
const PROJECTED_STRIDE: u32 = 12u;
const TILE: u32 = 16u;

// Tiles [x0, y0) .. [x1, y1) touched by the splat's extent rectangle (x1 <= x0 when none).
fn tile_rect(mean: vec2<f32>, extent: vec2<f32>, tiles: vec2<u32>) -> vec4<i32> {
  let lo = floor((mean - extent) / f32(TILE));
  let hi = ceil((mean + extent) / f32(TILE));
  let tmax = vec2<f32>(tiles);
  let lo_c = clamp(lo, vec2<f32>(0.0), tmax);
  let hi_c = clamp(hi, vec2<f32>(0.0), tmax);
  return vec4<i32>(vec2<i32>(lo_c), vec2<i32>(hi_c));
}

fn tile_rect_area(r: vec4<i32>) -> u32 {
  return u32(max(r.z - r.x, 0) * max(r.w - r.y, 0));
}
