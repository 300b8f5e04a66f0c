/**
 * Colour consistency of a group placement (silhouette-group-placement.ts): with the group
 * placed right, a point of the object's surface seen by a main view and by a group view has
 * the same colour in both photos; a group turned across a near-symmetric object's outline
 * (same silhouettes, same points inside) pairs the surface seen by the group with another
 * part of it (lego: the yellow cab with the black tracks, the front with the back).
 *
 *   hull of the main views carved further by the group's masks at the candidate pose
 *   -> its surface voxels -> per view a depth buffer of them (visibility: a voxel is seen
 *      when nothing of the hull lies in front of it)
 *   -> per surface voxel seen by >= 1 main view and >= 1 group view: the mean colour of
 *      each side (box-filtered photos), agreement exp(-(|difference| / sigma)^2)
 *   -> the mean agreement over those voxels, and how many there were.
 * The hull is a superset of the object, so a hull voxel is not exactly on the surface and
 * even the right placement does not agree everywhere; what matters is the comparison of
 * candidate placements with the same hull resolution and photos.
 */
import type { RgbaImage } from '../io/image.js';
import type { Camera } from '../splat/camera.js';
import type { VoxelHull } from './silhouette-hull.js';

/** A photo box-filtered to a working size, and its camera there. */
export interface ColourView {
  camera: Camera;
  /** [height * width * 3] RGB in [0, 1] */
  rgb: Float32Array;
  /** [height * width] alpha in [0, 1] */
  alpha: Float32Array;
}

/** The photo box-filtered so that its long side is `maxSide` px; `camera` is the full-resolution camera. */
export function colourView(img: RgbaImage, camera: Camera, maxSide = 128): ColourView {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const sum = new Float64Array(width * height * 4);
  const cnt = new Float64Array(width * height);
  for (let y = 0; y < img.height; y++) {
    const wy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / img.height));
    for (let x = 0; x < img.width; x++) {
      const wx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / img.width));
      const o = 4 * (y * img.width + x);
      const p = wy * width + wx;
      // Colour weighted by alpha: the background (transparent) does not bleed into the object.
      const a = img.data[o + 3] / 255;
      for (let c = 0; c < 3; c++) sum[4 * p + c] += (a * img.data[o + c]) / 255;
      sum[4 * p + 3] += a;
      cnt[p]++;
    }
  }
  const rgb = new Float32Array(width * height * 3);
  const alpha = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    alpha[p] = cnt[p] ? sum[4 * p + 3] / cnt[p] : 0;
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = sum[4 * p + 3] > 0 ? sum[4 * p + c] / sum[4 * p + 3] : 0;
  }
  const sx = width / img.width;
  const sy = height / img.height;
  return { camera: { ...camera, width, height, fx: camera.fx * sx, fy: camera.fy * sy, cx: camera.cx * sx, cy: camera.cy * sy }, rgb, alpha };
}

/** Surface voxel centres ([S, 3]) of `hull` with the voxels outside any of `carvers`' masks removed. */
export function carvedSurface(hull: VoxelHull, carvers: { camera: Camera; inside: Uint8Array }[]): Float64Array {
  const { n, origin, voxel } = hull;
  const occ = new Uint8Array(hull.occupied);
  for (let k = 0; k < n; k++) {
    const z = origin[2] + (k + 0.5) * voxel;
    for (let j = 0; j < n; j++) {
      const y = origin[1] + (j + 0.5) * voxel;
      for (let i = 0; i < n; i++) {
        const o = (k * n + j) * n + i;
        if (!occ[o]) continue;
        const x = origin[0] + (i + 0.5) * voxel;
        for (const { camera: c, inside } of carvers) {
          const R = c.R;
          const zc = R[6] * x + R[7] * y + R[8] * z + c.t[2];
          if (zc <= 0) {
            occ[o] = 0;
            break;
          }
          const u = Math.floor((c.fx * (R[0] * x + R[1] * y + R[2] * z + c.t[0])) / zc + c.cx);
          const v = Math.floor((c.fy * (R[3] * x + R[4] * y + R[5] * z + c.t[1])) / zc + c.cy);
          // Outside the frame: no evidence (the object may be cut by it).
          if (u >= 0 && v >= 0 && u < c.width && v < c.height && !inside[v * c.width + u]) {
            occ[o] = 0;
            break;
          }
        }
      }
    }
  }
  const at = (i: number, j: number, k: number) => (i < 0 || j < 0 || k < 0 || i >= n || j >= n || k >= n ? 0 : occ[(k * n + j) * n + i]);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (!occ[(k * n + j) * n + i]) continue;
        if (at(i - 1, j, k) && at(i + 1, j, k) && at(i, j - 1, k) && at(i, j + 1, k) && at(i, j, k - 1) && at(i, j, k + 1)) continue;
        out.push(origin[0] + (i + 0.5) * voxel, origin[1] + (j + 0.5) * voxel, origin[2] + (k + 0.5) * voxel);
      }
    }
  }
  return Float64Array.from(out);
}

