/**
 * The real-time display path: the same EWA splatting model as the training rasterizer
 * (engine/splat/render.ts), drawn with the WebGPU render pipeline instead of compute tiles.
 * Orchestration only; each pass is one shader in shaders/display/ (layouts at their tops):
 *
 *   display_project  project + cull + SH colour + quad axes + depth key (0 = culled)
 *   -> RadixSorter   ascending key (16-bit log-depth keys: 4 radix passes; 32-bit f32 depth: 8)
 *   -> display_gather  visible records into back-to-front draw order + the indirect draw counts
 *   -> display_draw  one indirect draw of the quads, premultiplied "over" blending onto a
 *                    target cleared to the background, in one of two ways (DisplayDrawPath):
 *     'indexed'    one non-instanced indexed triangle list over every splat; the vertex shader
 *                  reads the records from a vertex-stage storage buffer. The default wherever the
 *                  device allows vertex-stage storage buffers (core WebGPU): software Vulkan
 *                  (SwiftShader, what Chromium falls back to) runs every instance of an instanced
 *                  draw as its own draw call, so 1M instances cost 1M draw calls.
 *     'instanced'  one instance (4-vertex strip) per splat, the records as instance attributes.
 *                  The fallback for compatibility-mode devices (Dawn's compat GL device offers
 *                  0 vertex-stage storage buffers unless asked).
 * Both draw the same triangles in the same order. No host readback in a frame.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, Usage } from '../../gpu/buffers.js';
import { kernel, type Kernel } from '../../gpu/kernel.js';
import { RadixSorter } from '../../gpu/sort.js';
import type { Camera } from '../camera.js';
import type { GpuScene } from '../gpu-scene.js';
import { packRenderUniforms, RENDER_UNIFORMS_BYTES, SPLAT_DEFINES } from '../render-uniforms.js';
import { DISPLAY_PARAMS_BYTES, DISPLAY_STRIDE, depthRange, packDisplayParams, type DepthKeyBits, type MeansSphere } from './display-params.js';

/** How the quads reach the vertex stage (see the header). */
export type DisplayDrawPath = 'indexed' | 'instanced';

/**
 * 'indexed' when the device lets the vertex stage read a storage buffer, else 'instanced'.
 * `featureLevel` decides for browsers that do not report maxStorageBuffersInVertexStage
 * (core WebGPU allows vertex-stage storage buffers).
 */
export function chooseDrawPath(limits: GPUSupportedLimits, featureLevel: 'core' | 'compatibility'): DisplayDrawPath {
  const inVertex = (limits as unknown as { maxStorageBuffersInVertexStage?: number }).maxStorageBuffersInVertexStage;
  if (typeof inVertex === 'number') return inVertex > 0 ? 'indexed' : 'instanced';
  return featureLevel === 'core' && limits.maxStorageBuffersPerShaderStage > 0 ? 'indexed' : 'instanced';
}

/** u32 words of DisplayRenderer.drawArgs: drawIndirect at 0, drawIndexedIndirect at DRAW_ARGS_INDEXED. */
const DRAW_ARGS_WORDS = 12;
/** Word offset of the drawIndexedIndirect arguments in drawArgs. */
export const DRAW_ARGS_INDEXED = 4;

export interface DisplayOptions {
  /** RGB behind the splats. */
  background: ArrayLike<number>;
  /** SH degree to evaluate, clamped to the scene's. */
  shDegree?: number;
  /** Sphere holding every mean: enables 16-bit log-depth keys (half the sort passes). Without it, 32-bit keys. */
  sphere?: MeansSphere;
  /** Force the key width (16 needs `sphere`). */
  keyBits?: DepthKeyBits;
  /** Cap of the drawn support in standard deviations (default SIGMA_EXTENT = 3, as the engine's extent). */
  maxSigma?: number;
  /**
   * Alpha below which splat tails are not drawn (default ALPHA_MIN = 1/255, the engine's cut).
   * Larger values shrink every quad (fewer fragments, a faster frame on fill-bound adapters) at
   * the price of the faint rims: 5/255 is about the footprint Spark draws.
   */
  minAlpha?: number;
}

