/**
 * Training a dynamic scene (D-NeRF style: every frame has a `time`) with SC-GS control points:
 * the project's trainer optimizes the canonical Gaussians, DynamicDeformation (dynamic-warp.ts)
 * warps them to each frame's time through its beforeRender / afterBackward hooks and fits the
 * keyframed control-point motion. `deform: false` runs the same trainer without deformation
 * (the static baseline: one scene for every time). Evaluation renders each test frame at its
 * own time and reports PSNR / SSIM (engine/train/metrics.ts).
 */
import type { Gpu } from '../gpu/acquire.js';
import { readF32 } from '../gpu/buffers.js';
import { join } from 'node:path';
import { DatasetError, type Dataset } from '../io/dataset/types.js';
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import type { RenderResult } from '../splat/render.js';
import type { GaussianScene } from '../splat/scene.js';
import type { TrainConfig } from '../train/config.js';
import { imageMetrics } from '../train/metrics.js';
import { shDegreeAt } from '../train/schedule.js';
import { Trainer } from '../train/trainer.js';
import type { StepHooks } from '../train/hooks.js';
import { DynamicDeformation, type DeformOptions } from './dynamic-warp.js';

export interface DynamicTrainOptions {
  config?: Partial<TrainConfig>;
  /** false: the static baseline (same trainer, no deformation). Default true. */
  deform?: boolean;
  deformOptions?: Partial<DeformOptions>;
  /** Start from this scene instead of the trainer's initialization (tests). */
  initialScene?: GaussianScene;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface DynamicEvalView {
  frame: number;
  name: string;
  time: number;
  psnr: number;
  ssim: number;
}

export interface DynamicTrainReport {
  deform: boolean;
  steps: number;
  gaussians: number;
  controlPoints: number;
  keyframes: number;
  trainMs: number;
  views: DynamicEvalView[];
  psnr: number;
  ssim: number;
}

/** The time of a frame; dynamic datasets must give one on every frame. */
export function frameTime(dataset: Dataset, index: number): number {
  const t = dataset.frames[index].time;
  if (t === undefined || !Number.isFinite(t)) {
    const file = dataset.kind === 'transforms' && !dataset.root.endsWith('.json') ? join(dataset.root, 'transforms.json') : dataset.root;
    throw new DatasetError(file, `frame '${dataset.frames[index].name}' has no 'time'; dynamic training needs one on every frame (D-NeRF transforms.json)`);
  }
  return t;
}

/** A trainer (and its deformation, when deforming) wired together; call train() then evaluate(). */
export class DynamicTrainer {
  private constructor(
    readonly trainer: Trainer,
    readonly deformation: DynamicDeformation | undefined,
  ) {}

  static async create(gpu: Gpu, dataset: Dataset, opts: DynamicTrainOptions = {}): Promise<DynamicTrainer> {
    const deform = opts.deform ?? true;
    const trainViews = dataset.split.train;
    const times = trainViews.map((i) => frameTime(dataset, i));
    for (const i of dataset.split.test) frameTime(dataset, i);
    const iterations = opts.config?.iterations ?? 30_000;
    const deformation = deform ? new DynamicDeformation(gpu, times, dataset.extent, iterations, opts.deformOptions) : undefined;
    let trainer: Trainer | undefined;
    const hooks: StepHooks = {};
    if (deformation) {
      hooks.beforeRender = async ({ step, frameIndex, scene }) => {
        if (step <= deformation.opts.warmupSteps) return undefined;
        if (!deformation.active) await deformation.initialize(scene);
        return deformation.warpTo(scene, frameTime(dataset, frameIndex));
      };
      hooks.afterBackward = async (ctx) => {
        if (ctx.result.scene !== trainer!.state.scene) await deformation.backward(trainer!.state.grads, ctx.step);
      };
    }
    trainer = opts.initialScene
      ? Trainer.fromScene(gpu, dataset, opts.initialScene, opts.config ?? {}, { hooks, trainViews })
      : await Trainer.create(gpu, dataset, opts.config ?? {}, { hooks, trainViews });
    return new DynamicTrainer(trainer, deformation);
  }

  /** Run all steps with 'step' progress events (stage 'deform-train'). */
  async train(opts: { onEvent?: EventSink; signal?: AbortSignal } = {}): Promise<number> {
    const t0 = performance.now();
    await this.trainer.train({ onEvent: opts.onEvent, signal: opts.signal });
    return performance.now() - t0;
  }

  /** Render frame `index` at its time (warped when deforming and past the warm-up). */
  async render(index: number): Promise<RenderResult> {
    const t = this.trainer;
    const frame = t.dataset.frames[index];
    const scene = this.deformation?.active ? this.deformation.warpTo(t.state.scene, frameTime(t.dataset, index), false) : t.state.scene;
    return t.rasterizer.forward(scene, frame.camera, { background: t.cfg.background, shDegree: shDegreeAt(t.cfg, Math.max(t.stepCount, 1)) });
  }

  async evaluate(views: number[], opts: { onEvent?: EventSink; signal?: AbortSignal } = {}): Promise<{ views: DynamicEvalView[]; psnr: number; ssim: number }> {
    const t = this.trainer;
    const out: DynamicEvalView[] = [];
    for (let k = 0; k < views.length; k++) {
      throwIfCancelled(opts.signal);
      const index = views[k];
      const frame = t.dataset.frames[index];
      const { width, height } = frame.camera;
      const rendered = await readF32(t.gpu, (await this.render(index)).color, width * height * 3);
      const m = imageMetrics(rendered, (await t.images.get(index)).rgb, width, height);
      out.push({ frame: index, name: frame.name, time: frameTime(t.dataset, index), psnr: m.psnr, ssim: m.ssim });
      opts.onEvent?.({ type: 'step', stage: 'eval', step: k + 1, total: views.length, metrics: { psnr: m.psnr, ssim: m.ssim } });
    }
    const mean = (f: (v: DynamicEvalView) => number) => out.reduce((s, v) => s + f(v), 0) / Math.max(out.length, 1);
    return { views: out, psnr: mean((v) => v.psnr), ssim: mean((v) => v.ssim) };
  }

  dispose(): void {
    this.deformation?.dispose();
    this.trainer.dispose();
  }
}

/** Train (dynamic or static) on the dataset's train split, evaluate on its test split. */
export async function trainDynamic(gpu: Gpu, dataset: Dataset, opts: DynamicTrainOptions = {}): Promise<DynamicTrainReport & { model: DynamicTrainer }> {
  const model = await DynamicTrainer.create(gpu, dataset, opts);
  const trainMs = await model.train({ onEvent: opts.onEvent, signal: opts.signal });
  const ev = await model.evaluate(dataset.split.test, { onEvent: opts.onEvent, signal: opts.signal });
  const d = model.deformation;
  return {
    model,
    deform: d !== undefined,
    steps: model.trainer.stepCount,
    gaussians: model.trainer.gaussians,
    controlPoints: d?.ctrl?.count ?? 0,
    keyframes: d?.motion?.times.length ?? 0,
    trainMs,
    ...ev,
  };
}
