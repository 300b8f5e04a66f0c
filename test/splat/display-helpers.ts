/** Helpers for the display-path tests: render into an offscreen texture and read it back, decode records. */
import { requiredLimitsFrom, type Gpu } from '../../engine/gpu/acquire.js';
import { readU32, Usage } from '../../engine/gpu/buffers.js';
import type { Camera } from '../../engine/splat/camera.js';
import type { DisplayOptions, DisplayRenderer } from '../../engine/splat/display/display-renderer.js';
import { DISPLAY_STRIDE } from '../../engine/splat/display/display-params.js';
import type { GpuScene } from '../../engine/splat/gpu-scene.js';
import { testGpu, uncapturedGpuErrors } from '../util/gpu.js';

/** Draw one frame into a W x H texture of `format` and return its RGB as [H, W, 3] floats. */
export async function renderDisplay(
  gpu: Gpu, r: DisplayRenderer, scene: GpuScene, cam: Camera, opts: DisplayOptions, format: 'rgba32float' | 'rgba8unorm' = 'rgba32float',
): Promise<Float32Array> {
  const { width: W, height: H } = cam;
  const d = gpu.device;
  const tex = d.createTexture({ size: [W, H], format, usage: 0x10 /* RENDER_ATTACHMENT */ | 0x01 /* COPY_SRC */ });
  const bpp = format === 'rgba32float' ? 16 : 4;
  const bytesPerRow = Math.ceil((W * bpp) / 256) * 256;
  const staging = d.createBuffer({ size: bytesPerRow * H, usage: Usage.COPY_DST | Usage.MAP_READ });
  const enc = d.createCommandEncoder();
  r.encode(enc, scene, cam, tex.createView(), format, opts);
  enc.copyTextureToBuffer({ texture: tex }, { buffer: staging, bytesPerRow }, [W, H]);
  d.queue.submit([enc.finish()]);
  await staging.mapAsync(1);
  const raw = staging.getMappedRange();
  const out = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        out[(y * W + x) * 3 + c] = format === 'rgba32float'
          ? new Float32Array(raw, y * bytesPerRow + x * 16 + c * 4, 1)[0]
          : new Uint8Array(raw, y * bytesPerRow + x * 4 + c, 1)[0] / 255;
      }
    }
  }
  staging.unmap();
  staging.destroy();
  tex.destroy();
  return out;
}

export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export interface DisplayRecords {
  xy: Float64Array; // [N, 2]
  supportCov: Float64Array; // [N, 3] k^2 Sigma2 rebuilt from axis, ratio
  k: Float64Array; // [N]
  color: Float64Array; // [N, 3]
  opacity: Float64Array; // [N]
}

/** Decode [N, 8] u32 display records (shaders/display/display_splat_record.wgsl). */
export function decodeRecords(raw: Uint32Array, n: number): DisplayRecords {
  const f = new Float32Array(raw.buffer, raw.byteOffset, raw.length);
  const out: DisplayRecords = { xy: new Float64Array(n * 2), supportCov: new Float64Array(n * 3), k: new Float64Array(n), color: new Float64Array(n * 3), opacity: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const b = i * DISPLAY_STRIDE;
    const [ax, ay, ratio] = [f[b + 2], f[b + 3], f[b + 4]];
    // Corners centre +- axis +- ratio perp(axis): k^2 Sigma2 = axis axis^T + ratio^2 perp perp^T.
    const [px, py] = [-ratio * ay, ratio * ax];
    out.xy.set([f[b], f[b + 1]], i * 2);
    out.supportCov.set([ax * ax + px * px, ax * ay + px * py, ay * ay + py * py], i * 3);
    out.k[i] = f[b + 5];
    out.color.set([f16ToNumber(raw[b + 6] & 0xffff), f16ToNumber(raw[b + 6] >>> 16), f16ToNumber(raw[b + 7] & 0xffff)], i * 3);
    out.opacity[i] = f16ToNumber(raw[b + 7] >>> 16);
  }
  return out;
}

export async function readRecords(gpu: Gpu, buf: GPUBuffer, n: number): Promise<{ raw: Uint32Array; rec: DisplayRecords }> {
  const raw = await readU32(gpu, buf, n * DISPLAY_STRIDE);
  return { raw, rec: decodeRecords(raw, n) };
}

/** Elements of `a` at the rows where mask[i] is set (`width` values per row). */
export function rows(a: ArrayLike<number>, mask: (i: number) => boolean, n: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (mask(i)) for (let c = 0; c < width; c++) out.push(a[i * width + c]);
  return out;
}

let vertexStorageGpu: Promise<Gpu> | undefined;

/**
 * A second Node GPU whose device allows vertex-stage storage buffers (Dawn's compat GL adapter
 * offers them, but acquireGpu's device does not ask), so the 'indexed' draw path runs in Node
 * too. Same Dawn backend as testGpu(): the two paths' images differ only by the path.
 */
export function vertexStorageTestGpu(): Promise<Gpu> {
  vertexStorageGpu ??= (async () => {
    const base = await testGpu();
    const webgpu = await import('webgpu');
    const instance = webgpu.create(['backend=opengles']);
    keepAlive.push(instance);
    const adapter = await instance.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    if (!adapter) throw new Error('vertexStorageTestGpu: no compat GL adapter');
    const inVertex = (adapter.limits as unknown as { maxStorageBuffersInVertexStage?: number }).maxStorageBuffersInVertexStage ?? 0;
    if (inVertex < 1) throw new Error(`vertexStorageTestGpu: the adapter offers ${inVertex} vertex-stage storage buffers`);
    // The features acquireGpu asks for (float32-blendable: the tests draw into rgba32float).
    const requiredFeatures = [...base.device.features].filter((f) => adapter.features.has(f)) as GPUFeatureName[];
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits: { ...requiredLimitsFrom(adapter), maxStorageBuffersInVertexStage: inVertex } });
    device.addEventListener('uncapturederror', (e) => uncapturedGpuErrors.push((e as GPUUncapturedErrorEvent).error.message));
    return { device, adapter, report: { ...base.report }, shaders: base.shaders };
  })();
  return vertexStorageGpu;
}
/** Dawn instances must outlive their devices. */
const keepAlive: unknown[] = [];
