/** The GPU warp (warp.ts) as a motion-fit backend: one upload, dispatch and readback per frame. */
import { computePass } from '../gpu/buffers.js';
import type { ControlPoints } from './control-points.js';
import type { WarpBackend } from './fit.js';
import type { WarpGpu } from './warp.js';

/** `warp` must already hold the Gaussians and their neighbour lists. */
export function gpuWarpBackend(warp: WarpGpu): WarpBackend {
  return {
    async forward(c: ControlPoints<Float64Array>) {
      warp.setControlPoints(c);
      computePass(warp.gpu, (pass) => warp.forward(pass));
      return warp.readOutputs();
    },
    async backward(vOutMeans: Float64Array, vOutQuats: Float64Array) {
      warp.setCotangents(Float32Array.from(vOutMeans), Float32Array.from(vOutQuats));
      warp.backward();
      const g = await warp.readGrads();
      return { vCtrlQuats: Float64Array.from(g.ctrl.vQuats), vCtrlTrans: Float64Array.from(g.ctrl.vTrans) };
    },
  };
}
