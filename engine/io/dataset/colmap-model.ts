/**
 * COLMAP sparse model in memory (what cameras/images/points3D .txt/.bin hold),
 * the camera models Sparrow reads, and conversion to pinhole `Camera`s.
 *
 * Distorted models (SIMPLE_RADIAL, RADIAL, OPENCV) become a pinhole camera with
 * the same focal lengths, principal point and size; the photos are undistorted
 * to it when decoded (images.ts). We undistort rather than model distortion in
 * the rasterizer: every later stage (poses, depth, viewer) then sees pinhole images.
 */
import type { Camera } from '../../splat/camera.js';
import type { Distortion } from './types.js';

export interface ColmapCamera {
  id: number;
  model: ColmapModelName;
  width: number;
  height: number;
  params: number[];
}

export interface ColmapImage {
  id: number;
  /** World-to-camera rotation quaternion (w, x, y, z), COLMAP convention. */
  q: [number, number, number, number];
  /** World-to-camera translation. */
  t: [number, number, number];
  cameraId: number;
  name: string;
  /** [M, 2] keypoint positions and the 3D point each observes (-1: none). */
  points2D: { xy: Float64Array; point3DIds: BigInt64Array };
}

export interface ColmapPoint {
  id: number;
  xyz: [number, number, number];
  rgb: [number, number, number];
  error: number;
  /** [T, 2] (image id, point2D index) pairs */
  track: Int32Array;
}

export interface ColmapModel {
  cameras: Map<number, ColmapCamera>;
  images: ColmapImage[];
  points: ColmapPoint[];
}

/** COLMAP model ids and parameter counts (colmap/src/colmap/sensor/models.h). */
export const COLMAP_MODELS = {
  SIMPLE_PINHOLE: { id: 0, params: 3 },
  PINHOLE: { id: 1, params: 4 },
  SIMPLE_RADIAL: { id: 2, params: 4 },
  RADIAL: { id: 3, params: 5 },
  OPENCV: { id: 4, params: 8 },
} as const;
export type ColmapModelName = keyof typeof COLMAP_MODELS;

export function colmapModelById(id: number): ColmapModelName | undefined {
  return (Object.keys(COLMAP_MODELS) as ColmapModelName[]).find((k) => COLMAP_MODELS[k].id === id);
}

export function isColmapModelName(name: string): name is ColmapModelName {
  return Object.prototype.hasOwnProperty.call(COLMAP_MODELS, name);
}

/** Intrinsics and distortion of a COLMAP camera (pixels as stored). */
export function colmapIntrinsics(c: ColmapCamera): { fx: number; fy: number; cx: number; cy: number; k1: number; k2: number; p1: number; p2: number } {
  const p = c.params;
  switch (c.model) {
    case 'SIMPLE_PINHOLE':
      return { fx: p[0], fy: p[0], cx: p[1], cy: p[2], k1: 0, k2: 0, p1: 0, p2: 0 };
    case 'PINHOLE':
      return { fx: p[0], fy: p[1], cx: p[2], cy: p[3], k1: 0, k2: 0, p1: 0, p2: 0 };
    case 'SIMPLE_RADIAL':
      return { fx: p[0], fy: p[0], cx: p[1], cy: p[2], k1: p[3], k2: 0, p1: 0, p2: 0 };
    case 'RADIAL':
      return { fx: p[0], fy: p[0], cx: p[1], cy: p[2], k1: p[3], k2: p[4], p1: 0, p2: 0 };
    case 'OPENCV':
      return { fx: p[0], fy: p[1], cx: p[2], cy: p[3], k1: p[4], k2: p[5], p1: p[6], p2: p[7] };
  }
}

/** Row-major rotation matrix of a (w, x, y, z) quaternion (normalized first). */
export function quatToRotation(q: readonly number[]): number[] {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  const [w, x, y, z] = [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

/** (w, x, y, z) quaternion of a row-major rotation matrix (Shepperd's method), w >= 0. */
export function rotationToQuat(R: readonly number[]): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = R;
  const tr = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = s / 4; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s; x = s / 4; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = s / 4; z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = s / 4;
  }
  return w < 0 ? [-w, -x, -y, -z] : [w, x, y, z];
}

/** The pinhole camera of a registered COLMAP image, plus its distortion when the model has one. */
export function colmapFrameCamera(image: ColmapImage, cam: ColmapCamera): { camera: Camera; distortion?: Distortion } {
  const k = colmapIntrinsics(cam);
  const camera: Camera = {
    width: cam.width,
    height: cam.height,
    fx: k.fx,
    fy: k.fy,
    cx: k.cx,
    cy: k.cy,
    R: quatToRotation(image.q),
    t: [...image.t],
  };
  const distorted = k.k1 !== 0 || k.k2 !== 0 || k.p1 !== 0 || k.p2 !== 0;
  return distorted ? { camera, distortion: { k1: k.k1, k2: k.k2, p1: k.p1, p2: k.p2, source: camera } } : { camera };
}