/**
 * Per surface voxel ([S, 3], size `voxel`): the colour ([S, 3]) it has in the view and
 * whether the view sees it ([S], 1 = visible: in the frame, on the object's alpha, and
 * not behind another surface voxel by more than 1.5 voxels).
 */
export function sampleVisible(surface: Float64Array, voxel: number, v: ColourView): { rgb: Float32Array; seen: Uint8Array } {
  const c = v.camera;
  const { width: W, height: H, R, t } = c;
  const S = surface.length / 3;
  const depth = new Float32Array(W * H).fill(Infinity);
  const px = new Int32Array(S).fill(-1);
  const zs = new Float32Array(S);
  for (let s = 0; s < S; s++) {
    const x = surface[3 * s];
    const y = surface[3 * s + 1];
    const z = surface[3 * s + 2];
    const zc = R[6] * x + R[7] * y + R[8] * z + t[2];
    if (!(zc > voxel)) continue;
    const u = (c.fx * (R[0] * x + R[1] * y + R[2] * z + t[0])) / zc + c.cx;
    const w = (c.fy * (R[3] * x + R[4] * y + R[5] * z + t[1])) / zc + c.cy;
    // The voxel's footprint (a disc of radius 0.71 voxel) in the depth buffer.
    const r = (0.71 * voxel * c.fx) / zc;
    const x0 = Math.max(0, Math.floor(u - r));
    const x1 = Math.min(W - 1, Math.floor(u + r));
    const y0 = Math.max(0, Math.floor(w - r));
    const y1 = Math.min(H - 1, Math.floor(w + r));
    for (let yy = y0; yy <= y1; yy++) for (let xx = x0; xx <= x1; xx++) if (zc < depth[yy * W + xx]) depth[yy * W + xx] = zc;
    const ui = Math.floor(u);
    const wi = Math.floor(w);
    if (ui >= 0 && wi >= 0 && ui < W && wi < H) {
      px[s] = wi * W + ui;
      zs[s] = zc;
    }
  }
  const rgb = new Float32Array(3 * S);
  const seen = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    const p = px[s];
    if (p < 0 || v.alpha[p] < 0.5 || zs[s] > depth[p] + 1.5 * voxel) continue;
    seen[s] = 1;
    for (let k = 0; k < 3; k++) rgb[3 * s + k] = v.rgb[3 * p + k];
  }
  return { rgb, seen };
}

export interface ColourAgreement {
  /** mean agreement in [0, 1] over the voxels both sides see (NaN when none) */
  agreement: number;
  /** surface voxels seen by a main view and a group view */
  shared: number;
  surface: number;
}

/** Colour agreement between the main views and the group views on the hull surface. */
export function colourAgreement(surface: Float64Array, voxel: number, main: ColourView[], group: ColourView[], sigma = 0.15): ColourAgreement {
  const S = surface.length / 3;
  const side = (views: ColourView[]) => {
    const sum = new Float32Array(3 * S);
    const cnt = new Uint16Array(S);
    for (const v of views) {
      const { rgb, seen } = sampleVisible(surface, voxel, v);
      for (let s = 0; s < S; s++) {
        if (!seen[s]) continue;
        cnt[s]++;
        for (let k = 0; k < 3; k++) sum[3 * s + k] += rgb[3 * s + k];
      }
    }
    return { sum, cnt };
  };
  const a = side(main);
  const b = side(group);
  let total = 0;
  let shared = 0;
  for (let s = 0; s < S; s++) {
    if (!a.cnt[s] || !b.cnt[s]) continue;
    let d2 = 0;
    for (let k = 0; k < 3; k++) {
      const d = a.sum[3 * s + k] / a.cnt[s] - b.sum[3 * s + k] / b.cnt[s];
      d2 += d * d;
    }
    total += Math.exp(-d2 / (sigma * sigma));
    shared++;
  }
  return { agreement: shared ? total / shared : NaN, shared, surface: S };
}

/**
 * The same agreement among the registered views themselves (every pair of them that sees a
 * surface voxel), on the hull surface ([S, 3]): what a right placement can be expected to
 * reach with this hull, these photos and this lighting.
 */
export function selfAgreement(surface: Float64Array, voxel: number, views: ColourView[], sigma = 0.15): ColourAgreement {
  const S = surface.length / 3;
  const samples = views.map((v) => sampleVisible(surface, voxel, v));
  let total = 0;
  let shared = 0;
  for (let s = 0; s < S; s++) {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < views.length; i++) {
      if (!samples[i].seen[s]) continue;
      for (let j = i + 1; j < views.length; j++) {
        if (!samples[j].seen[s]) continue;
        let d2 = 0;
        for (let k = 0; k < 3; k++) d2 += (samples[i].rgb[3 * s + k] - samples[j].rgb[3 * s + k]) ** 2;
        sum += Math.exp(-d2 / (sigma * sigma));
        pairs++;
      }
    }
    if (!pairs) continue;
    total += sum / pairs;
    shared++;
  }
  return { agreement: shared ? total / shared : NaN, shared, surface: S };
}
