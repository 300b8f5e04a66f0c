/**
 * Shared types of the depth stage.
 *
 * A DepthView is one posed input photo at the working resolution; a DepthMap is the
 * per-pixel depth (along the optical axis, world units) of one view with its confidence.
 */
import type { Camera } from '../splat/camera.js';

export interface DepthView {
  /** Name for messages and output files (e.g. the image file stem). */
  name: string;
  /** Camera at the working resolution (width/height match the arrays below). */
  camera: Camera;
  /** gray: [H, W] luminance in [0, 1] */
  gray: Float32Array;
  /** rgb: [H, W, 3] linear-ish sRGB values in [0, 1] */
  rgb: Float32Array;
  /** mask: [H, W], 1 = pixel belongs to the scene (e.g. alpha >= 0.5); absent = all pixels */
  mask?: Uint8Array;
}

export interface DepthMap {
  width: number;
  height: number;
  /** depth: [H, W] z-depth in world units; 0 = unknown */
  depth: Float32Array;
  /** confidence: [H, W] in [0, 1]; 0 for pixels that were only hole-filled */
  confidence: Float32Array;
  /** filled: [H, W] 1 where the depth came from hole filling rather than matching */
  filled: Uint8Array;
}

/** Near/far z-depth bounds of the sweep. */
export interface DepthRange {
  near: number;
  far: number;
}