export class DisplayRenderer {
  private readonly sorter: RadixSorter;
  private readonly uniforms: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly gatherParams: GPUBuffer;
  private readonly viewSize: GPUBuffer;
  /**
   * [12] u32: [0, 4) drawIndirect (4, V, 0, 0) and [4, 9) drawIndexedIndirect (6 V, 1, 0, 0, 0),
   * V (the visible splats) written by display_gather.
   */
  readonly drawArgs: GPUBuffer;
  readonly drawPath: DisplayDrawPath;
  /** [cap, 6] u32 quad triangles (4s, 4s+1, 4s+2, 4s+2, 4s+1, 4s+3) of the 'indexed' path. */
  private quadIndices?: GPUBuffer;
  private readonly project: Kernel;
  private readonly gather: Kernel;
  private readonly pipelines = new Map<string, GPURenderPipeline>();
  private readonly drawModule: GPUShaderModule;
  private capacity = 0;
  private readonly compileErrors: Promise<Error | undefined>[] = [];
  /** [N, 8] u32 records by splat id, [N] keys, [N] ids (sorted in place), [N, 8] records by draw rank (read by tests). */
  splats?: GPUBuffer;
  keys?: GPUBuffer;
  ids?: GPUBuffer;
  drawn?: GPUBuffer;

  /** options.localSort: passed to RadixSorter (its default unless given; benchmarks compare). */
  constructor(private readonly gpu: Gpu, options: { drawPath?: DisplayDrawPath; localSort?: boolean } = {}) {
    this.drawPath = options.drawPath ?? chooseDrawPath(gpu.device.limits, gpu.report.featureLevel);
    this.sorter = new RadixSorter(gpu, options.localSort === undefined ? {} : { localSort: options.localSort });
    const d = gpu.device;
    // WebGPU reports shader and pipeline errors asynchronously: collect them for ready().
    d.pushErrorScope('validation');
    this.uniforms = d.createBuffer({ label: 'display/uniforms', size: RENDER_UNIFORMS_BYTES, usage: Usage.UNIFORM | Usage.COPY_DST });
    this.params = d.createBuffer({ label: 'display/params', size: DISPLAY_PARAMS_BYTES, usage: Usage.UNIFORM | Usage.COPY_DST });
    this.gatherParams = d.createBuffer({ label: 'display/gather-params', size: 16, usage: Usage.UNIFORM | Usage.COPY_DST });
    this.viewSize = d.createBuffer({ label: 'display/view', size: 16, usage: Usage.UNIFORM | Usage.COPY_DST });
    this.drawArgs = createStorage(gpu, DRAW_ARGS_WORDS * 4, 'display/draw-args', Usage.INDIRECT);
    this.project = kernel(gpu, { shader: 'display/display_project', defines: SPLAT_DEFINES });
    this.gather = kernel(gpu, { shader: 'display/display_gather' });
    const drawDefines = this.drawPath === 'indexed' ? { ...SPLAT_DEFINES, VERTEX_PULL: true } : SPLAT_DEFINES;
    this.drawModule = d.createShaderModule({ label: `display/display_draw ${this.drawPath}`, code: gpu.shaders.build('display/display_draw', drawDefines) });
    this.compileErrors.push(this.popError('display kernels'));
  }

  private popError(what: string): Promise<Error | undefined> {
    return this.gpu.device.popErrorScope().then(
      (e) => (e ? new Error(`DisplayRenderer: ${what} failed to compile: ${e.message}`) : undefined),
      (e: Error) => e,
    );
  }

  /** Build the draw pipeline for `format` and throw any shader or pipeline error (await before the first frame). */
  async ready(format: GPUTextureFormat): Promise<void> {
    this.pipeline(format);
    for (const e of await Promise.all(this.compileErrors)) if (e) throw e;
  }

