import { describe, expect, it } from 'vitest';
import { readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { shapeRegRef, type ShapeRegParams } from '../../engine/train/regularizers/reference/shape-ref.js';
import { ShapeRegularizer } from '../../engine/train/regularizers/shape.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const prm: ShapeRegParams = { wRatio: 0.5, maxRatio: 5, wHuge: 2, maxScale: 0.8, wOpacity: 0.3 };

function inputs(N: number, seed: number) {
  const rand = rng(seed);
  const logScales = Float64Array.from({ length: N * 3 }, () => -1 + 1.2 * gaussian(rand));
  const opacityLogits = Float64Array.from({ length: N }, () => 2.5 * gaussian(rand));
  return { logScales, opacityLogits };
}

describe('shape regularizer reference', () => {
  it('matches central finite differences', () => {
    const { logScales, opacityLogits } = inputs(60, 4);
    const ref = shapeRegRef(logScales, opacityLogits, prm);
    const h = 1e-6;
    for (let j = 0; j < logScales.length; j++) {
      const p = Float64Array.from(logScales); p[j] += h;
      const m = Float64Array.from(logScales); m[j] -= h;
      const fd = (shapeRegRef(p, opacityLogits, prm).loss - shapeRegRef(m, opacityLogits, prm).loss) / (2 * h);
      // Kinks (hinge at maxRatio/maxScale, argmax switches) are measure-zero for random inputs;
      // away from them central differences are accurate to ~1e-8 here.
      expect(Math.abs(fd - ref.vLogScales[j])).toBeLessThan(1e-6 + 1e-6 * Math.abs(fd));
    }
    for (let j = 0; j < opacityLogits.length; j++) {
      const p = Float64Array.from(opacityLogits); p[j] += h;
      const m = Float64Array.from(opacityLogits); m[j] -= h;
      const fd = (shapeRegRef(logScales, p, prm).loss - shapeRegRef(logScales, m, prm).loss) / (2 * h);
      expect(Math.abs(fd - ref.vOpacityLogits[j])).toBeLessThan(1e-8);
    }
    expect(ref.loss).toBeGreaterThan(0);
  });
});

describe('shape regularizer on the GPU', () => {
  it('matches the reference and adds into existing gradients', async () => {
    const gpu = await testGpu();
    const N = 1000;
    const { logScales, opacityLogits } = inputs(N, 9);
    const ls32 = Float32Array.from(logScales);
    const op32 = Float32Array.from(opacityLogits);
    const ref = shapeRegRef(ls32, op32, prm);
    const reg = new ShapeRegularizer(gpu);
    const vLs = uploadStorage(gpu, new Float32Array(N * 3).fill(1));
    const vOp = uploadStorage(gpu, new Float32Array(N).fill(-1));
    submit(gpu, (enc) =>
      reg.encode(enc, N, { logScales: uploadStorage(gpu, ls32), opacityLogits: uploadStorage(gpu, op32), vLogScales: vLs, vOpacityLogits: vOp }, prm),
    );
    // exp/log in f32: ~1e-6 relative; gradients are O(1/N) with ratios up to ~e^7.
    expectAllClose('vLogScales', await readF32(gpu, vLs, N * 3), Float64Array.from(ref.vLogScales, (v) => v + 1), 1e-6, 1e-4);
    expectAllClose('vOpacityLogits', await readF32(gpu, vOp, N), Float64Array.from(ref.vOpacityLogits, (v) => v - 1), 1e-7, 1e-4);
    expect(Math.abs((await reg.readLoss()) - ref.loss)).toBeLessThan(1e-4 * Math.max(1, ref.loss));
    reg.dispose();
  });
});
