/**
 * The differentiable Gaussian tile rasterizer. Orchestration only; each pass is one kernel in
 * shaders/splat/ (buffer layouts documented at the top of each):
 *
 * forward:  project_forward (EWA, cull, SH colour, depth keys)
 *        -> depth sort of all splats by z (RadixSorter, 32 bits; culled keys sort last)
 *        -> tile_counts (tiles per splat, in depth order) -> inclusive prefix sum (PrefixSum)
 *        -> [read the intersection total back: one 4-byte map per render]
 *        -> emit_intersections (tile id, emit slot; splat id by slot) in depth order
 *        -> stable sort by tile id (ceil(log2(numTiles)) bits) -> (tile, depth) order
 *        -> isect_maps (tile-order splat ids; emit slot -> tile-order index)
 *        -> tile_ranges -> rasterize_forward (16x16 tiles, front to back, early stop; on CPU
 *           adapters rasterize_forward_rows: one invocation per tile row, row culling)
 * backward: 'rows' (default on CPU adapters, no atomics, deterministic):
 *             rasterize_backward_rows (per-tile partial sums, [M, 10]; rows a splat cannot reach
 *             skipped, shaders/splat/row_cull.wgsl) -> backward_gather (per splat)
 *           'workgroup' / 'atomic': rasterize_backward (per pixel, float compare-exchange atomics)
 *           (see RasterizerOptions)
 *        -> project_backward_geometry (means, log-scales, quats, camera pose)
 *        -> project_backward_appearance (SH, view-direction path, opacity logits)
 *        -> densify_stats (optional)
 *
 * A RenderResult's buffers belong to the Rasterizer and stay valid until its next forward().
 * The float64 twin of every pass is in engine/splat/reference/.
 */
import type { Gpu } from '../gpu/acquire.js';
import { createStorage, readF32, Usage } from '../gpu/buffers.js';
import { kernel, type Kernel } from '../gpu/kernel.js';
import { PrefixSum } from '../gpu/scan.js';
import { RadixSorter } from '../gpu/sort.js';
import type { Camera } from './camera.js';
import { tileGrid } from './constants.js';
import { DensifyStats, GpuScene, GpuSceneGrads } from './gpu-scene.js';
import { packRenderUniforms, RENDER_UNIFORMS_BYTES, SPLAT_DEFINES } from './render-uniforms.js';

export interface RenderOptions {
  /** RGB behind the splats. */
  background: ArrayLike<number>;
  /** SH degree to evaluate, clamped to the scene's (progressive SH during training). */
  shDegree?: number;
  /** Wait for the GPU after every stage and report timings (slower; for benchmarks). */
  profile?: boolean;
}

export interface RenderTimings {
  projectMs: number;
  depthSortMs: number;
  tileCountMs: number;
  emitMs: number;
  tileSortMs: number;
  rasterizeMs: number;
}

export interface RenderResult {
  width: number;
  height: number;
  camera: Camera;
  scene: GpuScene;
  shDegree: number;
  /** Number of (tile, splat) intersections rasterized. */
  numIntersections: number;
  /** [H, W, 3] f32, background included. */
  color: GPUBuffer;
  /** [H, W] f32, 1 - final transmittance. */
  alpha: GPUBuffer;
  /** [H, W] f32, expected depth sum(w_i z_i) (not divided by alpha). */
  depth: GPUBuffer;
  /** [N, 12] f32 projected splats (layout: shaders/splat/projected.wgsl); extent 0 = culled. */
  projected: GPUBuffer;
  /** [H, W, 2] u32: final transmittance bits, list entries used. */
  pixelState: GPUBuffer;
  tileRanges: GPUBuffer;
  /** [M] u32 global splat id of each intersection, tile order (front to back within a tile). */
  isectGids: GPUBuffer;
  /** [N] u32 depth rank -> global splat id. */
  depthIds: GPUBuffer;
  /** [N] u32 inclusive prefix sum of tiles per splat, by depth rank (splat r's emit slots end there). */
  tileEnds: GPUBuffer;
  /** [M] u32 emit slot -> tile-order intersection index. */
  tilePos: GPUBuffer;
  uniforms: GPUBuffer;
  timings?: RenderTimings;
}

export interface RenderCotangents {
  vColor: GPUBuffer; // [H, W, 3] f32
  vAlpha?: GPUBuffer; // [H, W] f32
  vDepth?: GPUBuffer; // [H, W] f32
}

