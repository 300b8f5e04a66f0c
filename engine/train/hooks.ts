/**
 * Seams for later stages: extra loss terms (depth priors, regularizers) and per-step hooks
 * (pose refinement). A loss term records GPU work that ADDS its gradient into the cotangent
 * buffers the rasterizer backward consumes; vAlpha and vDepth are zeroed every step before
 * the terms run (vColor already holds the photometric gradient).
 */
import type { Frame } from '../io/dataset/types.js';
import type { GpuScene } from '../splat/gpu-scene.js';
import type { RenderResult } from '../splat/render.js';

export interface LossContext {
  /** 1-based step being computed. */
  step: number;
  frameIndex: number;
  frame: Frame;
  result: RenderResult;
  /** [H, W, 3] f32 ground truth of this view. */
  target: GPUBuffer;
  /** Cotangents of the render outputs: vColor [H, W, 3], vAlpha [H, W], vDepth [H, W]. */
  cot: { vColor: GPUBuffer; vAlpha: GPUBuffer; vDepth: GPUBuffer };
}

export interface LossTerm {
  name: string;
  /** Record the term's gradient into ctx.cot (add, never overwrite). */
  encode(encoder: GPUCommandEncoder, ctx: LossContext): void;
}

export interface StepHooks {
  /**
   * Before the render: the scene to render for this view (default: the trained `scene`). It
   * must have the trained scene's count and SH degree; the rasterizer's gradients then are
   * w.r.t. ITS parameters (written into the trainer's gradient buffers), and afterBackward
   * must map them to the trained parameters (e.g. through a deformation's backward).
   */
  beforeRender?(info: { step: number; frameIndex: number; scene: GpuScene }): GpuScene | undefined | Promise<GpuScene | undefined>;
  /** After the backward, before Adam. `vPose` [6]: dL/d(omega, tau) of this view's camera. */
  afterBackward?(ctx: LossContext & { vPose: GPUBuffer }): void | Promise<void>;
  /**
   * After the step finished (Adam applied, refinement done). `densified`, when this step changed
   * the Gaussian set: new row r < keep.length is old row keep[r], then copies of old rows
   * `append` (densify.ts DensifyPlan), so per-Gaussian state kept by a hook can follow.
   */
  afterStep?(info: { step: number; frameIndex: number; loss: number; densified?: { keep: Uint32Array; append: Uint32Array } }): void | Promise<void>;
}
