/**
 * Monocular depth through onnxruntime-web with a tiny ONNX model built here: loading,
 * spec selection (sha256 / generic), pre-processing, inference, post-processing, and
 * alignment of the prediction back to metric depth.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignMonoDepth, targetsFromDepthMap } from '../../engine/depth/align.js';
import { GENERIC_DEPTH_MODEL, loadDepthModel, predictMonoDepth, resizeImage, type DepthModelSpec } from '../../engine/depth/mono.js';
import { makeDepthView } from '../../engine/depth/views.js';
import { releaseAllSessions } from '../../engine/models/ort-session.js';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { expectAllClose, rng } from '../util/close.js';
import { tinyConvDepthModel } from './tiny-onnx.js';

const dir = mkdtempSync(join(tmpdir(), 'sparrow-depth-'));
afterAll(() => releaseAllSessions());

function writeModel(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('monocular depth model (ONNX)', () => {
  it('loads, pre-processes, runs and resizes exactly like a hand computation', async () => {
    const weights: [number, number, number] = [0.5, -0.25, 0.125];
    const path = writeModel('a.onnx', tinyConvDepthModel({ height: 8, width: 10, weights, bias: 0.75 }));
    const model = await loadDepthModel(path);
    expect(model.specSource).toBe('generic'); // its sha256 is in no manifest
    expect(model.inputSize).toEqual([8, 10]); // read from the model's static input shape
    const W = 20, H = 16;
    const rand = rng(5);
    const rgb = Float32Array.from({ length: W * H * 3 }, rand);
    const cam = lookAtCamera([0, 0, -3], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 20, fy: 20 });
    const view = makeDepthView('v', cam, rgb, 64);
    const got = await predictMonoDepth(model, view);
    // Hand computation: 2x2 box average (exact 2x shrink), ImageNet normalization, 1x1 conv,
    // then bilinear upsampling back to 20x16.
    const { mean, std } = GENERIC_DEPTH_MODEL.input;
    const small = new Float32Array(8 * 10);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 10; x++) {
      let acc = 0.75;
      for (let c = 0; c < 3; c++) {
        let avg = 0;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) avg += rgb[((2 * y + dy) * W + 2 * x + dx) * 3 + c] / 4;
        acc += weights[c] * ((avg - mean[c]) / std[c]);
      }
      small[y * 10 + x] = acc;
    }
    const want = resizeImage(small, 10, 8, 1, W, H);
    // float32 inference vs float32 host arithmetic over a 3-term dot product: ~1e-6.
    expectAllClose('prediction', got, want, 1e-5, 1e-5);
  });

  it('picks the manifest entry whose sha256 matches the file and follows it', async () => {
    const bytes = tinyConvDepthModel({ height: 4, width: 4, weights: [1, 0, 0], bias: 0, inputName: 'pixels', outputName: 'out' });
    const path = writeModel('b.onnx', bytes);
    const spec: DepthModelSpec = {
      id: 'test-metric',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      licence: 'MIT',
      download: 'https://example.invalid/b.onnx',
      input: { name: 'pixels', size: [4, 4], layout: 'NCHW', range: 255, mean: [0, 0, 0], std: [1, 1, 1] },
      output: { name: 'out', kind: 'metric-depth' },
    };
    const model = await loadDepthModel(path, { manifest: [GENERIC_DEPTH_MODEL, spec] });
    expect(model.specSource).toBe('sha256');
    expect(model.spec.output.kind).toBe('metric-depth');
    const cam = lookAtCamera([0, 0, -3], [0, 0, 0], [0, -1, 0], { width: 4, height: 4, fx: 4, fy: 4 });
    const rgb = new Float32Array(48).fill(0.5);
    const got = await predictMonoDepth(model, makeDepthView('v', cam, rgb));
    // range 255, no normalization, weight 1 on red: 127.5 everywhere.
    expectAllClose('prediction', got, new Float32Array(16).fill(127.5), 1e-4, 0);
  });

  it('prediction -> alignment recovers metric depth of a scene', async () => {
    // The "model" outputs 2 * red - 0.1 (after ImageNet normalization of red it is affine
    // in red); the image's red channel encodes inverse depth, so the model predicts
    // relative inverse depth and the fit must recover metric depth.
    const std = GENERIC_DEPTH_MODEL.input.std[0];
    const path = writeModel('c.onnx', tinyConvDepthModel({ height: 12, width: 16, weights: [2 * std, 0, 0], bias: 0.3, inputName: 'x', outputName: 'y' }));
    const model = await loadDepthModel(path);
    const W = 16, H = 12;
    const gt = new Float32Array(W * H);
    const rgb = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const d = 2 + 0.1 * x + 0.05 * y;
      gt[y * W + x] = d;
      rgb[(y * W + x) * 3] = 1 / d;
    }
    const cam = lookAtCamera([0, 0, -3], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 16, fy: 16 });
    const pred = await predictMonoDepth(model, makeDepthView('v', cam, rgb));
    // MVS-like targets: ground truth at 60% of pixels, the rest corrupted (confidence kept).
    const rand = rng(8);
    const conf = new Float32Array(W * H).fill(1);
    const noisy = gt.map((d) => (rand() < 0.3 ? d * (1.5 + rand()) : d));
    const targets = targetsFromDepthMap({ width: W, height: H, depth: noisy, confidence: conf, filled: new Uint8Array(W * H) });
    const { depth, report } = alignMonoDepth(pred, model.spec.output.kind, targets);
    expect(report.space).toBe('inverse-depth');
    expectAllClose('aligned depth', depth, gt, 0, 1e-4);
  });

  it('reports a broken model file by name', async () => {
    const path = writeModel('broken.onnx', new Uint8Array([1, 2, 3, 4, 5]));
    await expect(loadDepthModel(path)).rejects.toThrow(/broken\.onnx: cannot load the ONNX depth model/);
    await expect(loadDepthModel(join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx: cannot read the depth model/);
  });
});
