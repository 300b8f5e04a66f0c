/**
 * Profiling mode of the trainer (bench/reconstruct-e2e.ts): it must only observe. A profiled
 * run (GPU waited for between phases, the loss terms in their own submit, the forward's stages
 * submitted one by one) ends with the same parameters, bit for bit, as a plain run, and every
 * step gets the phases the benchmark reports.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../engine/io/dataset/load.js';
import type { Dataset } from '../../engine/io/dataset/types.js';
import { StepProfiler } from '../../engine/train/step-profile.js';
import { Trainer } from '../../engine/train/trainer.js';
import { testGpu } from '../util/gpu.js';
import { knownScene, ringCams, writeSyntheticCapture } from './synthetic.js';

describe('Trainer profiling mode', () => {
  let dataset: Dataset;
  // Densify at step 4 so the refinement path runs inside a profiled step too.
  const cfg = { iterations: 5, shDegree: 0, densifyFrom: 2, densifyInterval: 2, densifyUntil: 4, densifyGradThreshold: 1e-6, randomInitCount: 120, seed: 7 };
  beforeAll(async () => {
    const gpu = await testGpu();
    dataset = await loadDataset(await writeSyntheticCapture(gpu, knownScene(50, 3), ringCams(4, 32), [0, 0, 0]));
  });

  it('changes no result and times every phase of every step', async () => {
    const gpu = await testGpu();
    const plain = await Trainer.create(gpu, dataset, cfg);
    await plain.train();
    const a = await plain.scene();
    plain.dispose();

    const profiler = new StepProfiler(gpu);
    const profiled = await Trainer.create(gpu, dataset, cfg, { profiler });
    await profiled.train({ psnrEvery: 2 });
    const b = await profiled.scene();
    profiled.dispose();

    // CPU adapters sum the backward without atomics: runs repeat bit for bit (trainer.ts).
    expect(b.count).toBe(a.count);
    for (const k of ['means', 'logScales', 'quats', 'opacityLogits', 'sh'] as const) {
      expect(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength).equals(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength)), k).toBe(true);
    }
    expect(profiler.steps.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    for (const r of profiler.steps) {
      for (const phase of ['forward', 'loss', 'backward', 'optimizer', 'readback: loss', 'densify']) {
        expect(r.phases[phase], `step ${r.step} ${phase}`).toBeGreaterThanOrEqual(0);
        expect(r.cpu[phase], `step ${r.step} ${phase} cpu`).toBeGreaterThanOrEqual(0);
      }
      expect(r.phases.forward).toBeGreaterThan(0);
      expect(r.detail.intersections).toBeGreaterThan(0);
      expect(r.detail.rasterizeMs).toBeGreaterThan(0);
    }
    // Training PSNR is read back on the steps asked for (every 2nd and the last).
    expect(profiler.steps.filter((r) => r.phases['readback: psnr'] !== undefined).map((r) => r.step)).toEqual([2, 4, 5]);
  });
});
