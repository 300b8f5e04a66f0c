/**
 * Export of a pose estimate for other tools:
 *  - COLMAP text model (cameras.txt / images.txt / points3D.txt) through
 *    engine/io/dataset/colmap-write.ts; one PINHOLE camera per intrinsics group;
 *    every keypoint of a registered image is listed in POINTS2D, with the 3D point it
 *    observes or -1, so tracks reference (image, point2D index) exactly as COLMAP does.
 *  - transforms.json (nerfstudio convention: OpenGL camera-to-world, intrinsics at
 *    the top level when shared, per frame otherwise). Unregistered photos are listed
 *    under "sparrow_unregistered" with the reason, never silently left out; every
 *    registered photo is listed in train_filenames (none held out for testing); the
 *    sparse points go to sparse_pc.ply, named by `ply_file_path` (nerfstudio).
 *  - poses.json: the full per-view report (method, inliers, reprojection error).
 * All files are written atomically.
 */
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { encodePointCloudPly } from '../io/point-cloud-ply.js';
import type { ColmapCamera, ColmapImage, ColmapModel, ColmapPoint } from '../io/dataset/colmap-model.js';
import { rotationToQuat } from '../io/dataset/colmap-model.js';
import { colmapCamerasText, colmapImagesText, colmapPointsText } from '../io/dataset/colmap-write.js';
import { openGlCameraToWorld } from '../splat/camera.js';
import type { PoseEstimate } from './estimate-poses.js';

/** COLMAP model of the registered views. Image ids are 1-based view indices. */
export function toColmapModel(est: PoseEstimate): ColmapModel {
  // One COLMAP camera per intrinsics group and image size: a group's portrait and
  // landscape photos share the focal length but not the size or principal point.
  const cameras = new Map<string, ColmapCamera>();
  const cameraKey = (v: (typeof est.views)[number]) => `${v.group}|${v.width}x${v.height}`;
  for (const v of est.views) {
    if (!v.camera || cameras.has(cameraKey(v))) continue;
    const c = v.camera;
    cameras.set(cameraKey(v), { id: cameras.size + 1, model: 'PINHOLE', width: v.width, height: v.height, params: [c.fx, c.fy, c.cx, c.cy] });
  }
  // point id per (view, keypoint)
  const pointOf = est.views.map((_, i) => new Map<number, number>());
  est.pointObservations.forEach((obs, p) => obs.forEach((o) => pointOf[o.view].set(o.keypoint, p + 1)));
  const images: ColmapImage[] = [];
  est.views.forEach((v, i) => {
    if (!v.camera) return;
    const xy = est.keypoints[i];
    const n = xy.length / 2;
    const ids = new BigInt64Array(n).fill(-1n);
    for (const [kp, p] of pointOf[i]) ids[kp] = BigInt(p);
    images.push({
      id: i + 1,
      q: rotationToQuat(v.camera.R),
      t: [v.camera.t[0], v.camera.t[1], v.camera.t[2]],
      cameraId: cameras.get(cameraKey(v))!.id,
      name: v.name,
      // COLMAP pixel centres are at +0.5 like ours: coordinates carry over unchanged.
      points2D: { xy: Float64Array.from(xy), point3DIds: ids },
    });
  });
  const points: ColmapPoint[] = est.pointObservations.map((obs, p) => {
    const track = new Int32Array(2 * obs.length);
    obs.forEach((o, k) => {
      track[2 * k] = o.view + 1;
      track[2 * k + 1] = o.keypoint;
    });
    return {
      id: p + 1,
      xyz: [est.points[3 * p], est.points[3 * p + 1], est.points[3 * p + 2]],
      rgb: [est.colors[3 * p], est.colors[3 * p + 1], est.colors[3 * p + 2]],
      error: meanPointError(est, p),
      track,
    };
  });
  return { cameras: new Map([...cameras.values()].map((c) => [c.id, c])), images, points };
}

function meanPointError(est: PoseEstimate, p: number): number {
  const X = [est.points[3 * p], est.points[3 * p + 1], est.points[3 * p + 2]];
  let sum = 0;
  const obs = est.pointObservations[p];
  for (const o of obs) {
    const c = est.views[o.view].camera!;
    const x = c.R[0] * X[0] + c.R[1] * X[1] + c.R[2] * X[2] + c.t[0];
    const y = c.R[3] * X[0] + c.R[4] * X[1] + c.R[5] * X[2] + c.t[1];
    const z = c.R[6] * X[0] + c.R[7] * X[1] + c.R[8] * X[2] + c.t[2];
    const u = (c.fx * x) / z + c.cx;
    const v = (c.fy * y) / z + c.cy;
    const kp = est.keypoints[o.view];
    sum += Math.hypot(u - kp[2 * o.keypoint], v - kp[2 * o.keypoint + 1]);
  }
  return obs.length ? sum / obs.length : 0;
}

