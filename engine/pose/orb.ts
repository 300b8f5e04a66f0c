/**
 * The classical feature backend: binary features from OpenCV (the @techstark/opencv-js
 * wasm build, loaded lazily on first use: it is a ~10 MB module that takes 1-3 s to
 * instantiate), matched by brute-force Hamming distance with Lowe's ratio test and a
 * mutual (cross) check.
 *
 * Detector: ORB ('orb+bf') or AKAZE ('akaze+bf', what the pose stage uses). Measured on fern
 * pairs with the same verification (2 px, five-point), AKAZE's relative rotations were
 * 0.08-1.2° off against ORB's 0.6-1.9°: its nonlinear scale space localizes better on
 * these ~500 px photos. ORB stays for speed and as the brief's baseline.
 *
 * The matcher is ours rather than cv.BFMatcher: one pass over the distance matrix
 * gives both directions (ratio test on rows, best match of every column for the
 * mutual check) without knnMatch's vector-of-vector marshalling, its distances counted
 * by native popcount in a small WebAssembly kernel (hamming-wasm.ts).
 */
import type { RgbaImage } from '../io/image.js';
import type { FeatureBackend, FeatureExtractor, FeatureMatcher, Keypoints, Matches } from './features.js';
import { bestMatches } from './hamming-wasm.js';
import { loadOpenCvNode } from './opencv-node.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type OpenCv = any;

let cvPromise: Promise<{ cv: OpenCv }> | null = null;

/**
 * Load opencv-js once. The module object is "thenable" (Emscripten), so it is
 * wrapped in an object: resolving a promise with it directly would recurse.
 */
export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  cvPromise ??= (async () => {
    // Node: the bundle's wasm is compiled from its bytes and the glue evaluated alone
    // (opencv-node.ts: ~0.1 s less main-thread time in a cold process than require()).
    // Imported statically (no node: imports at its top level, so browser bundles take it
    // too): the load then starts synchronously in prepare(), before the photos decode.
    if (typeof process !== 'undefined' && process.versions?.node) return loadOpenCvNode();
    const mod: any = await import('@techstark/opencv-js');
    const cv: OpenCv = mod.default ?? mod;
    if (!cv.Mat) await new Promise<void>((resolve) => (cv.onRuntimeInitialized = () => resolve()));
    return { cv };
  })();
  return cvPromise;
}

export interface OrbOptions {
  detector?: 'orb' | 'akaze';
  akazeThreshold?: number;
  /** keypoints per image (default 3000) */
  maxKeypoints?: number;
  /**
   * Long side the pose stage works at (default 1600 px, like a phone photo at a quarter of
   * its size): AKAZE's nonlinear scale space of a 12 MP photo does not fit the WASM heap,
   * and finer detail adds time, not accuracy, at this stage.
   */
  maxImageSide?: number;
  /** Lowe ratio (default 0.8) */
  ratio?: number;
  /** largest Hamming distance accepted, as a fraction of the descriptor bits (default 0.3) */
  maxDistanceFraction?: number;
}

/** Luminance of an RGBA image, transparent pixels composited over white (NeRF synthetic convention). */
export function toGray(img: RgbaImage): Uint8Array {
  const n = img.width * img.height;
  const g = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const alpha = d[4 * i + 3];
    const y = 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2];
    if (alpha === 255) g[i] = Math.round(y); // y * 1 + 255 * 0: the same value, exactly
    else {
      const a = alpha / 255;
      g[i] = Math.round(y * a + 255 * (1 - a));
    }
  }
  return g;
}

export class OrbExtractor implements FeatureExtractor {
  readonly name: string;
  /** ORB and AKAZE describe each keypoint in its dominant orientation. */
  readonly rotationInvariant = true;
  constructor(private readonly opts: OrbOptions = {}) {
    this.name = opts.detector ?? 'orb';
  }

  async prepare(): Promise<void> {
    await loadOpenCv();
  }

  async workingSide(): Promise<number> {
    return this.opts.maxImageSide ?? 1600;
  }