export interface BackwardResult {
  /**
   * [6] f32: dL/d(omega, tau) for the world-to-camera perturbation
   * [R|t] <- exp([omega]x)[R|t] + (0, tau). Owned by the Rasterizer, valid until the next backward().
   */
  vPose: GPUBuffer;
  /** [N, 10] f32 gradients of the projected splats (layout: shaders/splat/rasterize_backward.wgsl). */
  vSplat2d: GPUBuffer;
}

export type BackwardReduction = 'rows' | 'workgroup' | 'atomic';

export interface RasterizerOptions {
  /**
   * How the backward sums per-splat gradients over pixels. See bench/results/render.md.
   * 'rows' (default on CPU adapters): no atomics; one invocation per tile row sums in registers,
   *   the workgroup writes one partial per (tile, splat) intersection ([M, 10] f32, 40 B per
   *   intersection), a per-splat pass adds them in a fixed order: bit-deterministic. When [M, 10]
   *   f32 exceeds one storage binding the 10 components are done in 2+ passes (the rasterizer
   *   backward reruns per pass); 'workgroup' only when even [M, 1] does not fit.
   * 'workgroup' (default on GPUs): per-batch sums in workgroup memory with float compare-exchange
   *   atomics, then 10 global float CAS atomics per tile-splat pair.
   * 'atomic': every pixel adds straight to global memory with float CAS atomics.
   */
  backwardReduction?: BackwardReduction;
  /**
   * How rasterize_forward is laid out. 'rows' (default on CPU adapters): one invocation per tile
   * row of 16 pixels, splats that cannot reach a row skipped for all its pixels (same per-pixel
   * arithmetic, same outputs). 'pixels' (default on GPUs): one invocation per pixel.
   */
  forwardLayout?: 'rows' | 'pixels';
  /** Bytes one binding of the 'rows' partials may hold (tests force the split with a small value); default the device limit. */
  partialsBindingLimit?: number;
}

/** A storage buffer that grows (never shrinks) to the largest size asked for. */
class Grown {
  buffer: GPUBuffer | undefined;
  constructor(private readonly gpu: Gpu, private readonly label: string) {}
  get(bytes: number): GPUBuffer {
    if (!this.buffer || this.buffer.size < bytes) {
      this.buffer?.destroy();
      this.buffer = createStorage(this.gpu, Math.max(bytes, 16), this.label);
    }
    return this.buffer;
  }
  dispose(): void {
    this.buffer?.destroy();
    this.buffer = undefined;
  }
}

export class Rasterizer {
  private readonly sorter: RadixSorter;
  private readonly scan: PrefixSum;
  private readonly uniforms: GPUBuffer;
  private readonly readback: GPUBuffer;
  private readonly vPose: GPUBuffer;
  private readonly grown: Record<string, Grown> = {};
  private readonly k: Record<string, Kernel>;
  private readonly compileError: Promise<Error | undefined>;
  /** The backward reduction in use (RasterizerOptions.backwardReduction, default resolved). */
  readonly reduction: BackwardReduction;
  /** The forward layout in use (RasterizerOptions.forwardLayout, default resolved). */
  readonly forwardLayout: 'rows' | 'pixels';

  constructor(
    private readonly gpu: Gpu,
    readonly options: RasterizerOptions = {},
  ) {
    this.sorter = new RadixSorter(gpu);
    this.scan = new PrefixSum(gpu);
    this.uniforms = gpu.device.createBuffer({ label: 'splat/uniforms', size: RENDER_UNIFORMS_BYTES, usage: Usage.UNIFORM | Usage.COPY_DST });
    this.readback = gpu.device.createBuffer({ label: 'splat/total', size: 4, usage: Usage.MAP_READ | Usage.COPY_DST });
    this.vPose = createStorage(gpu, 6 * 4, 'splat/v-pose');
    // Kernel compile/validation errors are reported asynchronously by WebGPU: collect them
    // here and throw from the first forward() rather than render garbage.
    gpu.device.pushErrorScope('validation');
    this.reduction = options.backwardReduction ?? (gpu.report.isSoftware ? 'rows' : 'workgroup');
    this.forwardLayout = options.forwardLayout ?? (gpu.report.isSoftware ? 'rows' : 'pixels');
    // 'rows' keeps the workgroup variant compiled as its fallback for very large intersection counts.
    const wgReduce = this.reduction !== 'atomic';
    const make = (name: string) =>
      kernel(gpu, { shader: `splat/${name}`, defines: name === 'rasterize_backward' && wgReduce ? { ...SPLAT_DEFINES, WG_REDUCE: true } : SPLAT_DEFINES });
    this.k = Object.fromEntries(
      [
        'project_forward', 'tile_counts', 'emit_intersections', 'isect_maps', 'tile_ranges',
        this.forwardLayout === 'rows' ? 'rasterize_forward_rows' : 'rasterize_forward',
        'rasterize_backward', 'project_backward_geometry', 'project_backward_appearance', 'densify_stats',
      ].map((n) => [n, make(n)]),
    );
    if (this.reduction === 'rows') this.rowsKernels(0, 10);
    this.compileError = gpu.device.popErrorScope().then(
      (e) => (e ? new Error(`Rasterizer: splat kernels failed to compile: ${e.message}`) : undefined),
      (e: Error) => e,
    );
  }

