/**
 * Trainer on the GPU: densification on the GPU keeps every Adam moment row with its
 * Gaussian (same plan as the host version), checkpoint resume continues exactly, and an
 * abort writes a checkpoint and throws CancelledError.
 */
import { join } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../engine/io/dataset/load.js';
import type { Dataset } from '../../engine/io/dataset/types.js';
import { CancelledError } from '../../engine/pipeline/events.js';
import { readCheckpoint } from '../../engine/train/checkpoint.js';
import { applyPlanHost, planDensify } from '../../engine/train/densify.js';
import { TrainState } from '../../engine/train/gpu-state.js';
import { PARAM_NAMES, zeroMoments } from '../../engine/train/params.js';
import { Rng } from '../../engine/math/random.js';
import { Trainer, type TrainerMeta } from '../../engine/train/trainer.js';
import { createScene, logit } from '../../engine/splat/scene.js';
import { testGpu } from '../util/gpu.js';
import { knownScene, ringCams, writeSyntheticCapture } from './synthetic.js';
import { gaussian, rng } from '../util/close.js';

const DENSIFY = { gradThreshold: 2e-4, percentDense: 0.01, extent: 4, pruneOpacity: 0.005, pruneWorldSize: 0, maxGaussians: 0, grow: true };

describe('TrainState.refine on the GPU', () => {
  it('matches the host plan: parameters gathered, survivors keep moments, new rows zero', async () => {
    const gpu = await testGpu();
    const N = 64;
    const rand = rng(3);
    const s = createScene(N, 1);
    for (const name of PARAM_NAMES) for (let i = 0; i < s[name].length; i++) s[name][i] = gaussian(rand);
    for (let i = 0; i < N; i++) {
      for (let a = 0; a < 3; a++) s.logScales[i * 3 + a] = i % 3 === 0 ? -1 : -5;
      s.opacityLogits[i] = i % 5 === 0 ? logit(0.001) : logit(0.5);
    }
    const mom = zeroMoments(N, 1);
    for (const name of PARAM_NAMES) for (let i = 0; i < mom.m[name].length; i++) { mom.m[name][i] = gaussian(rand); mom.v[name][i] = 1 + rand(); }
    const stats = { gradAccum: Float32Array.from({ length: N }, (_, i) => (i % 2 ? 5e-3 : 1e-5)), visCount: Float32Array.from({ length: N }, () => 2) };
    const arrays: Record<string, Float32Array> = { 's.gradAccum': stats.gradAccum, 's.visCount': stats.visCount };
    for (const name of PARAM_NAMES) { arrays[`p.${name}`] = s[name]; arrays[`m.${name}`] = mom.m[name]; arrays[`v.${name}`] = mom.v[name]; }
    const state = TrainState.restore(gpu, N, 1, arrays, 'test');
    const { state: next, report } = await state.refine(DENSIFY, new Rng(9).next);
    const ref = applyPlanHost(s, mom, planDensify(s, stats, DENSIFY, new Rng(9).next));
    expect(report.cloned).toBeGreaterThan(0);
    expect(report.split).toBeGreaterThan(0);
    expect(report.pruned).toBeGreaterThan(0);
    expect(next.count).toBe(ref.scene.count);
    const snap = await next.snapshot();
    for (const name of PARAM_NAMES) {
      // Gathers copy bits: exact equality.
      expect(Array.from(snap[`p.${name}`])).toEqual(Array.from(ref.scene[name]));
      expect(Array.from(snap[`m.${name}`])).toEqual(Array.from(ref.moments.m[name]));
      expect(Array.from(snap[`v.${name}`])).toEqual(Array.from(ref.moments.v[name]));
    }
    // Statistics restart from zero after a refinement.
    expect(snap['s.gradAccum'].every((x) => x === 0)).toBe(true);
    next.dispose();
  });
});

describe('Trainer checkpoints', () => {
  let dataset: Dataset;
  // Refinement at step 4 and an opacity reset at step 5, both after the resume point (3),
  // so the saved statistics, RNG and view order all matter.
  const cfg = { iterations: 6, shDegree: 1, shDegreeInterval: 2, densifyFrom: 2, densifyInterval: 4, densifyUntil: 10, opacityResetInterval: 5, densifyGradThreshold: 1e-6, randomInitCount: 150, seed: 4 };
  beforeAll(async () => {
    const gpu = await testGpu();
    const dir = await writeSyntheticCapture(gpu, knownScene(60, 2), ringCams(6, 32), [0, 0, 0]);
    dataset = await loadDataset(dir);
  });

  it('k steps + checkpoint + resume + (N - k) steps == N steps straight', async () => {
    const gpu = await testGpu();
    const straight = await Trainer.create(gpu, dataset, cfg);
    await straight.train();
    const a = await straight.checkpoint();
    straight.dispose();

    const dir = mkdtempSync(join(tmpdir(), 'sparrow-resume-'));
    const file = join(dir, 'train.ckpt');
    const first = await Trainer.create(gpu, dataset, cfg);
    for (let k = 0; k < 3; k++) await first.step();
    await first.saveCheckpoint(file);
    first.dispose();
    const resumed = Trainer.resume(gpu, dataset, readCheckpoint<TrainerMeta>(file), file);
    expect(resumed.stepCount).toBe(3);
    await resumed.train();
    const b = await resumed.checkpoint();
    resumed.dispose();

    expect(b.meta.step).toBe(6);
    expect(b.meta.count).toBe(a.meta.count);
    expect(b.meta.rngState).toBe(a.meta.rngState);
    for (const name of Object.keys(a.arrays)) {
      // The backward sums per-splat gradients with float atomics whose order can vary
      // between runs on a multi-threaded adapter, so equality is to float32 rounding of
      // those sums propagated through a few Adam steps, not bitwise.
      const x = a.arrays[name], y = b.arrays[name];
      expect(y.length).toBe(x.length);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1e-3 + Math.abs(x[i])));
      expect(worst, name).toBeLessThan(1e-3);
    }
  });

  it('abort writes a checkpoint and throws CancelledError', async () => {
    const gpu = await testGpu();
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-abort-'));
    const file = join(dir, 'train.ckpt');
    const t = await Trainer.create(gpu, dataset, cfg);
    const ac = new AbortController();
    const run = t.train({ signal: ac.signal, checkpointPath: file, onEvent: (e) => { if (e.type === 'step' && e.step === 2) ac.abort(); } });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(file)).toBe(true);
    expect(readCheckpoint<TrainerMeta>(file).meta.step).toBe(2);
    t.dispose();
  });
});
