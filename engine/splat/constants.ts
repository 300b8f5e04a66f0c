/**
 * Cut-offs shared by the GPU rasterizer (shaders/splat/*.wgsl, passed as defines) and the
 * float64 reference (engine/splat/reference/*). Changing one here changes both.
 */
export const TILE_SIZE = 16;
/** Splats with camera-space z below this are culled (metres in scene units). */
export const NEAR_PLANE = 0.01;
/** Isotropic screen-space low-pass added to the 2-D covariance (pixels^2), as in 3DGS. */
export const LOW_PASS = 0.3;
/** The screen-space extent is this many standard deviations along each image axis. */
export const SIGMA_EXTENT = 3;
/** Projection Jacobian clamps x/z, y/z to the image half-extent plus this fraction of the FOV (gsplat). */
export const FRUSTUM_MARGIN = 0.3;
/** Blend weights below this are skipped (and never get gradients). */
export const ALPHA_MIN = 1 / 255;
/** Per-splat alpha is clamped here so transmittance never hits 0 (backward divides by 1 - alpha). */
export const ALPHA_MAX = 0.99;
/** A pixel stops once transmittance would fall below this; that splat is not blended. */
export const TRANSMITTANCE_MIN = 1e-4;

export function tileGrid(width: number, height: number): { tilesX: number; tilesY: number; numTiles: number } {
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tilesY = Math.ceil(height / TILE_SIZE);
  return { tilesX, tilesY, numTiles: tilesX * tilesY };
}
