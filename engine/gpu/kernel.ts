/**
 * Compute kernels: a pipeline cache keyed by shader name + defines, bind groups
 * from a plain list of buffers, and 1-D dispatch that folds large counts into
 * a 2-D grid (compat mode allows 65535 workgroups per dimension).
 *
 * Kernels that use the 2-D fold read their linear index as
 *   gid.x + gid.y * (num_workgroups.x * WORKGROUP_SIZE)
 * (see shaders/common/dispatch.wgsl).
 */
import type { Gpu } from './acquire.js';

export type Defines = Record<string, string | number | boolean>;

export interface KernelSpec {
  /** Shader name under shaders/ without extension. */
  shader: string;
  entryPoint?: string;
  defines?: Defines;
}

export class Kernel {
  constructor(
    readonly gpu: Gpu,
    readonly pipeline: GPUComputePipeline,
    readonly label: string,
  ) {}

  /** Bind group 0 with `buffers[i]` at binding i (a GPUBufferBinding for sub-ranges). */
  bind(buffers: (GPUBuffer | GPUBufferBinding)[], group = 0): GPUBindGroup {
    return this.gpu.device.createBindGroup({
      label: `${this.label}/bg${group}`,
      layout: this.pipeline.getBindGroupLayout(group),
      entries: buffers.map((b, i) => ({ binding: i, resource: 'buffer' in b ? b : { buffer: b } })),
    });
  }

  /** Record a dispatch of `workgroups` (x, y, z) into `pass`. */
  dispatch(pass: GPUComputePassEncoder, bindGroups: GPUBindGroup[], x: number, y = 1, z = 1): void {
    pass.setPipeline(this.pipeline);
    bindGroups.forEach((bg, i) => pass.setBindGroup(i, bg));
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
  }

  /** Dispatch enough workgroups of `workgroupSize` to cover `count` threads, folding into 2-D past the per-dimension limit. */
  dispatch1d(pass: GPUComputePassEncoder, bindGroups: GPUBindGroup[], count: number, workgroupSize: number): void {
    const [x, y] = grid1d(count, workgroupSize, this.gpu.device.limits.maxComputeWorkgroupsPerDimension);
    this.dispatch(pass, bindGroups, x, y);
  }
}

/** Workgroup grid (x, y) covering `count` threads; x * y * size >= count. */
export function grid1d(count: number, workgroupSize: number, maxPerDim = 65535): [number, number] {
  const groups = Math.ceil(count / workgroupSize);
  if (groups <= maxPerDim) return [Math.max(groups, 0), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

const caches = new WeakMap<GPUDevice, Map<string, Kernel>>();

/** Compile (once per device, shader and defines) and return a compute kernel. */
export function kernel(gpu: Gpu, spec: KernelSpec): Kernel {
  let cache = caches.get(gpu.device);
  if (!cache) caches.set(gpu.device, (cache = new Map()));
  const defines = spec.defines ?? {};
  const key = `${spec.shader}|${spec.entryPoint ?? 'main'}|${JSON.stringify(Object.entries(defines).sort())}`;
  let k = cache.get(key);
  if (!k) {
    const code = gpu.shaders.build(spec.shader, defines);
    const module = gpu.device.createShaderModule({ label: spec.shader, code });
    const pipeline = gpu.device.createComputePipeline({
      label: spec.shader,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main' },
    });
    k = new Kernel(gpu, pipeline, spec.shader);
    cache.set(key, k);
  }
  return k;
}

/** Surface WGSL compile errors with the shader name (Dawn otherwise reports them asynchronously). */
export async function checkedKernel(gpu: Gpu, spec: KernelSpec): Promise<Kernel> {
  gpu.device.pushErrorScope('validation');
  const k = kernel(gpu, spec);
  const err = await gpu.device.popErrorScope();
  if (err) throw new Error(`kernel ${spec.shader}: ${err.message}`);
  return k;
}