  private buf(name: string, bytes: number): GPUBuffer {
    this.grown[name] ??= new Grown(this.gpu, `splat/${name}`);
    return this.grown[name].get(bytes);
  }

  async forward(scene: GpuScene, camera: Camera, opts: RenderOptions): Promise<RenderResult> {
    const compileError = await this.compileError;
    if (compileError) throw compileError;
    const { width, height } = camera;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new Error(`Rasterizer.forward: image size must be positive integers, got ${width}x${height}`);
    }
    const N = scene.count;
    const shDegree = Math.max(0, Math.min(opts.shDegree ?? scene.shDegree, scene.shDegree));
    const { tilesX, tilesY, numTiles } = tileGrid(width, height);
    const pixels = width * height;
    const uniformInputs = { camera, background: Array.from(opts.background), count: N, shDegree, shStride: (scene.shDegree + 1) ** 2, intersections: 0 };
    const device = this.gpu.device;
    device.queue.writeBuffer(this.uniforms, 0, packRenderUniforms(uniformInputs));

    const projected = this.buf('projected', N * 12 * 4);
    const depthKeys = this.buf('depth-keys', N * 4);
    const depthIds = this.buf('depth-ids', N * 4);
    const tileCounts = this.buf('tile-counts', N * 4);
    const tileEnds = this.buf('tile-ends', N * 4);
    const color = this.buf('color', pixels * 3 * 4);
    const alpha = this.buf('alpha', pixels * 4);
    const depth = this.buf('depth', pixels * 4);
    const pixelState = this.buf('pixel-state', pixels * 2 * 4);
    const tileRanges = this.buf('tile-ranges', numTiles * 2 * 4);
    const stages = new Stages(this.gpu, Boolean(opts.profile));
    const { k } = this;
    const s = scene.buffers;

    await stages.run('projectMs', (enc) => {
      const pass = enc.beginComputePass({ label: 'splat/project' });
      const bg = k.project_forward.bind([s.means, s.logScales, s.quats, s.opacityLogits, s.sh, projected, depthKeys, depthIds, this.uniforms]);
      k.project_forward.dispatch1d(pass, [bg], N, 256);
      pass.end();
    });
    await stages.run('depthSortMs', (enc) => this.sorter.encode(enc, depthKeys, depthIds, N, 32));
    await stages.run('tileCountMs', (enc) => {
      const pass = enc.beginComputePass({ label: 'splat/tile-counts' });
      k.tile_counts.dispatch1d(pass, [k.tile_counts.bind([depthIds, projected, tileCounts, this.uniforms])], N, 256);
      pass.end();
      this.scan.encode(enc, tileCounts, tileEnds, N, false);
      if (N > 0) enc.copyBufferToBuffer(tileEnds, (N - 1) * 4, this.readback, 0, 4);
    });
    stages.flush();
    // The intersection total sizes the next passes: one 4-byte readback per render.
    let M = 0;
    if (N > 0) {
      await this.readback.mapAsync(1 /* GPUMapMode.READ */);
      M = new Uint32Array(this.readback.getMappedRange())[0];
      this.readback.unmap();
    }
    const maxBinding = device.limits.maxStorageBufferBindingSize;
    if (M * 4 > maxBinding) {
      throw new Error(`Rasterizer.forward: ${M} tile intersections exceed the adapter's ${maxBinding}-byte storage binding limit`);
    }
    device.queue.writeBuffer(this.uniforms, 0, packRenderUniforms({ ...uniformInputs, intersections: M }));
    const isectTiles = this.buf('isect-tiles', M * 4);
    const isectSlots = this.buf('isect-slots', M * 4);
    const emitGids = this.buf('emit-gids', M * 4);
    const isectGids = this.buf('isect-gids', M * 4);
    const tilePos = this.buf('tile-pos', M * 4);

