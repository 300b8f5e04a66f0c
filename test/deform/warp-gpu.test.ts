import { describe, expect, it } from 'vitest';
import { computePass } from '../../engine/gpu/buffers.js';
import { checkedKernel } from '../../engine/gpu/kernel.js';
import { knn } from '../../engine/deform/control-points.js';
import { WarpGpu, packControlPoints } from '../../engine/deform/warp.js';
import { warpBackwardRef, warpForwardRef } from '../../engine/deform/warp-ref.js';
import { expectAllClose, gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';
import { randomWarpProblem } from './fixtures.js';

describe('warp kernels (GPU vs float64 reference)', () => {
  it('compile', async () => {
    const gpu = await testGpu();
    for (const shader of ['deform/knn', 'deform/warp_forward', 'deform/warp_backward']) {
      await checkedKernel(gpu, { shader, defines: { K_NEIGHBOURS: 3 } });
    }
  });

  it('rejects control points that would poison the warp with NaN', () => {
    const p = randomWarpProblem(1, 4, 3, 3);
    p.ctrl.quats.fill(0, 4, 8);
    expect(() => packControlPoints(p.ctrl)).toThrow(/control point 1: rotation quaternion/);
    const q = randomWarpProblem(1, 4, 3, 3);
    q.ctrl.logRadius[2] = Number.NaN;
    expect(() => packControlPoints(q.ctrl)).toThrow(/control point 2: position, radius/);
  });

  it('kNN over more control points than one workgroup tile (600 > 512)', async () => {
    const gpu = await testGpu();
    const N = 300;
    const M = 600;
    const K = 4;
    const p = randomWarpProblem(31, N, M, K);
    const w = new WarpGpu(gpu, N, M, K);
    w.setGaussians(Float32Array.from(p.means), Float32Array.from(p.quats));
    w.setControlPoints(p.ctrl);
    computePass(gpu, (pass) => w.neighbours(pass));
    const nbrRef = knn(Float32Array.from(p.means), Float32Array.from(p.ctrl.positions), K);
    const nbrGpu = await w.readNeighbours();
    let mismatches = 0;
    for (let i = 0; i < nbrRef.length; i++) if (nbrRef[i] !== nbrGpu[i]) mismatches++;
    expect(mismatches).toBeLessThanOrEqual(2); // float32 near-ties only
    // Some Gaussians must have neighbours in the second tile, or this test checks nothing.
    expect(nbrRef.some((j) => j >= 512)).toBe(true);
    w.dispose();
  });

  for (const K of [3, 4]) {
    it(`kNN, forward and backward agree with the reference (K = ${K})`, async () => {
      const gpu = await testGpu();
      const N = 400;
      const M = 24;
      const p = randomWarpProblem(20 + K, N, M, K);
      const w = new WarpGpu(gpu, N, M, K);
      w.setGaussians(Float32Array.from(p.means), Float32Array.from(p.quats));
      w.setControlPoints(p.ctrl);
      computePass(gpu, (pass) => w.neighbours(pass));
      // kNN on the float32 copies (what the GPU sees) so near-ties resolve identically.
      const nbrRef = knn(Float32Array.from(p.means), Float32Array.from(p.ctrl.positions), K);
      const nbrGpu = await w.readNeighbours();
      let mismatches = 0;
      for (let i = 0; i < nbrRef.length; i++) if (nbrRef[i] !== nbrGpu[i]) mismatches++;
      // Random float inputs: a distance tie within float32 round-off is possible but rare.
      expect(mismatches).toBeLessThanOrEqual(2);
      w.setNeighbours(nbrRef);
      // The reference must see exactly the float32 values the GPU sees.
      const inp = { ...p, nbr: nbrRef, means: Float32Array.from(p.means), quats: Float32Array.from(p.quats) };
      for (const key of ['positions', 'logRadius', 'quats', 'trans'] as const) inp.ctrl[key].set(Float32Array.from(p.ctrl[key]));

      computePass(gpu, (pass) => w.forward(pass));
      const out = await w.readOutputs();
      const ref = warpForwardRef(inp);
      // float32 arithmetic on O(1) values through K rotations and a softmax: ~1e-6 round-off.
      expectAllClose('outMeans', out.means, ref.means, 2e-5, 2e-5);
      expectAllClose('outQuats', out.quats, ref.quats, 2e-5, 2e-5);

      const rand = rng(99);
      const vOutMeans = new Float32Array(N * 3).map(() => gaussian(rand));
      const vOutQuats = new Float32Array(N * 4).map(() => gaussian(rand));
      w.setCotangents(vOutMeans, vOutQuats);
      w.backward();
      const g = await w.readGrads();
      const gr = warpBackwardRef(inp, vOutMeans, vOutQuats);
      expectAllClose('vMeans', g.vMeans, gr.vMeans, 1e-4, 1e-4);
      expectAllClose('vQuats', g.vQuats, gr.vQuats, 1e-4, 1e-4);
      // Control-point gradients sum ~N·K/M ≈ 50-70 float32 terms of O(1-10) in atomic
      // (nondeterministic) order: round-off ~1e-5 relative to the sum of magnitudes.
      expectAllClose('vCtrlPositions', g.ctrl.vPositions, gr.vCtrlPositions, 1e-3, 1e-4);
      expectAllClose('vCtrlLogRadius', g.ctrl.vLogRadius, gr.vCtrlLogRadius, 1e-3, 1e-4);
      expectAllClose('vCtrlQuats', g.ctrl.vQuats, gr.vCtrlQuats, 1e-3, 1e-4);
      expectAllClose('vCtrlTrans', g.ctrl.vTrans, gr.vCtrlTrans, 1e-3, 1e-4);
      w.dispose();
    });
  }
});
