/**
 * Bench helper: sparse points of a few posed photos (features matched pairwise with the
 * pose pipeline's backend, triangulated with the given cameras), and their per-view
 * depth samples — an independent reference to check MVS depth on real photos.
 */
import { readFileSync } from 'node:fs';
import { triangulateWithKnownPoses, type TriangulatedPoints } from '../engine/depth/sparse-points.js';
import type { DepthSamples } from '../engine/depth/metrics.js';
import { decodeImage, type RgbaImage } from '../engine/io/image.js';
import { chooseFeatureBackend } from '../engine/pose/feature-backends.js';
import type { Keypoints } from '../engine/pose/features.js';
import type { PairMatches } from '../engine/pose/tracks.js';
import type { Camera } from '../engine/splat/camera.js';

export interface SparseReference {
  backend: string;
  images: RgbaImage[];
  keypoints: Keypoints[];
  matches: PairMatches[];
  tri: TriangulatedPoints;
  /** rgb: [P, 3] mean colour of each point's observations, [0, 1] */
  rgb: Float32Array;
}

/** `cams` must match the photos as stored (full size). */
export async function sparseReference(photoPaths: string[], cams: Camera[]): Promise<SparseReference> {
  const { backend } = await chooseFeatureBackend({ prefer: 'auto' });
  const images = photoPaths.map((p) => decodeImage(new Uint8Array(readFileSync(p)), p));
  const keypoints: Keypoints[] = [];
  for (const img of await Promise.all(images)) keypoints.push(await backend.extractor.extract(img));
  const matches: PairMatches[] = [];
  for (let a = 0; a < cams.length; a++) for (let b = a + 1; b < cams.length; b++) matches.push({ a, b, pairs: (await backend.matcher.match(keypoints[a], keypoints[b])).pairs });
  const tri = triangulateWithKnownPoses(cams, { keypoints: keypoints.map((k) => k.xy), matches });
  const imgs = await Promise.all(images);
  const rgb = new Float32Array(tri.tracks.length * 3);
  tri.tracks.forEach((t, p) => {
    for (let o = 0; o < t.views.length; o++) {
      const img = imgs[t.views[o]];
      const x = Math.min(img.width - 1, Math.floor(keypoints[t.views[o]].xy[2 * t.keypoints[o]]));
      const y = Math.min(img.height - 1, Math.floor(keypoints[t.views[o]].xy[2 * t.keypoints[o] + 1]));
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] += imgs[t.views[o]].data[(y * img.width + x) * 4 + c] / 255 / t.views.length;
    }
  });
  return { backend: backend.name, images: imgs, keypoints, matches, tri, rgb };
}

function project(c: Camera, X: ArrayLike<number>): [number, number] {
  const x = c.R[0] * X[0] + c.R[1] * X[1] + c.R[2] * X[2] + c.t[0];
  const y = c.R[3] * X[0] + c.R[4] * X[1] + c.R[5] * X[2] + c.t[1];
  const z = c.R[6] * X[0] + c.R[7] * X[1] + c.R[8] * X[2] + c.t[2];
  return [(c.fx * x) / z + c.cx, (c.fy * y) / z + c.cy];
}

/**
 * Depth samples of view `v` (observed there, so visible) at a working camera of another
 * size. `fullCams[i]`: camera of track view i at full size; pxPerInvDepth is measured in the
 * track's other view with the largest parallax, at the working scale.
 */
export function samplesForView(ref: SparseReference, v: number, fullCams: Camera[], working: Camera): DepthSamples {
  const fullCam = fullCams[v];
  const xy: number[] = [];
  const depth: number[] = [];
  const pxPerInvDepth: number[] = [];
  const sx = working.width / fullCam.width, sy = working.height / fullCam.height;
  ref.tri.tracks.forEach((t, p) => {
    const o = t.views.indexOf(v);
    if (o < 0) return;
    const X = ref.tri.xyz.subarray(p * 3, p * 3 + 3);
    const R = fullCam.R;
    const z = R[6] * X[0] + R[7] * X[1] + R[8] * X[2] + fullCam.t[2];
    const k = t.keypoints[o];
    xy.push(ref.keypoints[v].xy[2 * k] * sx, ref.keypoints[v].xy[2 * k + 1] * sy);
    depth.push(z);
    // Move the point along v's ray by a small step in inverse depth and see how far it moves elsewhere.
    const C = [0, 1, 2].map((a) => -(R[a] * fullCam.t[0] + R[3 + a] * fullCam.t[1] + R[6 + a] * fullCam.t[2]));
    const eps = 1e-3 / z;
    const z2 = 1 / (1 / z + eps);
    const X2 = [0, 1, 2].map((a) => C[a] + ((X[a] - C[a]) * z2) / z);
    let best = 0;
    for (const w of t.views) {
      if (w === v) continue;
      const a = project(fullCams[w], X), b = project(fullCams[w], X2);
      best = Math.max(best, (Math.hypot(a[0] - b[0], a[1] - b[1]) * sx) / eps);
    }
    pxPerInvDepth.push(best);
  });
  return { xy, depth, pxPerInvDepth };
}
