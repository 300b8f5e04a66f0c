/**
 * A feature backend for estimatePoses tests that returns keypoints scripted per view instead
 * of detecting them: the photo's first byte / 10 says which view it is, keypoint i of view a
 * matches keypoint `partner(a, b, i)` of view b where both are finite (NaN = not seen).
 */
import type { RgbaImage } from '../../engine/io/image.js';
import type { FeatureBackend, Keypoints, Matches } from '../../engine/pose/features.js';

export interface ScriptedOptions {
  width: number;
  height: number;
  /** keypoints of each view that can match (default: all of them) */
  count?: number;
  /** index in view b of view a's keypoint i (default i) */
  partner?: (a: number, b: number, i: number) => number;
}

/** keypoints: [V] of [K, 2] pixel positions. */
export function scriptedBackend(keypoints: Float64Array[], opts: ScriptedOptions): FeatureBackend {
  const viewOf = new WeakMap<Keypoints, number>();
  const partner = opts.partner ?? ((_a: number, _b: number, i: number) => i);
  return {
    name: 'scripted',
    extractor: {
      name: 'scripted',
      // Its keypoints ignore the pixels, so turning a photo cannot change its matches (no rotation search).
      rotationInvariant: true,
      async extract(img: RgbaImage) {
        const v = img.data[0] / 10;
        const xy = Float32Array.from(keypoints[v]);
        const k: Keypoints = { width: img.width, height: img.height, xy, scores: new Float32Array(xy.length / 2).fill(1), descriptors: new Float32Array(0), descriptorDim: 0, descriptorKind: 'float' };
        viewOf.set(k, v);
        return k;
      },
    },
    matcher: {
      name: 'scripted',
      async match(ka: Keypoints, kb: Keypoints): Promise<Matches> {
        const [a, b] = [viewOf.get(ka)!, viewOf.get(kb)!];
        const seen = (k: Keypoints, i: number) => i < k.xy.length / 2 && Number.isFinite(k.xy[2 * i]);
        const m: number[] = [];
        const n = opts.count ?? ka.xy.length / 2;
        for (let i = 0; i < n; i++) {
          const j = partner(a, b, i);
          if (seen(ka, i) && seen(kb, j)) m.push(i, j);
        }
        return { pairs: Uint32Array.from(m), scores: new Float32Array(m.length / 2).fill(1) };
      },
    },
  };
}
