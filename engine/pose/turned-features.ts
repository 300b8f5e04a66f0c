/**
 * Features of a photo turned in its image plane, mapped back to the photo's own pixels.
 *
 * Learned extractors such as XFeat are not rotation invariant: a photo whose pixels
 * are turned by 90° relative to the others (a portrait shot whose EXIF orientation
 * was lost, a camera held sideways) or an orbit seen from above (neighbouring views
 * rolled by 45° or more) gets almost no right matches. Extracting the features of a
 * turned copy and mapping the keypoints back gives the matcher an upright view while
 * the rest of the pipeline keeps working in the photo's pixels.
 */
import type { RgbaImage } from '../io/image.js';
import type { FeatureExtractor, Keypoints } from './features.js';

/** A photo turned clockwise (as seen on screen, y down) by `degrees` about its centre. */
export interface TurnedImage {
  image: RgbaImage;
  degrees: number;
  /** turned-image pixel coordinates -> the photo's (continuous, pixel centres at +0.5) */
  toSource(x: number, y: number): [number, number];
}

/**
 * The turned copy, on a canvas just large enough to hold it; where no photo pixel
 * lands it is transparent. Bilinear sampling; for multiples of 90° the mapping is an
 * exact permutation of the pixels (the matrix is rounded so no sample falls between
 * pixels).
 */
export function turnImage(img: RgbaImage, degrees: number): TurnedImage {
  const rad = (degrees * Math.PI) / 180;
  let c = Math.cos(rad);
  let s = Math.sin(rad);
  if (degrees % 90 === 0) {
    c = Math.round(c);
    s = Math.round(s);
  }
  const { width: w, height: h } = img;
  const W = Math.max(1, Math.round(Math.abs(w * c) + Math.abs(h * s)));
  const H = Math.max(1, Math.round(Math.abs(w * s) + Math.abs(h * c)));
  // source -> turned: p' = R (p - centre) + centre', R = [c -s; s c] (clockwise on screen, y down).
  const toSource = (x: number, y: number): [number, number] => {
    const dx = x - W / 2;
    const dy = y - H / 2;
    return [c * dx + s * dy + w / 2, -s * dx + c * dy + h / 2];
  };
  const out = new Uint8Array(W * H * 4);
  const src = img.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [sx, sy] = toSource(x + 0.5, y + 0.5);
      // sample position in pixel-index space (centres at integers)
      const fx = sx - 0.5;
      const fy = sy - 0.5;
      const x0 = Math.floor(fx + 1e-9);
      const y0 = Math.floor(fy + 1e-9);
      const ax = Math.max(0, fx - x0);
      const ay = Math.max(0, fy - y0);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue;
      const o = 4 * (y * W + x);
      for (let ch = 0; ch < 4; ch++) {
        let v = 0;
        let wsum = 0;
        for (let k = 0; k < 4; k++) {
          const xx = x0 + (k & 1);
          const yy = y0 + (k >> 1);
          const wt = ((k & 1) ? ax : 1 - ax) * ((k >> 1) ? ay : 1 - ay);
          if (wt === 0 || xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          v += wt * src[4 * (yy * w + xx) + ch];
          wsum += wt;
        }
        // Partly outside the photo (its outermost half pixel): what is inside, faded out by alpha.
        out[o + ch] = ch === 3 ? Math.round(v) : wsum > 0 ? Math.round(v / wsum) : 0;
      }
    }
  }
  return { image: { width: W, height: H, data: out }, degrees, toSource };
}

/**
 * Keypoints of `img` turned by `degrees`, in `img`'s pixels. Keypoints within
 * `borderPx` of the turned canvas' empty corners are dropped: the edge between the
 * photo and the blank canvas is an artefact of the turn, not of the scene.
 */
export async function extractTurned(extractor: FeatureExtractor, img: RgbaImage, degrees: number, maxKeypoints?: number, borderPx = 8): Promise<Keypoints> {
  const t = turnImage(img, degrees);
  const k = await extractor.extract(t.image, maxKeypoints);
  const n = k.xy.length / 2;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= img.width && y <= img.height;
  const keep: number[] = [];
  const xy: number[] = [];
  const turnedXy: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = k.xy[2 * i];
    const y = k.xy[2 * i + 1];
    const ok = inside(...t.toSource(x - borderPx, y)) && inside(...t.toSource(x + borderPx, y)) && inside(...t.toSource(x, y - borderPx)) && inside(...t.toSource(x, y + borderPx));
    if (!ok && degrees % 90 !== 0) continue;
    const [sx, sy] = t.toSource(x, y);
    if (!inside(sx, sy)) continue;
    keep.push(i);
    xy.push(sx, sy);
    turnedXy.push(x, y);
  }
  const D = k.descriptorDim;
  const bytesPer = D; // per descriptor: D floats, or D bytes of packed bits
  const desc = k.descriptorKind === 'binary' ? new Uint8Array(keep.length * bytesPer) : new Float32Array(keep.length * bytesPer);
  keep.forEach((i, j) => desc.set(k.descriptors.subarray(i * bytesPer, (i + 1) * bytesPer), j * bytesPer));
  return {
    width: img.width,
    height: img.height,
    xy: Float32Array.from(xy),
    scores: Float32Array.from(keep.map((i) => k.scores[i])),
    descriptors: desc,
    descriptorDim: D,
    descriptorKind: k.descriptorKind,
    described: { xy: Float32Array.from(turnedXy), width: t.image.width, height: t.image.height },
  };
}