  /** The quad pipeline for a target format (cached). */
  private pipeline(format: GPUTextureFormat): GPURenderPipeline {
    let p = this.pipelines.get(format);
    if (!p) {
      this.gpu.device.pushErrorScope('validation');
      const blend: GPUBlendComponent = { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' };
      const indexed = this.drawPath === 'indexed';
      const instanceAttributes: GPUVertexBufferLayout = {
        arrayStride: DISPLAY_STRIDE * 4,
        stepMode: 'instance',
        attributes: [
          { shaderLocation: 0, offset: 0, format: 'float32x4' },
          { shaderLocation: 1, offset: 16, format: 'float32x2' },
          { shaderLocation: 2, offset: 24, format: 'float16x4' },
        ],
      };
      p = this.gpu.device.createRenderPipeline({
        label: `display/draw ${this.drawPath} ${format}`,
        layout: 'auto',
        vertex: { module: this.drawModule, entryPoint: 'vs', buffers: indexed ? [] : [instanceAttributes] },
        fragment: { module: this.drawModule, entryPoint: 'fs', targets: [{ format, blend: { color: blend, alpha: blend } }] },
        primitive: { topology: indexed ? 'triangle-list' : 'triangle-strip' },
      });
      this.pipelines.set(format, p);
      this.compileErrors.push(this.popError(`the ${format} draw pipeline`));
    }
    return p;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity && this.splats) return;
    // Frames already submitted may still read the old buffers: free them once the queue is idle.
    const old = [this.splats, this.keys, this.ids, this.drawn, this.quadIndices].filter((b): b is GPUBuffer => b !== undefined);
    if (old.length) void this.gpu.device.queue.onSubmittedWorkDone().then(() => old.forEach((b) => b.destroy()));
    const maxSplats = Math.floor(this.gpu.device.limits.maxStorageBufferBindingSize / (DISPLAY_STRIDE * 4));
    if (n > maxSplats) {
      throw new Error(`DisplayRenderer: ${n} splats need ${n * DISPLAY_STRIDE * 4} bytes per binding; this adapter allows ${maxSplats * DISPLAY_STRIDE * 4} (${maxSplats} splats)`);
    }
    // A quarter of headroom: a training preview grows the scene a little at a time.
    const cap = Math.max(Math.min(Math.ceil(n * 1.25), maxSplats), 1);
    this.splats = createStorage(this.gpu, cap * DISPLAY_STRIDE * 4, 'display/splats');
    this.keys = createStorage(this.gpu, cap * 4, 'display/keys');
    this.ids = createStorage(this.gpu, cap * 4, 'display/ids');
    this.drawn = createStorage(this.gpu, cap * DISPLAY_STRIDE * 4, 'display/drawn', Usage.VERTEX);
    this.quadIndices = undefined;
    if (this.drawPath === 'indexed') {
      const idx = new Uint32Array(cap * 6); // [cap, 6]
      for (let s = 0; s < cap; s++) {
        const v = 4 * s, o = 6 * s;
        idx[o] = v;
        idx[o + 1] = idx[o + 4] = v + 1;
        idx[o + 2] = idx[o + 3] = v + 2;
        idx[o + 5] = v + 3;
      }
      this.quadIndices = this.gpu.device.createBuffer({ label: 'display/quad-indices', size: idx.byteLength, usage: Usage.INDEX | Usage.COPY_DST });
      this.gpu.device.queue.writeBuffer(this.quadIndices, 0, idx);
    }
    this.capacity = cap;
  }

  /**
   * Record one frame into `encoder`: project, sort, gather and draw `scene` from `camera` into
   * `target` (a view of a width x height texture of `format`, cleared to the background).
   * One frame per submit: the per-frame constants are written to the queue now.
   */
  encode(encoder: GPUCommandEncoder, scene: GpuScene, camera: Camera, target: GPUTextureView, format: GPUTextureFormat, opts: DisplayOptions): void {
    this.encodePrepare(encoder, scene, camera, opts);
    this.encodeDraw(encoder, scene.count, target, format, opts.background);
  }

