/**
 * GPU plane sweep: host wrappers of shaders/depth/{sweep_cost, cost_filter, geom_cost, wta_refine, consistency}.
 * The cost volume stays on the GPU between the sweep and winner-take-all; everything
 * else crosses to the host as float32 arrays (per view, a few hundred KiB).
 */
import type { Gpu } from '../gpu/acquire.js';
import { computePass, createStorage, readF32, uploadStorage } from '../gpu/buffers.js';
import { checkedKernel } from '../gpu/kernel.js';
import type { ConsistencyInputs, GeomCostInputs, SweepInputs } from './sweep-ref.js';

/** Most source views one sweep can aggregate (MAX_SRC in sweep_cost.wgsl). */
export const MAX_SWEEP_SOURCES = 8;
const WG = 64;

/** Matching cost volume [D, H, W] on the GPU; the caller destroys it. */
export async function sweepCostGpu(gpu: Gpu, inp: SweepInputs): Promise<GPUBuffer> {
  const { width: w, height: h } = inp;
  const S = inp.warp.length / 12;
  const D = inp.invDepth.length;
  if (S < 1 || S > MAX_SWEEP_SOURCES) throw new Error(`plane sweep takes 1..${MAX_SWEEP_SOURCES} source views, got ${S}`);
  const k = await checkedKernel(gpu, { shader: 'depth/sweep_cost' });
  const buffers = [
    uploadStorage(gpu, Float32Array.from(inp.ref), 'sweep/ref'),
    uploadStorage(gpu, Float32Array.from(inp.src), 'sweep/src'),
    uploadStorage(gpu, Float32Array.from(inp.warp), 'sweep/warp'),
    uploadStorage(gpu, Float32Array.from(inp.invDepth), 'sweep/invDepth'),
    uploadStorage(gpu, new Uint32Array([w, h, S, D, inp.radius, inp.bestK]), 'sweep/dims'),
    uploadStorage(gpu, new Float32Array([inp.minVar]), 'sweep/params'),
  ];
  const cost = createStorage(gpu, D * w * h * 4, 'sweep/cost');
  computePass(gpu, (pass) => k.dispatch1d(pass, [k.bind([...buffers, cost])], D * w * h, WG));
  await gpu.device.queue.onSubmittedWorkDone();
  buffers.forEach((b) => b.destroy());
  return cost;
}

/**
 * Box-filter the cost volume [D, H, W] in place over a (2R+1)^2 window (two separable
 * passes through a scratch buffer). R = 0 does nothing.
 */
export async function filterCostGpu(gpu: Gpu, cost: GPUBuffer, width: number, height: number, planes: number, radius: number): Promise<void> {
  if (radius <= 0) return;
  const k = await checkedKernel(gpu, { shader: 'depth/cost_filter' });
  const n = width * height * planes;
  const scratch = createStorage(gpu, n * 4, 'cost_filter/scratch');
  const dimsX = uploadStorage(gpu, new Uint32Array([width, height, planes, radius, 0]), 'cost_filter/dimsX');
  const dimsY = uploadStorage(gpu, new Uint32Array([width, height, planes, radius, 1]), 'cost_filter/dimsY');
  computePass(gpu, (pass) => {
    k.dispatch1d(pass, [k.bind([cost, dimsX, scratch])], n, WG);
    k.dispatch1d(pass, [k.bind([scratch, dimsY, cost])], n, WG);
  });
  await gpu.device.queue.onSubmittedWorkDone();
  [scratch, dimsX, dimsY].forEach((b) => b.destroy());
}

export interface WtaGpuResult {
  depth: Float32Array;
  confidence: Float32Array;
  bestCost: Float32Array;
}

/** Winner-take-all + sub-plane refinement of a cost volume [D, H, W] already on the GPU. */
export async function wtaRefineGpu(gpu: Gpu, cost: GPUBuffer, invDepth: ArrayLike<number>, width: number, height: number): Promise<WtaGpuResult> {
  const k = await checkedKernel(gpu, { shader: 'depth/wta_refine' });
  const hw = width * height;
  const inputs = [
    uploadStorage(gpu, Float32Array.from(invDepth), 'wta/invDepth'),
    uploadStorage(gpu, new Uint32Array([width, height, invDepth.length]), 'wta/dims'),
  ];
  const outs = [0, 1, 2].map((i) => createStorage(gpu, hw * 4, `wta/out${i}`));
  computePass(gpu, (pass) => k.dispatch1d(pass, [k.bind([cost, ...inputs, ...outs])], hw, WG));
  const [depth, confidence, bestCost] = await Promise.all(outs.map((b) => readF32(gpu, b, hw)));
  [...inputs, ...outs].forEach((b) => b.destroy());
  return { depth, confidence, bestCost };
}

/** Host-array convenience: cost volume read back as [D, H, W]. */
export async function sweepCostToHost(gpu: Gpu, inp: SweepInputs): Promise<Float32Array> {
  const cost = await sweepCostGpu(gpu, inp);
  const out = await readF32(gpu, cost, inp.invDepth.length * inp.width * inp.height);
  cost.destroy();
  return out;
}

/** Geometric consistency counts and round-trip errors, [H, W] each. */
export async function consistencyGpu(gpu: Gpu, inp: ConsistencyInputs): Promise<{ count: Float32Array; minError: Float32Array }> {
  const { width: w, height: h } = inp;
  const S = inp.cams.length / 32;
  const k = await checkedKernel(gpu, { shader: 'depth/consistency' });
  const inputs = [
    uploadStorage(gpu, Float32Array.from(inp.refDepth), 'consistency/ref'),
    uploadStorage(gpu, Float32Array.from(inp.srcDepth), 'consistency/src'),
    uploadStorage(gpu, Float32Array.from(inp.cams), 'consistency/cams'),
    uploadStorage(gpu, new Uint32Array([w, h, S]), 'consistency/dims'),
    uploadStorage(gpu, new Float32Array([inp.maxReprojPx, inp.maxRelDepth]), 'consistency/params'),
  ];
  const outs = [0, 1].map((i) => createStorage(gpu, w * h * 4, `consistency/out${i}`));
  computePass(gpu, (pass) => k.dispatch1d(pass, [k.bind([...inputs, ...outs])], w * h, WG));
  const [count, minError] = await Promise.all(outs.map((b) => readF32(gpu, b, w * h)));
  [...inputs, ...outs].forEach((b) => b.destroy());
  return { count, minError };
}

/** Add the geometric-consistency term to a cost volume [D, H, W] on the GPU, in place. */
export async function geomCostGpu(gpu: Gpu, cost: GPUBuffer, inp: GeomCostInputs): Promise<void> {
  const { width: w, height: h } = inp;
  const S = inp.cams.length / 32;
  const D = inp.invDepth.length;
  const k = await checkedKernel(gpu, { shader: 'depth/geom_cost' });
  const inputs = [
    uploadStorage(gpu, Float32Array.from(inp.srcDepth), 'geom_cost/src'),
    uploadStorage(gpu, Float32Array.from(inp.cams), 'geom_cost/cams'),
    uploadStorage(gpu, Float32Array.from(inp.invDepth), 'geom_cost/invDepth'),
    uploadStorage(gpu, new Uint32Array([w, h, S, D]), 'geom_cost/dims'),
    uploadStorage(gpu, new Float32Array([inp.weight, inp.maxPx]), 'geom_cost/params'),
  ];
  computePass(gpu, (pass) => k.dispatch1d(pass, [k.bind([cost, ...inputs])], D * w * h, WG));
  await gpu.device.queue.onSubmittedWorkDone();
  inputs.forEach((b) => b.destroy());
}
