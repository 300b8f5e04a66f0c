/**
 * Camera poses as trainable parameters (InstantSplat-style joint refinement), and
 * test-time pose alignment of held-out views for evaluation.
 *
 * The rasterizer's backward gives dL/d(omega, tau) for the left perturbation
 * [R|t] <- exp([omega]x) [R|t] + (0, tau) of the current world-to-camera pose. Each
 * camera keeps a 6-vector offset xi from its initial pose, optimised by Adam with its
 * own learning rates; a quadratic penalty weight * |xi|^2 ties it to the initial
 * estimate so a sparse set cannot drift as a whole. After each update the pose is
 * re-composed: R <- exp([d omega]x) R, t <- exp([d omega]x) t + d tau.
 */
import type { Gpu } from '../gpu/acquire.js';
import { readF32 } from '../gpu/buffers.js';
import type { Camera } from '../splat/camera.js';
import type { GpuScene, GpuSceneGrads } from '../splat/gpu-scene.js';
import type { Rasterizer } from '../splat/render.js';
import { expSO3, matMul } from '../pose/linalg.js';
import type { StepProfiler } from './step-profile.js';

/** Rodrigues exp of the skew matrix (row-major 3x3) and 3x3 products: the pose module's linear algebra. */
export { expSO3 as so3Exp } from '../pose/linalg.js';
export function mat3Mul(A: ArrayLike<number>, B: ArrayLike<number>): number[] {
  return matMul(A, B, 3, 3, 3);
}

/** The pose perturbed on the left by (omega, tau). */
export function perturbPose(cam: Camera, omega: ArrayLike<number>, tau: ArrayLike<number>): Camera {
  const E = expSO3(omega);
  const R = mat3Mul(E, cam.R);
  const t = [0, 1, 2].map((r) => E[r * 3] * cam.t[0] + E[r * 3 + 1] * cam.t[1] + E[r * 3 + 2] * cam.t[2] + tau[r]);
  return { ...cam, R, t };
}

export interface PoseRefineConfig {
  /** Adam learning rate of the rotation part (radians per step scale). */
  rotationLr: number;
  /** Adam learning rate of the translation part, multiplied by the scene extent. */
  translationLr: number;
  /** Weight of |xi|^2 (xi in radians and extent units). */
  priorWeight: number;
  /** Steps before poses start moving (let the Gaussians settle first). */
  startStep: number;
}

export const DEFAULT_POSE_REFINE: PoseRefineConfig = { rotationLr: 1e-4, translationLr: 1e-4, priorWeight: 1e-2, startStep: 50 };

class Adam6 {
  m = new Float64Array(6);
  v = new Float64Array(6);
  t = 0;
  step(g: ArrayLike<number>, lr: number[]): number[] {
    this.t++;
    const d: number[] = [];
    for (let i = 0; i < 6; i++) {
      this.m[i] = 0.9 * this.m[i] + 0.1 * g[i];
      this.v[i] = 0.999 * this.v[i] + 0.001 * g[i] * g[i];
      const mh = this.m[i] / (1 - 0.9 ** this.t);
      const vh = this.v[i] / (1 - 0.999 ** this.t);
      d.push((-lr[i] * mh) / (Math.sqrt(vh) + 1e-12));
    }
    return d;
  }
}

/** Holds per-camera offsets and optimisers; mutates the cameras it is given in place. */
export class PoseRefiner {
  private readonly xi: Float64Array[];
  private readonly adam: Adam6[];
  /** Benchmarks: bills the hook's readback and update to the 'pose refine' phase. */
  profiler: StepProfiler | undefined;

  constructor(private readonly cameras: Camera[], private readonly cfg: PoseRefineConfig, private readonly extent: number, private readonly frozen: Set<number> = new Set()) {
    this.xi = cameras.map(() => new Float64Array(6));
    this.adam = cameras.map(() => new Adam6());
  }

  /** Apply one update to camera `index` from the rasterizer's pose gradient. */
  update(index: number, step: number, vPose: ArrayLike<number>): void {
    if (step < this.cfg.startStep || this.frozen.has(index)) return;
    const xi = this.xi[index];
    const scale = [1, 1, 1, this.extent, this.extent, this.extent];
    // Gradient of the prior weight * |xi / scale|^2 in the same tangent coordinates.
    const g = Array.from(vPose, (v, i) => v + (2 * this.cfg.priorWeight * xi[i]) / (scale[i] * scale[i]));
    const lr = [0, 1, 2].map(() => this.cfg.rotationLr).concat([0, 1, 2].map(() => this.cfg.translationLr * this.extent));
    const d = this.adam[index].step(g, lr);
    for (let i = 0; i < 6; i++) xi[i] += d[i];
    const next = perturbPose(this.cameras[index], d.slice(0, 3), d.slice(3));
    this.cameras[index].R = next.R;
    this.cameras[index].t = next.t;
  }

  /** |omega| in degrees and |tau| of each camera's total offset from its initial pose. */
  drift(): { rotationDeg: number; translation: number }[] {
    return this.xi.map((x) => ({ rotationDeg: (Math.hypot(x[0], x[1], x[2]) * 180) / Math.PI, translation: Math.hypot(x[3], x[4], x[5]) }));
  }

  /** Trainer hook: reads the pose gradient of the view just rendered and updates its camera. */
  hook(gpu: Gpu): { afterBackward(ctx: { step: number; frameIndex: number; vPose: GPUBuffer }): Promise<void> } {
    return {
      afterBackward: async (ctx) => {
        if (ctx.step < this.cfg.startStep || this.frozen.has(ctx.frameIndex)) return;
        await this.profiler?.lap('regularizers: hooks');
        this.update(ctx.frameIndex, ctx.step, await readF32(gpu, ctx.vPose, 6));
        await this.profiler?.lap('pose refine');
      },
    };
  }
}

/**
 * Test-time pose alignment: with the Gaussians frozen, move a held-out camera to
 * minimise the L1 photometric error against its photo (InstantSplat's evaluation
 * protocol for estimated poses). Returns the aligned camera.
 */
export async function alignPoseToImage(
  gpu: Gpu,
  rasterizer: Rasterizer,
  scene: GpuScene,
  scratchGrads: GpuSceneGrads,
  camera: Camera,
  /** Records dLoss/dColor of the render into `vColor` (e.g. SsimL1Loss against the photo). */
  photometric: (enc: GPUCommandEncoder, color: GPUBuffer, vColor: GPUBuffer) => void,
  vColor: GPUBuffer,
  opts: { iterations: number; rotationLr: number; translationLr: number; background: [number, number, number] },
): Promise<Camera> {
  let cam = { ...camera, R: [...camera.R], t: [...camera.t] };
  const adam = new Adam6();
  const lr = [opts.rotationLr, opts.rotationLr, opts.rotationLr, opts.translationLr, opts.translationLr, opts.translationLr];
  for (let it = 0; it < opts.iterations; it++) {
    const result = await rasterizer.forward(scene, cam, { background: opts.background });
    const enc = gpu.device.createCommandEncoder();
    photometric(enc, result.color, vColor);
    gpu.device.queue.submit([enc.finish()]);
    scratchGrads.zero();
    const { vPose } = rasterizer.backward(result, { vColor }, scratchGrads);
    const d = adam.step(await readF32(gpu, vPose, 6), lr);
    cam = perturbPose(cam, d.slice(0, 3), d.slice(3));
  }
  return cam;
}
