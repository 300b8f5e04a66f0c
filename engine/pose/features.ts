/**
 * The feature stage behind one interface, so the pose pipeline can use a learned
 * extractor/matcher (XFeat + LighterGlue, engine/pose/xfeat*.ts) when its weights
 * are present and a classical one (ORB, engine/pose/orb*.ts) otherwise.
 */
import type { RgbaImage } from '../io/image.js';

export interface Keypoints {
  /** Size of the image the keypoints refer to (the upright, full-resolution photo). */
  width: number;
  height: number;
  /** [N, 2] pixel coordinates (x right, y down, pixel centres at +0.5) in that image. */
  xy: Float32Array;
  /** [N] detector confidence, higher is better. */
  scores: Float32Array;
  /** [N, D] descriptors, L2-normalized rows for float descriptors. */
  descriptors: Float32Array | Uint8Array;
  descriptorDim: number;
  /** 'float' (compare by dot product) or 'binary' (Hamming, packed bytes). */
  descriptorKind: 'float' | 'binary';
}

export interface Matches {
  /** [M, 2] index pairs (i in a, j in b). */
  pairs: Uint32Array;
  /** [M] match confidence in [0, 1]. */
  scores: Float32Array;
}

export interface FeatureExtractor {
  readonly name: string;
  extract(image: RgbaImage, maxKeypoints?: number): Promise<Keypoints>;
  /**
   * Start loading the backend's runtime (e.g. compiling a WASM module) so that it overlaps
   * with photo decoding; `extract` awaits the same load, so calling this is optional.
   */
  prepare?(): Promise<void>;
  dispose?(): Promise<void> | void;
}

export interface FeatureMatcher {
  readonly name: string;
  match(a: Keypoints, b: Keypoints): Promise<Matches>;
  dispose?(): Promise<void> | void;
}

export interface FeatureBackend {
  /** e.g. 'xfeat+lighterglue', 'xfeat+mnn', 'orb+bf' */
  readonly name: string;
  readonly extractor: FeatureExtractor;
  readonly matcher: FeatureMatcher;
}

export function keypointCount(k: Keypoints): number {
  return k.xy.length / 2;
}
