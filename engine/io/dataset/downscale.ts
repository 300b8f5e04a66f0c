/**
 * A frame at an integer fraction of its photo's size (browser-safe: no file access, so the
 * app's worker and the pose stage can use it without the dataset loaders).
 */
import type { Camera } from '../../splat/camera.js';
import { DatasetError, type Frame } from './types.js';

export function scaleCamera(c: Camera, f: number): Camera {
  // Pixel i covers [i, i+1): scaling pixel coordinates by 1/f maps centres and edges exactly.
  return { ...c, width: Math.floor(c.width / f), height: Math.floor(c.height / f), fx: c.fx / f, fy: c.fy / f, cx: c.cx / f, cy: c.cy / f };
}

/** The frame with its camera and pixels box-downscaled by the integer factor f. */
export function downscaleFrame(frame: Frame, f: number): Frame {
  if (Math.floor(frame.imageSize[0] / f) < 1 || Math.floor(frame.imageSize[1] / f) < 1) throw new DatasetError(frame.imagePath, `downscale ${f} leaves no pixels`);
  return { ...frame, camera: scaleCamera(frame.camera, f), downscale: f };
}


/** A working-resolution camera scaled back to the photo it was made from (the inverse of scaleCamera). */
export function atPhotoSize(c: Camera, downscale: number, imageSize: [number, number]): Camera {
  return { ...c, width: imageSize[0], height: imageSize[1], fx: c.fx * downscale, fy: c.fy * downscale, cx: c.cx * downscale, cy: c.cy * downscale };
}
