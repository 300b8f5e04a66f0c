/**
 * Initial Gaussians: one per sparse point when the dataset has them (3DGS), else
 * (masked photos) points carved from the visual hull, else `count` points sampled in the
 * training cameras' frusta, each coloured by the
 * pixel it was cast through. Scales: sqrt of the mean squared distance to the 3
 * nearest neighbours (isotropic); rotation identity; opacity 0.1; SH DC from colour.
 */
import type { Dataset } from '../io/dataset/types.js';
import type { FrameImages } from '../io/dataset/images.js';
import { cameraCenter } from '../splat/camera.js';
import { createScene, logit, rgbToShDc, shCoeffCount, type GaussianScene } from '../splat/scene.js';
import { visualHullPoints } from './init-visual-hull.js';
import { meanSqDistKnn3 } from './knn.js';
import type { Rng } from '../math/random.js';

export const INIT_OPACITY = 0.1;

/** Scene from points [N, 3] and colours [N, 3] in [0, 1], at SH degree `shDegree` (higher bands zero). */
export function sceneFromPoints(xyz: Float32Array, rgb: Float32Array, shDegree: number): GaussianScene {
  const n = xyz.length / 3;
  const scene = createScene(n, shDegree);
  scene.means.set(xyz);
  const d2 = meanSqDistKnn3(xyz);
  const K = shCoeffCount(shDegree);
  for (let i = 0; i < n; i++) {
    // Clamp as 3DGS does (dist2 >= 1e-7) so duplicated points do not get -inf scales.
    const s = 0.5 * Math.log(Math.max(d2[i], 1e-7));
    scene.logScales.fill(s, i * 3, i * 3 + 3);
    scene.opacityLogits[i] = logit(INIT_OPACITY);
    for (let c = 0; c < 3; c++) scene.sh[i * K * 3 + c] = rgbToShDc(rgb[i * 3 + c]);
  }
  return scene;
}

/** Keep at most `max` points (a seeded uniform subset, order preserved). */
export function subsamplePoints(xyz: Float32Array, rgb: Float32Array, max: number, rng: Rng): { xyz: Float32Array; rgb: Float32Array } {
  const n = xyz.length / 3;
  if (max <= 0 || n <= max) return { xyz, rgb };
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const pick = idx.slice(0, max).sort((a, b) => a - b);
  const ox = new Float32Array(max * 3);
  const oc = new Float32Array(max * 3);
  pick.forEach((p, k) => {
    ox.set(xyz.subarray(p * 3, p * 3 + 3), k * 3);
    oc.set(rgb.subarray(p * 3, p * 3 + 3), k * 3);
  });
  return { xyz: ox, rgb: oc };
}

/**
 * `count` points cast through random pixels of the training views at a depth uniform in
 * the dataset's depth range (else [0.2, 2] x extent from each camera), coloured by that pixel.
 */
export async function randomFrustumPoints(dataset: Dataset, images: FrameImages, count: number, rng: Rng): Promise<{ xyz: Float32Array; rgb: Float32Array }> {
  const views = dataset.split.train;
  const [near, far] = dataset.depthRange ?? [0.2 * dataset.extent, 2 * dataset.extent];
  const xyz = new Float32Array(count * 3);
  const rgb = new Float32Array(count * 3);
  // Points are assigned to views round-robin so each photo is decoded once.
  for (let v = 0; v < views.length; v++) {
    const frame = dataset.frames[views[v]];
    const img = await images.get(views[v]);
    const cam = frame.camera;
    const C = cameraCenter(cam);
    for (let i = v; i < count; i += views.length) {
      const px = rng.next() * cam.width;
      const py = rng.next() * cam.height;
      const z = near + (far - near) * rng.next();
      // Camera-space point, then world: p_w = R^T (p_c - t) = R^T p_c + C.
      const pc = [((px - cam.cx) / cam.fx) * z, ((py - cam.cy) / cam.fy) * z, z];
      const R = cam.R;
      for (let a = 0; a < 3; a++) xyz[i * 3 + a] = R[a] * pc[0] + R[3 + a] * pc[1] + R[6 + a] * pc[2] + C[a];
      const pix = (Math.min(Math.floor(py), cam.height - 1) * cam.width + Math.min(Math.floor(px), cam.width - 1)) * 3;
      rgb.set(img.rgb.subarray(pix, pix + 3), i * 3);
    }
  }
  return { xyz, rgb };
}

/** The initial scene for `dataset`: sparse points when present, else the visual hull of masked photos, else random frustum points. */
export async function initialScene(dataset: Dataset, images: FrameImages, opts: { shDegree: number; randomCount: number; maxGaussians: number; rng: Rng }): Promise<GaussianScene> {
  let pts: { xyz: Float32Array; rgb: Float32Array };
  if (dataset.points && dataset.points.count > 0) pts = { xyz: dataset.points.xyz, rgb: dataset.points.rgb };
  else {
    const count = Math.max(1, opts.maxGaussians > 0 ? Math.min(opts.randomCount, opts.maxGaussians) : opts.randomCount);
    // Masked photos: carve the visual hull; fall back to frustum points if it finds too few.
    const hull = dataset.hasAlpha ? await visualHullPoints(dataset, count, opts.rng, { masks: images.asMasks() }) : undefined;
    pts = hull && hull.xyz.length / 3 >= Math.min(count, 100) ? hull : await randomFrustumPoints(dataset, images, count, opts.rng);
  }
  pts = subsamplePoints(pts.xyz, pts.rgb, opts.maxGaussians, opts.rng);
  return sceneFromPoints(pts.xyz, pts.rgb, opts.shDegree);
}
