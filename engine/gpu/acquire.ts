/**
 * One entry point to a WebGPU device on every host Sparrow runs on.
 *
 * - Browser / Electron renderer: `navigator.gpu`.
 * - Node: the npm `webgpu` package (Dawn). It tries the native adapter first
 *   (Vulkan / Metal / D3D12) and falls back to Dawn's OpenGL ES backend in
 *   compatibility mode, which runs on Mesa llvmpipe on a headless Linux box
 *   with `EGL_PLATFORM=surfaceless`.
 *
 * Every kernel in `shaders/` is written to fit compatibility mode; we request
 * the adapter's own limits because the compat defaults are tiny (4 storage
 * buffers per stage, 128 invocations per workgroup).
 */
import { ShaderLibrary } from './shader-library.js';

export interface AdapterReport {
  /** 'browser' or 'node'. */
  host: 'browser' | 'node';
  /** Backend the adapter runs on, as far as we can tell ('vulkan', 'opengles', ...). */
  backend: string;
  vendor: string;
  architecture: string;
  description: string;
  /** True when this is a CPU rasterizer (llvmpipe, SwiftShader). */
  isSoftware: boolean;
  featureLevel: 'core' | 'compatibility';
}

export interface Gpu {
  device: GPUDevice;
  adapter: GPUAdapter;
  report: AdapterReport;
  shaders: ShaderLibrary;
}

export interface AcquireOptions {
  /** Skip native adapters and use the OpenGL ES fallback (Node only). */
  forceFallback?: boolean;
  /** Where `shaders/` lives (Node only); defaults to the repository's. */
  shaderRoot?: string;
}

export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** Limits we raise to the adapter's maximum when it offers more than the defaults. */
const RAISED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxBindGroups',
  'maxStorageTexturesPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

export function requiredLimitsFrom(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return limits;
}

export async function deviceFrom(
  adapter: GPUAdapter,
  host: 'browser' | 'node',
  backendHint: string,
  featureLevel: 'core' | 'compatibility',
  shaders: ShaderLibrary,
): Promise<Gpu> {
  const features: GPUFeatureName[] = [];
  for (const f of ['timestamp-query', 'shader-f16', 'float32-blendable'] as GPUFeatureName[]) {
    if (adapter.features.has(f)) features.push(f);
  }
  const device = await adapter.requestDevice({
    requiredLimits: requiredLimitsFrom(adapter),
    requiredFeatures: features,
  });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  // Dawn's GL adapter names llvmpipe only in `device`; check every field.
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  const report: AdapterReport = {
    host,
    backend: backendHint,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description || info.device || '',
    isSoftware: /llvmpipe|swiftshader|lavapipe|software|cpu/.test(text),
    featureLevel,
  };
  return { device, adapter, report, shaders };
}

export function describeAdapter(report: AdapterReport): string {
  const name = [report.vendor, report.architecture, report.description].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name} (${report.host}, ${report.backend}, ${report.featureLevel}${report.isSoftware ? ', software' : ''})`;
}

/** Acquire a GPU on whatever host we run on. */
export async function acquireGpu(options: AcquireOptions = {}): Promise<Gpu> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && typeof (globalThis as { window?: unknown }).window !== 'undefined') {
    const { acquireBrowserGpu } = await import('./host-browser.js');
    return acquireBrowserGpu();
  }
  // Kept out of the browser bundle: the specifier is not statically analysable.
  const nodeHost = './host-node.js';
  const mod = (await import(/* @vite-ignore */ nodeHost)) as typeof import('./host-node.js');
  return mod.acquireNodeGpu(options);
}
