/**
 * DropGaussian wired through createSparseViewRegularizers into a real Trainer: the step renders
 * a dropped scene (beforeRender), the dropped Gaussians get no gradient in any field while kept
 * ones do (afterBackward), training changes and repeats for a seed, and the trained scene (what
 * evaluation renders) is never the dropped one.
 */
import { describe, expect, it } from 'vitest';
import { readF32 } from '../../engine/gpu/buffers.js';
import { fieldWidths, type SceneGrads } from '../../engine/splat/gpu-scene.js';
import { createSparseViewRegularizers, NO_REGULARIZERS, type SparseViewConfig } from '../../engine/train/regularizers/sparse-view.js';
import { dropRateAt } from '../../engine/train/regularizers/drop-gaussian.js';
import { DROPPED_LOGIT, keepGaussian } from '../../engine/train/regularizers/reference/drop-gaussian-ref.js';
import type { StepHooks } from '../../engine/train/hooks.js';
import { Trainer } from '../../engine/train/trainer.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { testGpu } from '../util/gpu.js';
import { jitteredCapture } from './synthetic.js';

async function setup() {
  const gpu = await testGpu();
  return { gpu, ...(await jitteredCapture(gpu, 120)) };
}

type Env = Awaited<ReturnType<typeof setup>>;
interface Observed { step: number; rendered: Float32Array | null; grads: SceneGrads }

/** Train `steps` steps; `observe` records, per step, the rendered scene's logits and the mapped gradients. */
async function train(env: Env, reg: Partial<SparseViewConfig>, steps: number, opts: { seed?: number; lrs?: Record<string, number>; observe?: Observed[] } = {}) {
  const { gpu, dataset, start } = env;
  const scene: GaussianScene = { ...start, means: start.means.slice(), opacityLogits: start.opacityLogits.slice(), logScales: start.logScales.slice(), quats: start.quats.slice(), sh: start.sh.slice() };
  let t: Trainer | undefined;
  const sv = createSparseViewRegularizers(gpu, { ...NO_REGULARIZERS, ...reg }, {
    cameras: dataset.frames.map((f) => f.camera), trainViews: dataset.split.train, priors: new Map(), extent: dataset.extent, background: [0, 0, 0], trainer: () => t!,
  });
  const hooks: StepHooks = {
    ...sv.hooks,
    afterBackward: async (ctx) => {
      await sv.hooks.afterBackward?.(ctx);
      if (!opts.observe) return;
      const substituted = ctx.result.scene !== t!.state.scene;
      opts.observe.push({ step: ctx.step, rendered: substituted ? await readF32(gpu, ctx.result.scene.opacityLogits, ctx.result.scene.count) : null, grads: await t!.state.grads.download() });
    },
  };
  t = Trainer.fromScene(gpu, dataset, scene, { iterations: steps, shDegree: 0, densifyFrom: 1000, opacityResetInterval: 0, seed: opts.seed ?? 3, ...opts.lrs }, { trainViews: dataset.split.train, lossTerms: sv.lossTerms, hooks });
  while (t.stepCount < steps) await t.step();
  const out = await t.scene();
  t.dispose();
  sv.dispose();
  return out;
}

const same = (a: GaussianScene, b: GaussianScene) => Array.from(a.means).every((v, i) => v === b.means[i]) && Array.from(a.opacityLogits).every((v, i) => v === b.opacityLogits[i]) && Array.from(a.sh).every((v, i) => v === b.sh[i]);

