/** Small datasets written by the tests: photos, a COLMAP model, a transforms.json. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodePng } from '../../engine/io/image.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';
import { rotationToQuat, type ColmapModel } from '../../engine/io/dataset/colmap-model.js';

export function tmpDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sparrow-${prefix}-`));
}

/** Deterministic RGBA test photo; `alpha` makes the left half transparent. */
export function writePhoto(path: string, w: number, h: number, seed: number, alpha = false): void {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[i * 4] = (i * 7 + seed * 31) & 255;
    data[i * 4 + 1] = (i * 13 + seed) & 255;
    data[i * 4 + 2] = (seed * 50) & 255;
    data[i * 4 + 3] = alpha && i % w < w / 2 ? 0 : 255;
  }
  writeFileSync(path, encodePng({ width: w, height: h, data }));
}

/** `n` cameras on a ring looking at the origin. */
export function ringCameras(n: number, w: number, h: number, radius = 4): Camera[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return lookAtCamera([radius * Math.cos(a), 0.5, radius * Math.sin(a)], [0, 0, 0], [0, -1, 0], { width: w, height: h, fx: 40, fy: 42, cx: w / 2 + 0.25, cy: h / 2 - 0.5 });
  });
}

/** A COLMAP model of `cams` (image i named img_i.png, camera i), with `npts` points observed by every image. */
export function colmapModelOf(cams: Camera[], npts: number, model: 'PINHOLE' | 'OPENCV' = 'PINHOLE'): ColmapModel {
  const cameras = new Map(
    cams.map((c, i) => [
      i + 1,
      { id: i + 1, model, width: c.width, height: c.height, params: model === 'PINHOLE' ? [c.fx, c.fy, c.cx, c.cy] : [c.fx, c.fy, c.cx, c.cy, 0.05, -0.01, 0.001, -0.002] },
    ]),
  );
  const images = cams.map((c, i) => ({
    id: i + 1,
    q: rotationToQuat(c.R),
    t: [c.t[0], c.t[1], c.t[2]] as [number, number, number],
    cameraId: i + 1,
    name: `img_${i}.png`,
    points2D: { xy: Float64Array.from({ length: npts * 2 }, (_, k) => k * 1.5 + 0.25), point3DIds: BigInt64Array.from({ length: npts }, (_, k) => BigInt(k + 1)) },
  }));
  const points = Array.from({ length: npts }, (_, k) => ({
    id: k + 1,
    xyz: [k * 0.1, -k * 0.2, 0.3 + k * 0.01] as [number, number, number],
    rgb: [k * 10, 255 - k, 7] as [number, number, number],
    error: 0.5 + k,
    track: Int32Array.from(cams.flatMap((_, i) => [i + 1, k])),
  }));
  return { cameras, images, points };
}

export function writePhotos(dir: string, cams: Camera[], names: (i: number) => string, alpha = false): void {
  cams.forEach((c, i) => {
    mkdirSync(dirname(join(dir, names(i))), { recursive: true });
    writePhoto(join(dir, names(i)), c.width, c.height, i, alpha);
  });
}

export function transformsJsonOf(cams: Camera[], names: (i: number) => string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = cams[0];
  return {
    camera_model: 'PINHOLE',
    w: c.width,
    h: c.height,
    fl_x: c.fx,
    fl_y: c.fy,
    cx: c.cx,
    cy: c.cy,
    frames: cams.map((cam, i) => ({ file_path: names(i), transform_matrix: openGlCameraToWorld(cam), time: i / cams.length })),
    ...extra,
  };
}
