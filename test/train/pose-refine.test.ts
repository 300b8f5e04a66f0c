import { describe, expect, it } from 'vitest';
import { createStorage } from '../../engine/gpu/buffers.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { GpuScene, GpuSceneGrads } from '../../engine/splat/gpu-scene.js';
import { Rasterizer } from '../../engine/splat/render.js';
import { createScene, logit, rgbToShDc } from '../../engine/splat/scene.js';
import { alignPoseToImage, mat3Mul, perturbPose, PoseRefiner, so3Exp } from '../../engine/train/pose-refine.js';
import { SsimL1Loss } from '../../engine/train/ssim.js';
import { rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

function rotationAngleDeg(A: number[], B: number[]): number {
  const Rt = mat3Mul(A, [B[0], B[3], B[6], B[1], B[4], B[7], B[2], B[5], B[8]]);
  return (Math.acos(Math.min(1, Math.max(-1, (Rt[0] + Rt[4] + Rt[8] - 1) / 2))) * 180) / Math.PI;
}

describe('pose parametrisation', () => {
  it('so3Exp is a rotation and matches the small-angle limit', () => {
    const R = so3Exp([0.3, -0.2, 0.5]);
    const RRt = mat3Mul(R, [R[0], R[3], R[6], R[1], R[4], R[7], R[2], R[5], R[8]]);
    RRt.forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 1][i], 12));
    expect(rotationAngleDeg(R, [1, 0, 0, 0, 1, 0, 0, 0, 1])).toBeCloseTo((Math.hypot(0.3, 0.2, 0.5) * 180) / Math.PI, 9);
    const tiny = so3Exp([1e-9, 0, 0]);
    expect(tiny[7]).toBeCloseTo(1e-9, 18);
  });

  it('the refiner moves a camera against its gradient and the prior pulls it back', () => {
    const cam = lookAtCamera([0, 0, -4], [0, 0, 0], [0, -1, 0], { width: 32, height: 32, fx: 30, fy: 30 });
    const before = [...cam.t];
    const refiner = new PoseRefiner([cam], { rotationLr: 0.01, translationLr: 0.01, priorWeight: 0, startStep: 0 }, 1);
    refiner.update(0, 1, [0, 0, 0, 1, 0, 0]); // dL/dtau_x > 0: tau_x must decrease
    expect(cam.t[0]).toBeLessThan(before[0]);
    expect(refiner.drift()[0].translation).toBeCloseTo(0.01, 6);
  });
});

describe('test-time pose alignment', () => {
  it('recovers a perturbed camera from its photo with the Gaussians frozen', async () => {
    const gpu = await testGpu();
    // A textured wall of splats 4 units in front of the camera, plus a few nearer blobs for parallax.
    const rand = rng(11);
    const n = 500;
    const s = createScene(n, 0);
    for (let i = 0; i < n; i++) {
      const near = i < 120;
      s.means.set([(rand() - 0.5) * (near ? 2 : 5), (rand() - 0.5) * (near ? 1.5 : 4), near ? 2 + rand() : 4 + 0.2 * rand()], i * 3);
      const ls = Math.log(near ? 0.08 : 0.12);
      s.logScales.set([ls, ls, ls], i * 3);
      s.opacityLogits[i] = logit(0.9);
      for (let c = 0; c < 3; c++) s.sh[i * 3 + c] = rgbToShDc(rand());
    }
    const intr = { width: 64, height: 48, fx: 50, fy: 50 };
    const truth = lookAtCamera([0, 0, -1], [0, 0, 4], [0, -1, 0], intr);
    const start: Camera = perturbPose(truth, [0.02, -0.025, 0.01], [0.08, -0.05, 0.04]);
    const scene = GpuScene.upload(gpu, s);
    const rasterizer = new Rasterizer(gpu);
    const photo = await rasterizer.forward(scene, truth, { background: [0, 0, 0] });
    const target = createStorage(gpu, intr.width * intr.height * 12);
    const enc = gpu.device.createCommandEncoder();
    enc.copyBufferToBuffer(photo.color, 0, target, 0, intr.width * intr.height * 12);
    gpu.device.queue.submit([enc.finish()]);
    const loss = new SsimL1Loss(gpu, intr.width, intr.height);
    const lossOut = createStorage(gpu, 16);
    const vColor = createStorage(gpu, intr.width * intr.height * 12);
    const aligned = await alignPoseToImage(
      gpu, rasterizer, scene, GpuSceneGrads.like(scene), start,
      (e, color, v) => loss.encodeForwardBackward(e, color, target, v, lossOut),
      vColor,
      { iterations: 50, rotationLr: 4e-3, translationLr: 8e-3, background: [0, 0, 0] },
    );
    const err0 = { r: rotationAngleDeg(start.R, truth.R), t: Math.hypot(...start.t.map((v, i) => v - truth.t[i])) };
    const err1 = { r: rotationAngleDeg(aligned.R, truth.R), t: Math.hypot(...aligned.t.map((v, i) => v - truth.t[i])) };
    // Started ~1.9 degrees and ~0.1 units off; photometric alignment must remove most of it.
    expect(err1.r).toBeLessThan(0.3 * err0.r);
    expect(err1.t).toBeLessThan(0.3 * err0.t);
    console.log(`pose alignment: ${JSON.stringify(err0)} -> ${JSON.stringify(err1)}`);
  });
});
