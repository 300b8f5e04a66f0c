/**
 * Camera export: a COLMAP text model (via engineer C's dataset/colmap-write.ts) and
 * a nerfstudio transforms.json, from our posed views (OpenCV axes, world-to-camera).
 * Both files are written atomically.
 */
import { dirname, relative } from 'node:path';
import { openGlCameraToWorld, type Camera } from '../splat/camera.js';
import { writeFileAtomic } from './atomic-write.js';
import type { ColmapModel } from './dataset/colmap-model.js';
import { rotationToQuat } from './dataset/colmap-model.js';
import { writeColmapModel } from './dataset/colmap-write.js';

export interface PosedView {
  /** Image name as it should appear in the export (relative path of the photo). */
  name: string;
  camera: Camera;
}

export interface SparsePointCloud {
  /** [N, 3] world positions */
  xyz: ArrayLike<number>;
  /** [N, 3] colours in [0, 1] */
  rgb: ArrayLike<number>;
}

/**
 * COLMAP sparse text model in `dir` (cameras.txt, images.txt, points3D.txt): one
 * PINHOLE camera per view (fx fy cx cy), image poses as COLMAP world-to-camera
 * quaternion + translation (same convention as ours), points without tracks.
 */
export function writeColmapText(dir: string, views: PosedView[], points?: SparsePointCloud): void {
  const model: ColmapModel = { cameras: new Map(), images: [], points: [] };
  views.forEach((v, i) => {
    const c = v.camera;
    model.cameras.set(i + 1, { id: i + 1, model: 'PINHOLE', width: c.width, height: c.height, params: [c.fx, c.fy, c.cx, c.cy] });
    model.images.push({
      id: i + 1,
      q: rotationToQuat(c.R),
      t: [c.t[0], c.t[1], c.t[2]],
      cameraId: i + 1,
      name: v.name,
      points2D: { xy: new Float64Array(0), point3DIds: new BigInt64Array(0) },
    });
  });
  if (points) {
    for (let j = 0; j < points.xyz.length / 3; j++) {
      model.points.push({
        id: j + 1,
        xyz: [points.xyz[j * 3], points.xyz[j * 3 + 1], points.xyz[j * 3 + 2]],
        rgb: [0, 1, 2].map((a) => Math.round(Math.min(1, Math.max(0, points.rgb[j * 3 + a])) * 255)) as [number, number, number],
        error: 0,
        track: new Int32Array(0),
      });
    }
  }
  writeColmapModel(dir, model, 'txt');
}

/**
 * nerfstudio transforms.json: per-frame intrinsics (fl_x, fl_y, cx, cy, w, h),
 * `transform_matrix` = OpenGL camera-to-world (x right, y up, z back), file paths
 * relative to the json's folder. `photoPaths[i]` is the absolute path of view i's photo.
 */
export function transformsJson(jsonPath: string, views: PosedView[], photoPaths: string[]): string {
  const root = dirname(jsonPath);
  const frames = views.map((v, i) => {
    const c = v.camera;
    return {
      file_path: relative(root, photoPaths[i]).split('\\').join('/'),
      fl_x: c.fx,
      fl_y: c.fy,
      cx: c.cx,
      cy: c.cy,
      w: c.width,
      h: c.height,
      transform_matrix: openGlCameraToWorld(c),
    };
  });
  return JSON.stringify({ camera_model: 'PINHOLE', frames }, null, 2) + '\n';
}

export function writeTransformsJson(jsonPath: string, views: PosedView[], photoPaths: string[]): void {
  writeFileAtomic(jsonPath, transformsJson(jsonPath, views, photoPaths));
}
