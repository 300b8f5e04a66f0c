/**
 * CoR-GS through real Trainers (engine/train/co-regularization/co-training.ts): the pseudo-view
 * term moves both fields and repeats for a seed; with co-regularization off the first field is
 * bit-identical to single-field training; co-pruning removes only rows without a partner and
 * leaves every survivor matched; keepRows keeps parameters, Adam moments and statistics aligned.
 */
import { describe, expect, it } from 'vitest';
import { readF32, writeBuffer } from '../../engine/gpu/buffers.js';
import { CoTraining, coRegularizationOn, type CoRegConfig } from '../../engine/train/co-regularization/co-training.js';
import { keepRows } from '../../engine/train/co-regularization/keep-rows.js';
import { TrainState } from '../../engine/train/gpu-state.js';
import { neighbourSpacing } from '../../engine/train/regularizers/binocular.js';
import type { TrainConfig } from '../../engine/train/config.js';
import { Trainer } from '../../engine/train/trainer.js';
import { gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { jitteredCapture } from './synthetic.js';

const OFF: CoRegConfig = { coRegularization: 0, coRegularizationFrom: 0, coPruneInterval: 0, coPruneDistance: 2 };

async function setup() {
  const gpu = await testGpu();
  return { gpu, ...(await jitteredCapture(gpu, 80)) };
}
type Env = Awaited<ReturnType<typeof setup>>;

const BASE: Partial<TrainConfig> = { shDegree: 0, densifyFrom: 1000, opacityResetInterval: 0, seed: 3 };

/** Trains both fields for `steps`; returns both final scenes and the co-training's prune reports. */
async function coTrain(env: Env, co: CoRegConfig, steps: number, train: Partial<TrainConfig> = {}) {
  const first = Trainer.fromScene(env.gpu, env.dataset, env.start, { ...BASE, iterations: steps, ...train }, { trainViews: env.dataset.split.train });
  const pair = CoTraining.pair(first, env.start, co, { trainViews: env.dataset.split.train });
  while (pair.stepCount < steps) await pair.step();
  const out = { a: await first.scene(), b: await pair.b.scene(), prunes: pair.coPrunes, pruneDistance: pair.pruneDistance };
  pair.dispose();
  first.dispose();
  return out;
}

function maxDiff(x: Float32Array, y: Float32Array): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

describe('CoR-GS co-training', () => {
  it('with co-regularization off, the first field is bit-identical to single-field training', async () => {
    const env = await setup();
    expect(coRegularizationOn(OFF)).toBe(false);
    const single = Trainer.fromScene(env.gpu, env.dataset, env.start, { ...BASE, iterations: 4 }, { trainViews: env.dataset.split.train });
    while (single.stepCount < 4) await single.step();
    const ref = await single.scene();
    single.dispose();
    const { a, b } = await coTrain(env, OFF, 4);
    expect(Array.from(a.means)).toEqual(Array.from(ref.means));
    expect(Array.from(a.sh)).toEqual(Array.from(ref.sh));
    expect(Array.from(a.opacityLogits)).toEqual(Array.from(ref.opacityLogits));
    // The second field has its own seed (view order), so it is a different field.
    expect(maxDiff(a.means, b.means)).toBeGreaterThan(0);
  });

  it('the pseudo-view term changes both fields, deterministically, and only from its start', async () => {
    const env = await setup();
    const on: CoRegConfig = { ...OFF, coRegularization: 1, coRegularizationFrom: 0 };
    const off = await coTrain(env, OFF, 3);
    const co = await coTrain(env, on, 3);
    const again = await coTrain(env, on, 3);
    // From after the run's end (step / iterations never reaches 1.5): the same as off.
    const late = await coTrain(env, { ...on, coRegularizationFrom: 1.5 }, 3);
    expect(maxDiff(co.a.means, off.a.means)).toBeGreaterThan(1e-6);
    expect(maxDiff(co.b.means, off.b.means)).toBeGreaterThan(1e-6);
    expect(maxDiff(co.a.sh, off.a.sh)).toBeGreaterThan(1e-6);
    expect(Array.from(again.a.means)).toEqual(Array.from(co.a.means));
    expect(Array.from(again.b.means)).toEqual(Array.from(co.b.means));
    expect(Array.from(late.a.means)).toEqual(Array.from(off.a.means));
    expect(Array.from(late.b.means)).toEqual(Array.from(off.b.means));
  });

  it('co-pruning removes only unmatched Gaussians, on its schedule; every survivor has a partner within τ', async () => {
    const env = await setup();
    // Densify after step 4, every Gaussian split (gradient threshold 0, percentDense 0): each
    // field's two children are drawn ~0.1 from their parent with its own seed, so at τ = 0.1 some
    // children have a partner in the other field and some do not.
    const spacing = neighbourSpacing(env.dataset.split.train.map((i) => env.dataset.frames[i].camera));
    const tau = 0.1;
    // Co-pruning every 0.5 x 4 = 2 steps after densifyFrom = 2: at step 4 only (after the split).
    const co: CoRegConfig = { ...OFF, coPruneInterval: 0.5, coPruneDistance: tau / spacing };
    const train = { densifyFrom: 2, densifyUntil: 6, densifyInterval: 2, densifyGradThreshold: 0, percentDense: 0 };
    const out = await coTrain(env, co, 4, train);
    expect(out.prunes.map((p) => p.step)).toEqual([4]);
    const p = out.prunes[0];
    expect(out.pruneDistance).toBeCloseTo(tau, 12);
    // Densification split every Gaussian (80 -> 160) and co-pruning removed some of each field.
    expect(p.beforeA).toBe(160);
    expect(p.beforeB).toBe(160);
    expect(p.afterA).toBeLessThan(p.beforeA);
    expect(p.afterB).toBeLessThan(p.beforeB);
    expect(p.afterA).toBeGreaterThan(0);
    expect(out.a.count).toBe(p.afterA);
    // The run ends at the prune. Matching is symmetric (a has b within τ <=> b has a), so no
    // survivor lost its partner to the other field's pruning: every survivor is matched.
    const near = (m: Float32Array, i: number, other: Float32Array, tau: number) => {
      for (let j = 0; j < other.length / 3; j++) {
        if ((m[i * 3] - other[j * 3]) ** 2 + (m[i * 3 + 1] - other[j * 3 + 1]) ** 2 + (m[i * 3 + 2] - other[j * 3 + 2]) ** 2 <= tau * tau) return true;
      }
      return false;
    };
    for (let i = 0; i < out.a.count; i++) expect(near(out.a.means, i, out.b.means, tau)).toBe(true);
    for (let i = 0; i < out.b.count; i++) expect(near(out.b.means, i, out.a.means, tau)).toBe(true);
  });

  it('keepRows keeps parameters, Adam moments and densification statistics row-aligned', async () => {
    const env = await setup();
    const state = TrainState.create(env.gpu, env.start);
    const n = state.count;
    const rand = rng(4);
    const snapshotIn: Record<string, Float32Array> = {};
    for (const [f, w] of [['means', 3], ['logScales', 3], ['quats', 4], ['opacityLogits', 1], ['sh', 3]] as const) {
      const m = Float32Array.from({ length: n * w }, () => gaussian(rand));
      const v = Float32Array.from({ length: n * w }, () => rand());
      writeBuffer(env.gpu, state.moments[f].m, m);
      writeBuffer(env.gpu, state.moments[f].v, v);
    }
    writeBuffer(env.gpu, state.stats.gradAccum, Float32Array.from({ length: n }, () => rand()));
    writeBuffer(env.gpu, state.stats.visCount, Uint32Array.from({ length: n }, (_, i) => i % 7));
    Object.assign(snapshotIn, await state.snapshot());
    const keep = Uint32Array.from([0, 3, 4, 17, 40, 79]);
    const next = await keepRows(state, keep);
    expect(next.count).toBe(keep.length);
    const got = await next.snapshot();
    for (const [name, src] of Object.entries(snapshotIn)) {
      const w = src.length / n;
      const want = Array.from(keep).flatMap((r) => Array.from(src.subarray(r * w, (r + 1) * w)));
      expect(Array.from(got[name]), name).toEqual(want);
    }
    // Gradients start cleared.
    expect(Array.from(await readF32(env.gpu, next.grads.buffers.means, keep.length * 3)).every((v) => v === 0)).toBe(true);
    await expect(keepRows(next, Uint32Array.from([2, 1]))).rejects.toThrow(/ascending/);
    next.dispose();
  });
});