  /**
   * The compute half of a frame: project, sort, gather (benchmarks time it apart from the draw,
   * and its stages apart with `upTo`: stop after 'project' or 'sort'; the draw needs 'gather').
   */
  encodePrepare(encoder: GPUCommandEncoder, scene: GpuScene, camera: Camera, opts: DisplayOptions, upTo: 'project' | 'sort' | 'gather' = 'gather'): void {
    const { width, height } = camera;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new Error(`DisplayRenderer: image size must be positive integers, got ${width}x${height}`);
    }
    const keyBits: DepthKeyBits = opts.keyBits ?? (opts.sphere ? 16 : 32);
    if (keyBits === 16 && !opts.sphere) throw new Error('DisplayRenderer: 16-bit depth keys need the means sphere (opts.sphere)');
    const N = scene.count;
    const shDegree = Math.max(0, Math.min(opts.shDegree ?? scene.shDegree, scene.shDegree));
    const q = this.gpu.device.queue;
    q.writeBuffer(this.uniforms, 0, packRenderUniforms({ camera, background: Array.from(opts.background), count: N, shDegree, shStride: (scene.shDegree + 1) ** 2, intersections: 0 }));
    const range = opts.sphere ? depthRange(camera, opts.sphere) : {};
    q.writeBuffer(this.params, 0, packDisplayParams({ keyBits, maxSigma: opts.maxSigma, minAlpha: opts.minAlpha, ...range }));
    q.writeBuffer(this.gatherParams, 0, new Uint32Array([N, 0, 0, 0]));
    q.writeBuffer(this.viewSize, 0, new Float32Array([width, height, 0, 0]));
    // Four vertices per instance, one instance of the indexed list; the gather overwrites the
    // instance / index counts when anything is visible.
    q.writeBuffer(this.drawArgs, 0, new Uint32Array([4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    this.ensureCapacity(N);
    if (N === 0) return;
    const s = scene.buffers;
    const [splats, keys, ids, drawn] = [this.splats!, this.keys!, this.ids!, this.drawn!];
    let pass = encoder.beginComputePass({ label: 'display/project' });
    this.project.dispatch1d(pass, [this.project.bind([s.means, s.logScales, s.quats, s.opacityLogits, s.sh, splats, keys, ids, this.uniforms, this.params])], N, 256);
    pass.end();
    if (upTo === 'project') return;
    this.sorter.encode(encoder, keys, ids, N, keyBits);
    if (upTo === 'sort') return;
    pass = encoder.beginComputePass({ label: 'display/gather' });
    this.gather.dispatch1d(pass, [this.gather.bind([keys, ids, splats, drawn, this.drawArgs, this.gatherParams])], N, 256);
    pass.end();
  }

  /** The draw half: clear `target` to the background and draw the gathered quads (after encodePrepare). */
  encodeDraw(encoder: GPUCommandEncoder, count: number, target: GPUTextureView, format: GPUTextureFormat, background: ArrayLike<number>): void {
    const pipeline = this.pipeline(format);
    const rp = encoder.beginRenderPass({
      label: 'display/draw',
      colorAttachments: [{ view: target, loadOp: 'clear', storeOp: 'store', clearValue: { r: background[0], g: background[1], b: background[2], a: 1 } }],
    });
    if (count > 0 && this.drawn) {
      rp.setPipeline(pipeline);
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.viewSize } }];
      if (this.quadIndices) {
        entries.push({ binding: 1, resource: { buffer: this.drawn } });
        rp.setBindGroup(0, this.gpu.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
        rp.setIndexBuffer(this.quadIndices, 'uint32');
        rp.drawIndexedIndirect(this.drawArgs, DRAW_ARGS_INDEXED * 4);
      } else {
        rp.setBindGroup(0, this.gpu.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
        rp.setVertexBuffer(0, this.drawn);
        rp.drawIndirect(this.drawArgs, 0);
      }
    }
    rp.end();
  }

  dispose(): void {
    for (const b of [this.splats, this.keys, this.ids, this.drawn, this.quadIndices]) b?.destroy();
    this.splats = this.keys = this.ids = this.drawn = this.quadIndices = undefined;
    this.capacity = 0;
    this.sorter.dispose();
    for (const b of [this.uniforms, this.params, this.gatherParams, this.viewSize, this.drawArgs]) b.destroy();
  }
}