describe('DropGaussian in training', () => {
  it('dropped Gaussians get no gradient in any field, kept ones do; the rendered scene is the dropped one', async () => {
    const env = await setup();
    const observe: Observed[] = [];
    const reg = { dropRate: 0.4, dropFrom: 0, dropRamp: 0 };
    await train(env, reg, 3, { observe, seed: 9 });
    expect(observe.length).toBe(3);
    const n = env.start.count;
    const w = fieldWidths(0);
    for (const o of observe) {
      const p = { rate: dropRateAt(o.step, 3, reg.dropRate, reg.dropFrom, reg.dropRamp), seed: 9, step: o.step };
      expect(o.rendered).not.toBeNull();
      let keptWithGrad = 0;
      let dropped = 0;
      for (let i = 0; i < n; i++) {
        const keep = keepGaussian(p, i);
        // The GPU mask is the reference's (same hash of seed, step, index).
        expect(o.rendered![i] === DROPPED_LOGIT).toBe(!keep);
        const rows = [o.grads.vMeans.subarray(i * 3, i * 3 + 3), o.grads.vLogScales.subarray(i * 3, i * 3 + 3), o.grads.vQuats.subarray(i * 4, i * 4 + 4), o.grads.vOpacityLogits.subarray(i, i + 1), o.grads.vSh.subarray(i * w.sh, (i + 1) * w.sh)];
        const any = rows.some((r) => r.some((v) => v !== 0));
        if (!keep) {
          dropped++;
          expect(any).toBe(false);
        } else if (any) keptWithGrad++;
      }
      expect(dropped).toBeGreaterThan(0.25 * n);
      expect(keptWithGrad).toBeGreaterThan(0.25 * n);
    }
  });

  it('changes training, repeats for a seed, differs across seeds; inactive at rate 0 or before its start', async () => {
    const env = await setup();
    const plain = await train(env, {}, 4);
    const drop = await train(env, { dropRate: 0.2, dropFrom: 0, dropRamp: 1 }, 4);
    const again = await train(env, { dropRate: 0.2, dropFrom: 0, dropRamp: 1 }, 4);
    const zero = await train(env, { dropRate: 0, dropFrom: 0, dropRamp: 1 }, 4);
    const late = await train(env, { dropRate: 0.2, dropFrom: 1.5, dropRamp: 1 }, 4);
    expect(same(plain, drop)).toBe(false);
    expect(same(drop, again)).toBe(true);
    expect(same(zero, plain)).toBe(true);
    expect(same(late, plain)).toBe(true);
    // Another trainer seed: another view order and other drops; compare with the same seed's plain run.
    const plain7 = await train(env, {}, 4, { seed: 7 });
    const drop7 = await train(env, { dropRate: 0.2, dropFrom: 0, dropRamp: 1 }, 4, { seed: 7 });
    expect(same(plain7, drop7)).toBe(false);
    expect(same(drop7, drop)).toBe(false);
  });

  it('rejects a drop rate above 0.5 when the regularizers are set up', async () => {
    const env = await setup();
    const make = (dropRate: number) => createSparseViewRegularizers(env.gpu, { ...NO_REGULARIZERS, dropRate }, {
      cameras: env.dataset.frames.map((f) => f.camera), trainViews: env.dataset.split.train, priors: new Map(), extent: env.dataset.extent, background: [0, 0, 0], trainer: () => { throw new Error('unused'); },
    });
    expect(() => make(0.6)).toThrow(/dropRate must be in \[0, 0.5\], got 0.6/);
    make(0.5).dispose();
  });

  it('never writes the trained scene: with the optimizer frozen, the scene (what evaluation renders) is unchanged', async () => {
    const env = await setup();
    const frozen = { meansLr: 0, meansLrFinal: 0, sh0Lr: 0, opacityLr: 0, scalesLr: 0, quatsLr: 0 };
    const observe: Observed[] = [];
    const out = await train(env, { dropRate: 0.3, dropFrom: 0, dropRamp: 0 }, 3, { lrs: frozen, observe });
    // Every step rendered a dropped scene, and the trained opacities came through untouched.
    expect(observe.every((o) => o.rendered !== null && o.rendered.some((v, i) => v !== out.opacityLogits[i]))).toBe(true);
    expect(Array.from(out.opacityLogits)).toEqual(Array.from(env.start.opacityLogits));
    expect(Array.from(out.means)).toEqual(Array.from(env.start.means));
  });
});
