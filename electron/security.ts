/**
 * Security settings as Electron recommends: isolated, sandboxed renderer without
 * Node, a strict CSP, no remote content, no navigation or new windows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
  } as const;
}

/** Only the app's own pages may load: file:// inside the app folder, or the dev server in development. */
export function isAllowedNavigation(url: string, appRootUrl: string, devServerUrl?: string): boolean {
  if (devServerUrl && url.startsWith(devServerUrl)) return true;
  return url.startsWith(appRootUrl);
}

/**
 * Chromium switches WebGPU needs on Linux (Electron ships it, but Linux GPUs are
 * still behind a flag): Vulkan for a native adapter, unsafe-webgpu to allow it.
 */
export function webgpuSwitches(platform: NodeJS.Platform): [string, string?][] {
  if (platform !== 'linux') return [];
  return [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']];
}
