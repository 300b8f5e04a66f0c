/** Browser / Electron renderer host: `navigator.gpu`, shaders bundled by Vite. */
import { deviceFrom, GpuUnavailableError, type Gpu } from './acquire.js';
import { ShaderLibrary } from './shader-library.js';

// Vite inlines every kernel source at build time from the same files Node reads.
const sources = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

export function bundledShaderLibrary(): ShaderLibrary {
  const byName = new Map<string, string>();
  for (const [path, code] of Object.entries(sources)) {
    byName.set(path.replace(/^.*\/shaders\//, '').replace(/\.wgsl$/, ''), code);
  }
  return new ShaderLibrary((name) => {
    const code = byName.get(name);
    if (code === undefined) throw new Error(`shader '${name}' is not bundled (looked for shaders/${name}.wgsl)`);
    return code;
  });
}

export async function acquireBrowserGpu(): Promise<Gpu> {
  const gpu = navigator.gpu;
  if (!gpu) {
    throw new GpuUnavailableError(
      'WebGPU is not available in this browser. Use a current Chromium/Electron; on Linux start it with --enable-unsafe-webgpu --enable-features=Vulkan.',
    );
  }
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  let level: 'core' | 'compatibility' = 'core';
  if (!adapter) {
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    level = 'compatibility';
  }
  if (!adapter) throw new GpuUnavailableError('navigator.gpu returned no adapter: WebGPU is disabled or no GPU driver is usable.');
  return deviceFrom(adapter, 'browser', 'browser', level, bundledShaderLibrary());
}
