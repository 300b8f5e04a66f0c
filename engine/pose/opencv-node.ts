/**
 * Loads @techstark/opencv-js in Node without `require()`-ing its 7.6 MB bundle, which is
 * ~97% one base64 string literal: the wasm binary as a data URI. `require()` makes V8
 * read and compile all 7.6 MB as JavaScript (~0.12 s of main-thread time in a cold
 * process on this machine) before the wasm compile can even start. Here:
 *   1. the file is read as bytes; the base64 payload is decoded straight from them
 *      (never becoming a JS string) and handed to `WebAssembly.compile`, which runs on
 *      V8's background threads while the rest loads;
 *   2. the ~0.2 MB of Emscripten glue left after cutting the literal out is evaluated
 *      as a CommonJS-style function with a `Module` whose `instantiateWasm` hook
 *      instantiates that compiled module (Emscripten's documented override).
 * Measured cold (node --cpu-prof, 3 runs each): main-thread time of the process 0.85-1.09 s
 * -> 0.73-0.96 s, load 0.26-0.27 s -> 0.17-0.20 s wall.
 * Same wasm, same glue, so the same OpenCV: test/pose/opencv-node.test.ts checks AKAZE
 * features against the stock `require()`. A bundle without the data URI (another build
 * of the package) is loaded by `require()` as before.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type OpenCv = any;

const WASM_MARKER = 'var wasmBinaryFile="data:application/octet-stream;base64,';

/** The wasm bytes and the glue without them; null when the bundle has no inline wasm. */
export function splitOpenCvBundle(bundle: Uint8Array): { wasm: Uint8Array<ArrayBuffer>; glue: string } | null {
  const buf = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const start = buf.indexOf(WASM_MARKER, 0, 'latin1');
  if (start < 0) return null;
  const from = start + WASM_MARKER.length;
  const end = buf.indexOf(0x22 /* " */, from);
  if (end < 0) return null;
  // base64 is ASCII: decoding from a latin1 view of the bytes is exact.
  const wasm = Buffer.from(buf.toString('latin1', from, end), 'base64');
  // Not a data URI any more: with `instantiateWasm` set, Emscripten never fetches it.
  const glue = `${buf.toString('utf8', 0, start)}var wasmBinaryFile="opencv.wasm"${buf.toString('utf8', end + 1)}`;
  // A copy of its own: Buffer.from may hand out a slice of a shared pool.
  return { wasm: new Uint8Array(wasm), glue };
}

/**
 * The initialized OpenCV module, wrapped in an object: the module is "thenable"
 * (Emscripten), so resolving a promise with it directly would recurse.
 */
export async function loadOpenCvNode(): Promise<{ cv: OpenCv }> {
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const { runInThisContext } = await import('node:vm');
  const { dirname } = await import('node:path');
  const require = createRequire(import.meta.url);
  const file = require.resolve('@techstark/opencv-js');
  const parts = splitOpenCvBundle(await readFile(file));
  if (!parts) return withoutEmscriptenHandlers(() => ({ cv: require(file) }));

  const compiled = WebAssembly.compile(parts.wasm);
  let failed: (e: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const Module: Record<string, unknown> = {
    // Emscripten: instantiateWasm(imports, receiveInstance) returns {} when it instantiates asynchronously.
    instantiateWasm(imports: WebAssembly.Imports, receiveInstance: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      compiled
        .then(async (m) => receiveInstance(await WebAssembly.instantiate(m, imports), m))
        .catch((e) => failed(new Error(`opencv.js: wasm instantiation failed (${(e as Error).message ?? e})`)));
      return {};
    },
  };
  // The bundle's UMD wrapper assigns module.exports and, finding `Module` defined (our
  // parameter), runs its factory with it instead of creating a global.
  const factory = runInThisContext(`(function (Module, module, exports, require, __filename, __dirname) {${parts.glue}\n})`, { filename: file });
  const module = { exports: {} as OpenCv };
  const { cv } = withoutEmscriptenHandlers(() => {
    factory.call(module.exports, Module, module, module.exports, require, file, dirname(file));
    return { cv: module.exports };
  });
  if (!cv.Mat) {
    await Promise.race([new Promise<void>((resolve) => (cv.onRuntimeInitialized = () => resolve())), failure]);
  }
  return { cv };
}

/**
 * Runs `load` and removes the process-wide 'uncaughtException' (rethrow) and
 * 'unhandledRejection' (abort) handlers the Emscripten build installs in Node: they
 * would take over the host's own error handling.
 */
function withoutEmscriptenHandlers<T>(load: () => T): T {
  const proc = process as unknown as { listeners(e: string): Function[]; removeListener(e: string, l: Function): void };
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((e) => new Set(proc.listeners(e)));
  try {
    return load();
  } finally {
    events.forEach((e, k) => {
      for (const l of proc.listeners(e)) if (!before[k].has(l)) proc.removeListener(e, l);
    });
  }
}
