/**
 * End to end on a synthetic capture: 200 known Gaussians rendered by the project's rasterizer
 * at 48x48 from 16 ring cameras (8 train, 8 held out), loaded through transforms.json,
 * initialized from "sparse points" = the true centres jittered by 0.03 (as SfM would give,
 * with their colours), trained for 80 steps on the CPU adapter.
 *
 * Stated target: held-out PSNR >= 23 dB after 80 steps, at least 4 dB above the initial
 * scene (measured here: 18.6 dB -> 24.8 dB). The learning rates are raised over the 3DGS
 * defaults (which are tuned for 30k steps) so 80 steps are enough; the run is deterministic
 * up to float-atomic ordering, so the margin is for that.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../engine/io/dataset/load.js';
import { evaluate } from '../../engine/train/evaluate.js';
import { Trainer } from '../../engine/train/trainer.js';
import { shDcToRgb } from '../../engine/splat/scene.js';
import { gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { knownScene, ringCams, writeSyntheticCapture } from './synthetic.js';

describe('training on a synthetic scene', () => {
  it('reaches 23 dB held-out PSNR in 80 steps', async () => {
    const gpu = await testGpu();
    const known = knownScene(200, 1);
    const dir = await writeSyntheticCapture(gpu, known, ringCams(16, 48), [0, 0, 0]);
    const dataset = await loadDataset(dir);
    expect(dataset.split.test.length).toBe(8);
    const rand = rng(7);
    dataset.points = { count: 200, xyz: Float32Array.from(known.means, (v) => v + 0.03 * gaussian(rand)), rgb: Float32Array.from(known.sh, shDcToRgb) };
    const trainer = await Trainer.create(gpu, dataset, {
      iterations: 80,
      shDegree: 0,
      densifyFrom: 1000,
      opacityResetInterval: 0,
      sh0Lr: 0.02,
      opacityLr: 0.05,
      scalesLr: 0.02,
      quatsLr: 0.02,
      meansLr: 0.002,
      seed: 1,
    });
    const before = await evaluate(trainer, dataset.split.test);
    const losses: number[] = [];
    await trainer.train({ onEvent: (e) => { if (e.type === 'step' && e.stage === 'train') losses.push(e.metrics!.loss); } });
    const after = await evaluate(trainer, dataset.split.test);
    trainer.dispose();
    expect(losses.length).toBe(80);
    expect(after.views.length).toBe(8);
    expect(after.psnr).toBeGreaterThan(23);
    expect(after.psnr - before.psnr).toBeGreaterThan(4);
    expect(after.ssim).toBeGreaterThan(before.ssim);
    // The training loss fell: mean of the last 10 steps well below the first 10.
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.7 * mean(losses.slice(0, 10)));
  });
});
