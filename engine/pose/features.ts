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
  /**
   * For keypoints found in a turned copy of the photo (turned-features.ts): their
   * positions in that copy, where the descriptors were computed. A matcher that reads
   * positions (LighterGlue's positional encoding) uses these, so positions and
   * descriptors agree; `xy` stays in the photo's pixels for the geometry.
   */
  described?: { xy: Float32Array; width: number; height: number };
}

export interface Matches {
  /** [M, 2] index pairs (i in a, j in b). */
  pairs: Uint32Array;
  /** [M] match confidence in [0, 1]. */
  scores: Float32Array;
}

export interface FeatureExtractor {
  readonly name: string;
  /**
   * True when keypoints are described in their own orientation (ORB, AKAZE), so a photo
   * turned in its image plane still matches; learned extractors like XFeat are not,
   * and the pose pipeline then tries turned copies of photos it cannot link
   * (rotation-search.ts).
   */
  readonly rotationInvariant?: boolean;
  /**
   * Long side (px) the pose stage works at: larger photos are downscaled for it (by area
   * averaging) and the cameras scaled back to the photo's pixels. The extractor's own
   * resolution: keypoints are no more precise than that, and every pixel threshold of
   * the stage (verification, PnP, bundle adjustment) is in working pixels. Default: the
   * photo as it is.
   */
  workingSide?(): Promise<number>;
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
  /**
   * A cheaper matcher for ranking candidates before `matcher` confirms the best one
   * (the rotation search's turns): mutual NN for XFeat + LighterGlue.
   */
  readonly screenMatcher?: FeatureMatcher;
}

export function keypointCount(k: Keypoints): number {
  return k.xy.length / 2;
}
