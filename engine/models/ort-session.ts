/**
 * onnxruntime-web sessions, created lazily and reused per (model path, providers).
 * Node/Electron main: the wasm execution provider (single-file build shipped in
 * node_modules/onnxruntime-web/dist). Browser/app renderer: WebGPU first, wasm fallback.
 */
import * as ort from 'onnxruntime-web';

export type OrtSession = ort.InferenceSession;
export { ort };

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

let configured = false;
function configureOnce(): void {
  if (configured) return;
  configured = true;
  // Threads in Node's wasm backend need worker files and SharedArrayBuffer; two
  // threads is the most the shared CI machine offers anyway. 1 keeps it simple and deterministic.
  ort.env.wasm.numThreads = isNode ? 1 : Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1);
  ort.env.logLevel = 'error';
}

/** Execution providers to try in order for this host. */
export function defaultProviders(): string[] {
  if (isNode) return ['wasm'];
  const hasWebGpu = typeof globalThis.navigator !== 'undefined' && 'gpu' in globalThis.navigator;
  return hasWebGpu ? ['webgpu', 'wasm'] : ['wasm'];
}

const sessions = new Map<string, Promise<OrtSession>>();

/**
 * A session for `model` (bytes or a key plus a loader), created once and shared.
 * `key` identifies the model (its verified path); `load` is only called the first time.
 */
export function getSession(key: string, load: () => Promise<Uint8Array>, providers = defaultProviders()): Promise<OrtSession> {
  configureOnce();
  const cacheKey = `${key}|${providers.join(',')}`;
  let s = sessions.get(cacheKey);
  if (!s) {
    s = load().then((bytes) => ort.InferenceSession.create(bytes, { executionProviders: providers, graphOptimizationLevel: 'all' }));
    // A failed creation must not poison the cache: the next call retries.
    s.catch(() => sessions.delete(cacheKey));
    sessions.set(cacheKey, s);
  }
  return s;
}

/** Release every cached session (tests, app shutdown). */
export async function releaseAllSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const p of all) {
    try {
      await (await p).release();
    } catch {
      // already failed at creation; nothing to release
    }
  }
}

/** Where a model's bytes come from: a stable key (its verified path) and a loader. */
export interface ModelSource {
  key: string;
  load(): Promise<Uint8Array>;
}

/** A model file on disk (Node / Electron main). */
export function fileModelSource(path: string): ModelSource {
  return {
    key: path,
    load: async () => {
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile(path));
    },
  };
}