    await stages.run('emitMs', (enc) => {
      const pass = enc.beginComputePass({ label: 'splat/emit' });
      k.emit_intersections.dispatch1d(pass, [k.emit_intersections.bind([depthIds, projected, tileEnds, isectTiles, isectSlots, emitGids, this.uniforms])], N, 256);
      pass.end();
    });
    const tileBits = Math.max(1, Math.ceil(Math.log2(numTiles)));
    await stages.run('tileSortMs', (enc) => {
      this.sorter.encode(enc, isectTiles, isectSlots, M, tileBits);
      const pass = enc.beginComputePass({ label: 'splat/isect-maps' });
      k.isect_maps.dispatch1d(pass, [k.isect_maps.bind([isectSlots, emitGids, isectGids, tilePos, this.uniforms])], M, 256);
      pass.end();
    });
    await stages.run('rasterizeMs', (enc) => {
      enc.clearBuffer(tileRanges, 0, numTiles * 2 * 4);
      const pass = enc.beginComputePass({ label: 'splat/rasterize' });
      k.tile_ranges.dispatch1d(pass, [k.tile_ranges.bind([isectTiles, tileRanges, this.uniforms])], M, 256);
      const raster = this.forwardLayout === 'rows' ? k.rasterize_forward_rows : k.rasterize_forward;
      raster.dispatch(pass, [raster.bind([tileRanges, isectGids, projected, color, alpha, depth, pixelState, this.uniforms])], tilesX, tilesY);
      pass.end();
    });
    stages.flush();
    return {
      width, height, camera, scene, shDegree, numIntersections: M,
      color, alpha, depth, projected, pixelState, tileRanges, isectGids, depthIds, tileEnds, tilePos, uniforms: this.uniforms,
      timings: opts.profile ? stages.timings() : undefined,
    };
  }

  /**
   * Record and submit the backward of the last forward: ADDS the gradients of
   * <cotangents, (color, alpha, depth)> into `grads`, accumulates `stats` when given,
   * and returns the camera-pose gradient (reset by every backward).
   */
  backward(result: RenderResult, cot: RenderCotangents, grads: GpuSceneGrads, stats?: DensifyStats): BackwardResult {
    const { width, height } = result;
    const N = result.scene.count;
    if (grads.count !== N || grads.shDegree !== result.scene.shDegree) {
      throw new Error(`Rasterizer.backward: gradients are for ${grads.count} splats / degree ${grads.shDegree}, scene has ${N} / ${result.scene.shDegree}`);
    }
    const pixels = width * height;
    for (const [name, buf, floats] of [['vColor', cot.vColor, 3], ['vAlpha', cot.vAlpha, 1], ['vDepth', cot.vDepth, 1]] as const) {
      if (buf && buf.size < pixels * floats * 4) {
        throw new Error(`Rasterizer.backward: ${name} holds ${buf.size} bytes, a ${width}x${height} render needs ${pixels * floats * 4}`);
      }
    }
    const { tilesX, tilesY } = tileGrid(width, height);
    const vSplat2d = this.buf('v-splat2d', N * 10 * 4);
    const zeros = this.buf('zero-image', pixels * 4);
    const { k } = this;
    const s = result.scene.buffers;
    const g = grads.buffers;
    const enc = this.gpu.device.createCommandEncoder({ label: 'splat/backward' });
    enc.clearBuffer(vSplat2d, 0, N * 10 * 4);
    enc.clearBuffer(this.vPose);
    enc.clearBuffer(zeros, 0, pixels * 4);
    const pass = enc.beginComputePass({ label: 'splat/backward' });
    const M = result.numIntersections;
    const pixelInputs = [result.tileRanges, result.isectGids, result.projected, result.pixelState, cot.vColor, cot.vAlpha ?? zeros, cot.vDepth ?? zeros];
    const parts = this.rowsParts(M);
    if (parts) {
      const partials = this.buf('partials', M * parts[0].width * 4);
      for (const { offset, width: w } of parts) {
        const { rows, gather } = this.rowsKernels(offset, w);
        rows.dispatch(pass, [rows.bind([...pixelInputs, partials, result.uniforms])], tilesX, tilesY);
        gather.dispatch1d(pass, [gather.bind([result.depthIds, result.tileEnds, result.tilePos, partials, vSplat2d, result.uniforms])], N, 256);
      }
    } else {
      k.rasterize_backward.dispatch(pass, [k.rasterize_backward.bind([...pixelInputs, vSplat2d, result.uniforms])], tilesX, tilesY);
    }
    k.project_backward_geometry.dispatch1d(pass, [k.project_backward_geometry.bind([
      s.means, s.logScales, s.quats, vSplat2d, g.means, g.logScales, g.quats, this.vPose, result.uniforms,
    ])], N, 256);
    k.project_backward_appearance.dispatch1d(pass, [k.project_backward_appearance.bind([
      s.means, s.sh, vSplat2d, g.sh, g.means, g.opacityLogits, this.vPose, result.uniforms,
    ])], N, 256);
    if (stats) {
      k.densify_stats.dispatch1d(pass, [k.densify_stats.bind([vSplat2d, result.projected, stats.gradAccum, stats.visCount, result.uniforms])], N, 256);
    }
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
    return { vPose: this.vPose, vSplat2d };
  }

  /** Whether a backward over `intersections` uses the atomic-free 'rows' path (else 'workgroup'/'atomic'). */
  usesRows(intersections: number): boolean {
    return this.rowsParts(intersections) !== undefined;
  }

  /**
   * The 'rows' passes for M intersections: groups of v_splat2d's 10 components whose [M, width] f32
   * partials fit one storage binding. undefined when not 'rows' or not even one component fits.
   */
  rowsParts(intersections: number): { offset: number; width: number }[] | undefined {
    if (this.reduction !== 'rows') return undefined;
    const limit = this.options.partialsBindingLimit ?? this.gpu.device.limits.maxStorageBufferBindingSize;
    const fit = Math.min(10, Math.floor(limit / (Math.max(intersections, 1) * 4)));
    if (fit < 1) return undefined;
    const parts = Math.ceil(10 / fit);
    const width = Math.ceil(10 / parts);
    return Array.from({ length: parts }, (_, i) => ({ offset: i * width, width: Math.min(width, 10 - i * width) }));
  }

  /** The two 'rows' kernels for one component group (compiled on first use; the full group at construction). */
  private rowsKernels(offset: number, width: number): { rows: Kernel; gather: Kernel } {
    const defines = { ...SPLAT_DEFINES, PART_OFFSET: `${offset}u`, PART_WIDTH: `${width}u` };
    return {
      rows: kernel(this.gpu, { shader: 'splat/rasterize_backward_rows', defines }),
      gather: kernel(this.gpu, { shader: 'splat/backward_gather', defines }),
    };
  }

  /** Bytes of GPU memory the rasterizer's own buffers hold now (not counting the sorter's scratch). */
  gpuBytes(): number {
    return Object.values(this.grown).reduce((s, g) => s + (g.buffer?.size ?? 0), 0) + RENDER_UNIFORMS_BYTES + 4 + 24;
  }

  dispose(): void {
    for (const g of Object.values(this.grown)) g.dispose();
    this.sorter.dispose();
    this.scan.dispose();
    this.uniforms.destroy();
    this.readback.destroy();
    this.vPose.destroy();
  }
}

