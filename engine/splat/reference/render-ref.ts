/**
 * The whole float64 reference pipeline: project -> depth order -> rasterize, and its backward.
 * Used by the finite-difference tests and as the ground truth for the GPU rasterizer.
 */
import type { Camera } from '../camera.js';
import { projectBackwardRef, projectRef, type SceneArrays, type SceneGradsRef } from './project-ref.js';
import { rasterizeBackwardRef, rasterizeForwardRef, type RasterCotangents, type RasterOutputRef } from './rasterize-ref.js';

export interface RenderOptionsRef {
  background: number[];
  shDegree?: number;
}

export function renderRef(scene: SceneArrays, cam: Camera, opts: RenderOptionsRef): RasterOutputRef {
  const proj = projectRef(scene, cam, opts.shDegree ?? scene.shDegree);
  return rasterizeForwardRef(proj, cam.width, cam.height, opts.background);
}

export function renderBackwardRef(
  scene: SceneArrays,
  cam: Camera,
  opts: RenderOptionsRef,
  cot: RasterCotangents,
): SceneGradsRef {
  const deg = opts.shDegree ?? scene.shDegree;
  const proj = projectRef(scene, cam, deg);
  const g2 = rasterizeBackwardRef(proj, cam.width, cam.height, opts.background, cot);
  return projectBackwardRef(scene, cam, proj, g2, deg);
}
