/**
 * The binocular term and opacity decay wired through createSparseViewRegularizers into a
 * Trainer (hooks: beforeRender renders the shifted camera, a LossTerm adds the warp gradient,
 * afterBackward runs the shifted backward, afterStep decays opacities).
 */
import { describe, expect, it } from 'vitest';
import { createSparseViewRegularizers, NO_REGULARIZERS, type SparseViewConfig } from '../../engine/train/regularizers/sparse-view.js';
import { Trainer } from '../../engine/train/trainer.js';
import { sigmoid, type GaussianScene } from '../../engine/splat/scene.js';
import { testGpu } from '../util/gpu.js';
import { jitteredCapture } from './synthetic.js';

async function setup() {
  const gpu = await testGpu();
  return { gpu, ...(await jitteredCapture(gpu, 80)) };
}

async function train(env: Awaited<ReturnType<typeof setup>>, reg: Partial<SparseViewConfig>, steps: number, lrs: Record<string, number> = {}) {
  const { gpu, dataset, start } = env;
  const scene: GaussianScene = { ...start, means: start.means.slice(), opacityLogits: start.opacityLogits.slice(), logScales: start.logScales.slice(), quats: start.quats.slice(), sh: start.sh.slice() };
  let t: Trainer | undefined;
  const sv = createSparseViewRegularizers(gpu, { ...NO_REGULARIZERS, ...reg }, {
    cameras: dataset.frames.map((f) => f.camera), trainViews: dataset.split.train, priors: new Map(), extent: dataset.extent, background: [0, 0, 0], trainer: () => t!,
  });
  t = Trainer.fromScene(gpu, dataset, scene, { iterations: steps, shDegree: 0, densifyFrom: 1000, opacityResetInterval: 0, seed: 3, ...lrs }, { trainViews: dataset.split.train, lossTerms: sv.lossTerms, hooks: sv.hooks });
  while (t.stepCount < steps) await t.step();
  const out = await t.scene();
  t.dispose();
  sv.dispose();
  return out;
}

describe('binocular consistency and opacity decay in training', () => {
  it('opacity decay multiplies every opacity by (1 - rate) per step from its start', async () => {
    const env = await setup();
    // No parameter moves by the optimizer: only the decay changes opacities.
    const frozen = { meansLr: 0, meansLrFinal: 0, sh0Lr: 0, opacityLr: 0, scalesLr: 0, quatsLr: 0 };
    // 4 steps, decay from half the run: steps 2, 3, 4 (rampFactor: step / iterations >= 0.5).
    const out = await train(env, { opacityDecay: 0.1, opacityDecayFrom: 0.5 }, 4, frozen);
    for (let i = 0; i < out.count; i++) {
      // f32 logit round trip: relative error ~1e-6.
      expect(sigmoid(out.opacityLogits[i]) / sigmoid(env.start.opacityLogits[i])).toBeCloseTo(0.9 ** 3, 5);
    }
  });

  it('binocular term changes the geometry, deterministically, and only from its start', async () => {
    const env = await setup();
    const plain = await train(env, {}, 3);
    const bino = await train(env, { binocular: 1, binocularBaseline: 0.5, binocularFrom: 0 }, 3);
    const again = await train(env, { binocular: 1, binocularBaseline: 0.5, binocularFrom: 0 }, 3);
    const late = await train(env, { binocular: 1, binocularBaseline: 0.5, binocularFrom: 1.5 }, 3);
    let diff = 0;
    for (let i = 0; i < plain.means.length; i++) diff = Math.max(diff, Math.abs(plain.means[i] - bino.means[i]));
    expect(diff).toBeGreaterThan(1e-6);
    expect(Array.from(again.means)).toEqual(Array.from(bino.means));
    // Starting after the run (step / iterations never reaches 1.5): identical to plain training.
    expect(Array.from(late.means)).toEqual(Array.from(plain.means));
  });
});