/** Host copies of a render's images. */
export async function readRender(gpu: Gpu, r: RenderResult): Promise<{ color: Float32Array; alpha: Float32Array; depth: Float32Array }> {
  const n = r.width * r.height;
  return { color: await readF32(gpu, r.color, n * 3), alpha: await readF32(gpu, r.alpha, n), depth: await readF32(gpu, r.depth, n) };
}

/** Records stages into one encoder, or (profiling) submits each and times it to completion. */
class Stages {
  private enc: GPUCommandEncoder | undefined;
  private readonly ms: Record<string, number> = {};
  constructor(private readonly gpu: Gpu, private readonly profile: boolean) {}

  async run(name: keyof RenderTimings, record: (enc: GPUCommandEncoder) => void): Promise<void> {
    if (!this.profile) {
      this.enc ??= this.gpu.device.createCommandEncoder({ label: 'splat/forward' });
      record(this.enc);
      return;
    }
    const t0 = performance.now();
    const enc = this.gpu.device.createCommandEncoder({ label: `splat/${name}` });
    record(enc);
    this.gpu.device.queue.submit([enc.finish()]);
    await this.gpu.device.queue.onSubmittedWorkDone();
    this.ms[name] = (this.ms[name] ?? 0) + performance.now() - t0;
  }

  flush(): void {
    if (this.enc) this.gpu.device.queue.submit([this.enc.finish()]);
    this.enc = undefined;
  }

  timings(): RenderTimings {
    const z = (k: keyof RenderTimings) => this.ms[k] ?? 0;
    return { projectMs: z('projectMs'), depthSortMs: z('depthSortMs'), tileCountMs: z('tileCountMs'), emitMs: z('emitMs'), tileSortMs: z('tileSortMs'), rasterizeMs: z('rasterizeMs') };
  }
}
