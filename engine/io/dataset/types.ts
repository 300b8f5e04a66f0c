/**
 * The dataset a trainer consumes: posed frames (pinhole cameras, OpenCV axes),
 * a train/test split, optional sparse points and a robust scene extent.
 * Loaders (COLMAP, transforms.json) produce it; pixels are decoded lazily by
 * `FrameImages` (images.ts) so a large photo set is never in memory at once.
 */
import type { Camera } from '../../splat/camera.js';

/** Lens distortion of the source photo; images are undistorted to `Frame.camera` on decode. */
export interface Distortion {
  /** COLMAP-style radial (k1, k2) and tangential (p1, p2) coefficients on normalized coordinates. */
  k1: number;
  k2: number;
  p1: number;
  p2: number;
  /** The camera the photo was taken with (pixels as stored, before undistortion). */
  source: Camera;
}

export interface Frame {
  /** Image name as the dataset writes it (COLMAP name or transforms.json file_path). */
  name: string;
  /** Pinhole camera of the pixels `FrameImages` returns (after undistortion and downscaling). */
  camera: Camera;
  /** Absolute path of the photo. */
  imagePath: string;
  /** [width, height] of the photo as stored (upright), before undistortion and downscaling. */
  imageSize: [number, number];
  /** Integer factor the photo is box-downscaled by to match `camera` (default 1). */
  downscale?: number;
  /** Normalized time of a dynamic capture, when the dataset gives one. */
  time?: number;
  /** Present when the photo is distorted; the loader undistorts to `camera`. */
  distortion?: Distortion;
}

export interface SparsePoints {
  count: number;
  /** [N, 3] world positions */
  xyz: Float32Array;
  /** [N, 3] colours in [0, 1] */
  rgb: Float32Array;
}

export interface DatasetSplit {
  /** Frame indices used for training. */
  train: number[];
  /** Held-out frame indices for evaluation. */
  test: number[];
  /** The few-view training subset, when the dataset defines one. */
  sparseTrain?: number[];
  /** Where the split came from. */
  source: 'file' | 'every-8th';
}

export interface Dataset {
  /** Dataset root folder. */
  root: string;
  kind: 'colmap' | 'transforms';
  frames: Frame[];
  split: DatasetSplit;
  points?: SparsePoints;
  /** Robust scene radius: 1.1 x median camera distance from the median camera centre. */
  extent: number;
  /** Median camera centre (world). */
  center: [number, number, number];
  /** Scene depth range [near, far] in front of the cameras, when the dataset states it. */
  depthRange?: [number, number];
  /** Whether the photos carry an alpha channel that is used as a mask (transforms.json `background`). */
  hasAlpha: boolean;
}

/** Bad dataset input; the message starts with the offending file. */
export class DatasetError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}