  async extract(image: RgbaImage, maxKeypoints?: number): Promise<Keypoints> {
    const { cv } = await loadOpenCv();
    const n = maxKeypoints ?? this.opts.maxKeypoints ?? 3000;
    const gray = new cv.Mat(image.height, image.width, cv.CV_8UC1);
    const mask = new cv.Mat();
    const kps = new cv.KeyPointVector();
    const des = new cv.Mat();
    // The wasm build cannot call ORB's full constructor (its ScoreType enum is not
    // bound), so only nfeatures goes in and the rest through the bound setters; the
    // FAST threshold has no setter and stays at OpenCV's 20.
    let orb: any;
    if (this.name === 'akaze') {
      orb = new cv.AKAZE();
      orb.setThreshold(this.opts.akazeThreshold ?? 0.0005);
    } else {
      orb = new cv.ORB(n);
      orb.setScaleFactor(1.2);
      orb.setNLevels(8);
      // Smaller border and patch than the defaults (31): photos here can be ~400 px wide.
      orb.setEdgeThreshold(19);
      orb.setPatchSize(19);
    }
    try {
      gray.data.set(toGray(image));
      orb.detectAndCompute(gray, mask, kps, des);
      const all = kps.size();
      const dim = des.cols;
      // Each keypoint read once (an embind call that builds a JS object): x, y, response.
      const kx = new Float64Array(all);
      const ky = new Float64Array(all);
      const resp = new Float64Array(all);
      for (let i = 0; i < all; i++) {
        const k = kps.get(i);
        kx[i] = k.pt.x;
        ky[i] = k.pt.y;
        resp[i] = k.response;
      }
      // AKAZE has no keypoint budget: keep the strongest responses.
      const order = Array.from({ length: all }, (_, i) => i);
      if (all > n) order.sort((p, q) => resp[q] - resp[p]).length = n;
      const count = order.length;
      const xy = new Float32Array(2 * count);
      const scores = new Float32Array(count);
      const descriptors = new Uint8Array(count * dim);
      const desData = des.data as Uint8Array;
      order.forEach((src, i) => {
        // OpenCV keypoint coordinates put pixel centres at integers; ours at +0.5.
        xy[2 * i] = kx[src] + 0.5;
        xy[2 * i + 1] = ky[src] + 0.5;
        scores[i] = resp[src];
        descriptors.set(desData.subarray(src * dim, (src + 1) * dim), i * dim);
      });
      return { width: image.width, height: image.height, xy, scores, descriptors, descriptorDim: dim, descriptorKind: 'binary' };
    } finally {
      gray.delete();
      mask.delete();
      kps.delete();
      des.delete();
      orb.delete();
    }
  }
}

/**
 * Brute-force Hamming matching of packed binary descriptors with the ratio test
 * (best < ratio * second best, from a to b) and a mutual check (a's best in b has
 * a as its best in a). Score = 1 - distance / bits. The distance matrix is scanned by
 * the WebAssembly kernel of hamming-wasm.ts (native popcount; ~5x the JavaScript loop).
 */
export function matchBinary(a: Keypoints, b: Keypoints, ratio = 0.8, maxDistanceFraction = 0.3): Matches {
  if (a.descriptorKind !== 'binary' || b.descriptorKind !== 'binary' || a.descriptorDim !== b.descriptorDim) {
    throw new Error(`matchBinary: needs binary descriptors of one size (got ${a.descriptorKind}/${a.descriptorDim}, ${b.descriptorKind}/${b.descriptorDim})`);
  }
  const na = a.xy.length / 2;
  const nb = b.xy.length / 2;
  const { best, bestD, secondD, colBest } = bestMatches(a.descriptors as Uint8Array, b.descriptors as Uint8Array, na, nb, a.descriptorDim);
  const pairs: number[] = [];
  const scores: number[] = [];
  const bits = a.descriptorDim * 8;
  const maxDistance = maxDistanceFraction * bits;
  for (let i = 0; i < na; i++) {
    const j = best[i];
    if (j < 0 || bestD[i] > maxDistance || bestD[i] >= ratio * secondD[i] || colBest[j] !== i) continue;
    pairs.push(i, j);
    scores.push(1 - bestD[i] / bits);
  }
  return { pairs: Uint32Array.from(pairs), scores: Float32Array.from(scores) };
}

export class BruteForceHammingMatcher implements FeatureMatcher {
  readonly name = 'bf-hamming';
  constructor(private readonly opts: OrbOptions = {}) {}
  async match(a: Keypoints, b: Keypoints): Promise<Matches> {
    return matchBinary(a, b, this.opts.ratio ?? 0.8, this.opts.maxDistanceFraction ?? 0.3);
  }
}

/**
 * The classical backend: 'orb+bf' by default (the name the feature-backend chooser
 * falls back to), 'akaze+bf' with { detector: 'akaze' } — what `sparrow poses` uses.
 */
export function createOrbBackend(opts: OrbOptions = {}): FeatureBackend {
  const detector = opts.detector ?? 'orb';
  return { name: `${detector}+bf`, extractor: new OrbExtractor({ ...opts, detector }), matcher: new BruteForceHammingMatcher(opts) };
}