/** The sparse point cloud beside transforms.json (its `ply_file_path`). */
export const SPARSE_PLY = 'sparse_pc.ply';

/**
 * nerfstudio transforms.json. `photoPaths[i]` is where view i's photo lives; paths
 * are written relative to `outDir` so the folder can be opened as a dataset.
 */
export function toTransformsJson(est: PoseEstimate, outDir: string, photoPaths: string[]): Record<string, unknown> {
  const registered = est.views.map((v, i) => ({ v, i })).filter(({ v }) => v.camera);
  const intr = (v: (typeof est.views)[number]) => ({ w: v.width, h: v.height, fl_x: v.camera!.fx, fl_y: v.camera!.fy, cx: v.camera!.cx, cy: v.camera!.cy });
  // At the top level only when every frame has the same (one group and one orientation).
  const shared = registered.length > 0 && new Set(registered.map(({ v }) => JSON.stringify(intr(v)))).size === 1;
  const frames = registered.map(({ v, i }) => ({
    file_path: relative(outDir, photoPaths[i]).split('\\').join('/'),
    transform_matrix: openGlCameraToWorld(v.camera!),
    ...(shared ? {} : intr(v)),
  }));
  return {
    camera_model: 'PINHOLE',
    ...(shared ? intr(registered[0].v) : {}),
    frames,
    // Every registered photo is for training: without these lists a loader would hold out
    // every 8th frame (the LLFF evaluation convention) and a 3-photo capture would lose one.
    train_filenames: frames.map((f) => f.file_path),
    test_filenames: [],
    // The sparse points (same world frame), as nerfstudio names them: training starts from them.
    ...(est.points.length > 0 ? { ply_file_path: SPARSE_PLY } : {}),
    sparrow_unregistered: est.views.filter((v) => !v.camera).map((v) => ({ file: v.name, reason: v.reason })),
  };
}

/** Per-view report (what the CLI prints with --json and writes as poses.json). */
export function poseReport(est: PoseEstimate): Record<string, unknown> {
  return {
    backend: est.backend,
    registered: est.views.filter((v) => v.registered).length,
    total: est.views.length,
    points: est.points.length / 3,
    meanTrackLength: est.trackLengths.length ? est.trackLengths.reduce((a, b) => a + b, 0) / est.trackLengths.length : 0,
    views: est.views.map((v) => ({
      name: v.name,
      registered: v.registered,
      method: v.method ?? null,
      reason: v.reason ?? null,
      placement: v.placement ?? null,
      confidence: v.confidence,
      focal: v.camera?.fx ?? null,
      focalSource: v.focalSource,
      cameraGroup: v.group,
      // clockwise turn its features were found at (the rotation search), null when upright
      featuresTurnedDegrees: v.turnedDegrees ?? null,
      keypoints: v.keypoints,
      registrationInliers: v.registrationInliers,
      observations: v.observations,
      reprojectionErrorPx: Number.isFinite(v.rmsErrorPx) ? v.rmsErrorPx : null,
    })),
    pairs: est.pairs,
    timingsMs: est.timingsMs,
  };
}

/** Write sparse/0/{cameras,images,points3D}.txt, transforms.json and poses.json under outDir. */
export function writePoseOutputs(est: PoseEstimate, outDir: string, photoPaths: string[]): Record<string, string> {
  const sparse = join(outDir, 'sparse', '0');
  const model = toColmapModel(est);
  writeFileAtomic(join(sparse, 'cameras.txt'), colmapCamerasText(model));
  writeFileAtomic(join(sparse, 'images.txt'), colmapImagesText(model));
  writeFileAtomic(join(sparse, 'points3D.txt'), colmapPointsText(model));
  const transforms = join(outDir, 'transforms.json');
  const rgb = Float32Array.from(est.colors, (c) => c / 255);
  // Written before transforms.json, which names it: a reader never finds the name without the file.
  if (est.points.length > 0) writeFileAtomic(join(outDir, SPARSE_PLY), encodePointCloudPly(Float32Array.from(est.points), rgb, 'generated by Sparrow (sparse structure-from-motion points)'));
  writeFileAtomic(transforms, JSON.stringify(toTransformsJson(est, outDir, photoPaths), null, 2) + '\n');
  const report = join(outDir, 'poses.json');
  writeFileAtomic(report, JSON.stringify(poseReport(est), null, 2) + '\n');
  return { colmap: sparse, transforms, report };
}
