/**
 * Node host: Dawn through the npm `webgpu` package.
 *
 * Order: native adapter (Vulkan/Metal/D3D12), then Dawn's OpenGL ES backend in
 * compatibility mode (works on Mesa llvmpipe with EGL_PLATFORM=surfaceless).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceFrom, GpuUnavailableError, type AcquireOptions, type Gpu } from './acquire.js';
import { ShaderLibrary } from './shader-library.js';
import { packageRootFrom } from '../io/package-root.js';

const INSTALL_HINT =
  'No WebGPU adapter found. On Linux install Mesa EGL/GLES (Debian/Ubuntu: apt-get install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri) ' +
  'or a Vulkan driver (mesa-vulkan-drivers / your GPU vendor driver).';

export function defaultShaderRoot(): string {
  return join(packageRootFrom(import.meta.url), 'shaders');
}

export function fileShaderLibrary(root = defaultShaderRoot()): ShaderLibrary {
  return new ShaderLibrary((name) => {
    const path = join(root, `${name}.wgsl`);
    if (!existsSync(path)) throw new Error(`shader '${name}' not found at ${path}`);
    return readFileSync(path, 'utf8');
  });
}

// Dawn instances must outlive their devices; keep them for the process lifetime.
const instances: unknown[] = [];

export async function acquireNodeGpu(options: AcquireOptions = {}): Promise<Gpu> {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new GpuUnavailableError(`The 'webgpu' npm package (Dawn for Node) could not be loaded: ${(e as Error).message}. Run npm ci.`);
  }
  Object.assign(globalThis, webgpu.globals);
  const shaders = fileShaderLibrary(options.shaderRoot);
  const forceFallback = options.forceFallback || process.env.SPARROW_GPU === 'fallback';

  if (!forceFallback) {
    for (const backend of ['vulkan', 'metal', 'd3d12']) {
      const native = await tryAdapter(webgpu, [`backend=${backend}`], { powerPreference: 'high-performance' });
      if (native) return deviceFrom(native, 'node', backend, 'core', shaders);
    }
  }
  if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const compat = await tryAdapter(webgpu, ['backend=opengles'], { featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  if (compat) return deviceFrom(compat, 'node', 'opengles', 'compatibility', shaders);
  throw new GpuUnavailableError(INSTALL_HINT);
}

async function tryAdapter(
  webgpu: typeof import('webgpu'),
  flags: string[],
  opts: GPURequestAdapterOptions,
): Promise<GPUAdapter | null> {
  const platformOk =
    (flags[0] === 'backend=metal' && process.platform === 'darwin') ||
    (flags[0] === 'backend=d3d12' && process.platform === 'win32') ||
    flags[0] === 'backend=vulkan' ||
    flags[0] === 'backend=opengles';
  if (!platformOk) return null;
  try {
    const gpu = webgpu.create(flags);
    instances.push(gpu);
    const adapter = await gpu.requestAdapter(opts);
    // Dawn may hand back its CPU Vulkan (SwiftShader/lavapipe) adapter as "native";
    // that is still a valid device, so we accept it.
    return adapter ?? null;
  } catch {
    return null;
  }
}
