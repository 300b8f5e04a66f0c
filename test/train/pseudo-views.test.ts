import { describe, expect, it } from 'vitest';
import { createStorage, readF32, submit, uploadStorage } from '../../engine/gpu/buffers.js';
import { cameraCenter, lookAtCamera } from '../../engine/splat/camera.js';
import { interpolateCamera, quatToRotation, rotationToQuat, samplePseudoView } from '../../engine/train/regularizers/pseudo-views.js';
import { DepthWarper, warpDepthRef } from '../../engine/train/regularizers/warp-depth.js';
import { expectAllClose, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const intr = { width: 48, height: 36, fx: 40, fy: 40 };
const camA = lookAtCamera([0, 0, -5], [0, 0, 0], [0, -1, 0], intr);
const camB = lookAtCamera([2, 0.3, -4.5], [0, 0, 0], [0, -1, 0], intr);

describe('pseudo views', () => {
  it('interpolates cameras: endpoints, midpoint centre, orthonormal rotation', () => {
    for (const c of [camA, camB]) expect(quatToRotation(rotationToQuat(c.R)).map((v, i) => Math.abs(v - c.R[i])).every((d) => d < 1e-12)).toBe(true);
    const a = interpolateCamera(camA, camB, 0);
    expect(a.t.map((v, i) => Math.abs(v - camA.t[i])).every((d) => d < 1e-9)).toBe(true);
    const m = interpolateCamera(camA, camB, 0.5);
    const cm = cameraCenter(m);
    const [ca, cb] = [cameraCenter(camA), cameraCenter(camB)];
    for (let i = 0; i < 3; i++) expect(cm[i]).toBeCloseTo((ca[i] + cb[i]) / 2, 9);
    const R = m.R;
    const RRt = [0, 1, 2].map((r) => [0, 1, 2].map((c) => R[r * 3] * R[c * 3] + R[r * 3 + 1] * R[c * 3 + 1] + R[r * 3 + 2] * R[c * 3 + 2]));
    RRt.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(r === c ? 1 : 0, 9)));
    const s = samplePseudoView([camA, camB], rng(1));
    expect([0, 1]).toContain(s.source);
  });

  it('warps a depth map: reference keeps a plane a plane, GPU matches the reference', async () => {
    // A fronto-parallel plane z = 5 seen by A; warped into B it must satisfy B's plane equation.
    const src = new Float64Array(intr.width * intr.height).fill(5);
    const rand = rng(2);
    for (let i = 0; i < src.length; i++) if (rand() < 0.1) src[i] = 0;
    const ref = warpDepthRef(src, camA, camB);
    const filled = ref.filter((v) => v > 0).length;
    expect(filled).toBeGreaterThan(0.3 * ref.length);
    // Unproject each warped pixel in B and move it back to A: it must lie on z_A = 5, up to
    // the half-pixel snap of the forward splat (~z/f = 0.12 world units, times the slope).
    const T = [0, 1, 2].map((r) => [0, 1, 2].map((c) => camA.R[r * 3] * camB.R[c * 3] + camA.R[r * 3 + 1] * camB.R[c * 3 + 1] + camA.R[r * 3 + 2] * camB.R[c * 3 + 2]));
    for (let y = 0; y < intr.height; y++)
      for (let x = 0; x < intr.width; x++) {
        const z = ref[y * intr.width + x];
        if (!(z > 0)) continue;
        const pB = [((x + 0.5 - camB.cx) / camB.fx) * z - camB.t[0], ((y + 0.5 - camB.cy) / camB.fy) * z - camB.t[1], z - camB.t[2]];
        const zA = T[2][0] * pB[0] + T[2][1] * pB[1] + T[2][2] * pB[2] + camA.t[2];
        expect(Math.abs(zA - 5)).toBeLessThan(0.25);
      }
    const gpu = await testGpu();
    const out = createStorage(gpu, ref.length * 4);
    const warper = new DepthWarper(gpu);
    submit(gpu, (enc) => warper.encode(enc, uploadStorage(gpu, Float32Array.from(src)), camA, camB, out));
    const got = await readF32(gpu, out, ref.length);
    // Pixels whose splat lands within f32 rounding of a pixel border can pick a different
    // neighbour; count mismatches and compare the depths where both agree on coverage.
    let mismatched = 0;
    for (let i = 0; i < ref.length; i++) if ((got[i] > 0) !== (ref[i] > 0)) mismatched++;
    expect(mismatched).toBeLessThan(0.01 * ref.length);
    const both = [...ref.keys()].filter((i) => got[i] > 0 && ref[i] > 0);
    expectAllClose('warped depth', both.map((i) => got[i]), both.map((i) => ref[i]), 1e-3, 1e-3);
    warper.dispose();
  });
});
