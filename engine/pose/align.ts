/**
 * Alignment of estimated to reference cameras (and point sets) and the pose error
 * measures the benches and evaluation use.
 *
 * - `umeyama`: least-squares similarity dst ≈ s R src + t (Umeyama 1991); with
 *   `withScale = false` it is the rigid Kabsch/Horn solution.
 * - `alignCameras`: similarity from estimated to reference camera centres, applied
 *   to the estimated poses (poses from unposed photos are only defined up to one).
 * - Rotation error: relative-rotation angle. Pairwise error compares the relative
 *   rotations R_i R_j^T of every pair of views, which needs no alignment at all.
 * - ATE: RMS distance between aligned and reference centres, divided by the camera
 *   spread (RMS distance of the reference centres from their mean), so scenes of any
 *   scale compare.
 */
import type { Camera } from '../splat/camera.js';
import { cameraCenter } from '../splat/camera.js';
import { det3, mul3, mulVec3, rotationAngleDeg, svd, tr3, type Mat3, type Vec3 } from './linalg.js';

export interface Similarity {
  s: number;
  R: Mat3;
  t: Vec3;
}

/** dst ≈ s R src + t for point sets src, dst [N][3], N >= 3 (N >= 2 gives a rotation about the line). */
export function umeyama(src: ArrayLike<number>[], dst: ArrayLike<number>[], withScale = true): Similarity {
  const n = src.length;
  if (n !== dst.length || n < 2) throw new Error(`umeyama: need >= 2 matching points (got ${n}, ${dst.length})`);
  const ms = [0, 0, 0];
  const md = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) {
    ms[k] += src[i][k] / n;
    md[k] += dst[i][k] / n;
  }
  const C = new Array<number>(9).fill(0);
  let varS = 0;
  for (let i = 0; i < n; i++) {
    const a = [src[i][0] - ms[0], src[i][1] - ms[1], src[i][2] - ms[2]];
    const b = [dst[i][0] - md[0], dst[i][1] - md[1], dst[i][2] - md[2]];
    varS += (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) / n;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) C[r * 3 + c] += (b[r] * a[c]) / n;
  }
  const { U, S, V } = svd(C, 3, 3);
  const d = det3(U) * det3(V) < 0 ? -1 : 1;
  const D = [1, 0, 0, 0, 1, 0, 0, 0, d];
  const R = mul3(mul3(U, D), tr3(V));
  const s = withScale && varS > 0 ? (S[0] + S[1] + d * S[2]) / varS : 1;
  const Rm = mulVec3(R, ms);
  const t: Vec3 = [md[0] - s * Rm[0], md[1] - s * Rm[1], md[2] - s * Rm[2]];
  return { s, R, t };
}

export function applySimilarity(T: Similarity, p: ArrayLike<number>): Vec3 {
  const q = mulVec3(T.R, p);
  return [T.s * q[0] + T.t[0], T.s * q[1] + T.t[1], T.s * q[2] + T.t[2]];
}

/**
 * Express a camera in the similarity-transformed world: X' = s R_T X + t_T, so
 * the camera's world-to-camera rotation becomes R R_T^T and its centre moves with X.
 */
export function transformCamera(T: Similarity, cam: Camera): Camera {
  const R = mul3(cam.R, tr3(T.R));
  const C = applySimilarity(T, cameraCenter(cam));
  const RC = mulVec3(R, C);
  return { ...cam, R, t: [-RC[0], -RC[1], -RC[2]] };
}

export interface PoseErrors {
  /** Views compared. */
  count: number;
  /** Mean / max over all pairs i<j of angle(R_i R_j^T vs reference). */
  pairwiseRotationMeanDeg: number;
  pairwiseRotationMaxDeg: number;
  /** Mean / max absolute rotation error after similarity alignment of centres. */
  absoluteRotationMeanDeg: number;
  absoluteRotationMaxDeg: number;
  /** RMS centre error after similarity alignment / RMS spread of reference centres. */
  ateFraction: number;
  /** The similarity estimated -> reference. */
  alignment: Similarity;
}

/** Compare estimated cameras to reference cameras of the same views (same order). */
export function poseErrors(est: Camera[], ref: Camera[]): PoseErrors {
  const n = est.length;
  if (n !== ref.length || n < 2) throw new Error(`poseErrors: need >= 2 paired cameras (got ${n}, ${ref.length})`);
  let pSum = 0;
  let pMax = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const relE = mul3(est[i].R, tr3(est[j].R));
      const relR = mul3(ref[i].R, tr3(ref[j].R));
      const e = rotationAngleDeg(relE, relR);
      pSum += e;
      pMax = Math.max(pMax, e);
      pairs++;
    }
  }
  const ce = est.map(cameraCenter);
  const cr = ref.map(cameraCenter);
  const alignment = umeyama(ce, cr, true);
  let aSum = 0;
  let aMax = 0;
  let sq = 0;
  const mean = [0, 0, 0];
  for (const c of cr) for (let k = 0; k < 3; k++) mean[k] += c[k] / n;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const aligned = transformCamera(alignment, est[i]);
    const e = rotationAngleDeg(aligned.R, ref[i].R);
    aSum += e;
    aMax = Math.max(aMax, e);
    const c = cameraCenter(aligned);
    sq += (c[0] - cr[i][0]) ** 2 + (c[1] - cr[i][1]) ** 2 + (c[2] - cr[i][2]) ** 2;
    spread += (cr[i][0] - mean[0]) ** 2 + (cr[i][1] - mean[1]) ** 2 + (cr[i][2] - mean[2]) ** 2;
  }
  return {
    count: n,
    pairwiseRotationMeanDeg: pSum / pairs,
    pairwiseRotationMaxDeg: pMax,
    absoluteRotationMeanDeg: aSum / n,
    absoluteRotationMaxDeg: aMax,
    ateFraction: spread > 0 ? Math.sqrt(sq / n) / Math.sqrt(spread / n) : Number.NaN,
    alignment,
  };
}
