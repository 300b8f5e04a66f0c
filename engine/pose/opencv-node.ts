/**
 * Loads @techstark/opencv-js in Node without `require()`-ing its 7.6 MB bundle, which is
 * ~97% one base64 string literal: the wasm binary as a data URI. `require()` makes V8
 * read and compile all 7.6 MB as JavaScript (~0.12 s of main-thread time in a cold
 * process on this machine) before the wasm compile can even start. Here:
 *   1. the file is read as bytes; the base64 payload is decoded from them and handed
 *      to `WebAssembly.compile`, which runs on V8's background threads while the rest
 *      loads (and, started before the photos decode, while they decode);
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
  const glue = withFewerFunctionCompiles(`${buf.toString('utf8', 0, start)}var wasmBinaryFile="opencv.wasm"${buf.toString('utf8', end + 1)}`);
  // A copy of its own: Buffer.from may hand out a slice of a shared pool.
  return { wasm: new Uint8Array(wasm), glue };
}

/**
 * Embind's start-up compiles ~2100 small JavaScript functions from source (`new
 * Function`) while it registers OpenCV's bindings: ~700 "dynCall" trampolines, ~700
 * invokers (one per bound function or method, each with its argument conversions
 * written out) and, for each invoker, a throw-away named constructor in `new_`. A cold
 * process uses a few dozen of those bindings. Three replacements with the same behaviour:
 *   - makeDynCaller: a closure that calls dynCall(rawFunction, a1..an) with the
 *     signature's n arguments, instead of compiling that same function from source;
 *   - craftInvokerFunction: returns a stub that crafts the invoker (Emscripten's own
 *     code, unchanged) on its first call and forwards `this` and the arguments to it,
 *     so invokers of bindings that are never called are never compiled;
 *   - new_(Function, args): `new Function(...args)` and `Function(...args)` are the same
 *     function by the language spec, so no named dummy constructor is compiled for it.
 * Each replacement applies only where the original text is found exactly (another
 * build of the package keeps its own code); test/pose/opencv-node.test.ts checks that
 * all apply to the installed bundle and that AKAZE gives the same features as the
 * stock package.
 */
export const GLUE_PATCHES: { name: string; from: string; to: string }[] = [
  {
    name: 'makeDynCaller',
    from: 'function makeDynCaller(dynCall){var args=[];for(var i=1;i<signature.length;++i){args.push("a"+i)}var name="dynCall_"+signature+"_"+rawFunction;var body="return function "+name+"("+args.join(", ")+") {\\n";body+="    return dynCall(rawFunction"+(args.length?", ":"")+args.join(", ")+");\\n";body+="};\\n";return new Function("dynCall","rawFunction",body)(dynCall,rawFunction)}',
    to: 'function makeDynCaller(dynCall){var n=signature.length-1;return function(){var a=[rawFunction];for(var i=0;i<n;i++)a.push(arguments[i]);return dynCall.apply(null,a)}}',
  },
  {
    name: 'craftInvokerFunction',
    from: 'function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){var argCount=argTypes.length;',
    to: 'function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){var crafted=null;return function(){if(crafted===null)crafted=craftInvokerFunctionNow(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc);return crafted.apply(this,arguments)}}function craftInvokerFunctionNow(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){var argCount=argTypes.length;',
  },
  {
    name: 'new_',
    from: 'function new_(constructor,argumentList){if(!(constructor instanceof Function)){throw new TypeError("new_ called with constructor type "+typeof constructor+" which is not a function")}',
    to: 'function new_(constructor,argumentList){if(constructor===Function)return Function.apply(null,argumentList);if(!(constructor instanceof Function)){throw new TypeError("new_ called with constructor type "+typeof constructor+" which is not a function")}',
  },
];

function withFewerFunctionCompiles(glue: string): string {
  for (const p of GLUE_PATCHES) if (glue.indexOf(p.from) >= 0 && glue.indexOf(p.from) === glue.lastIndexOf(p.from)) glue = glue.replace(p.from, () => p.to);
  return glue;
}

/**
 * The initialized OpenCV module, wrapped in an object: the module is "thenable"
 * (Emscripten), so resolving a promise with it directly would recurse.
 */
export async function loadOpenCvNode(): Promise<{ cv: OpenCv }> {
  // Where node has process.getBuiltinModule (20.16+), everything up to the wasm compile
  // and the glue's evaluation runs synchronously inside this call, so a caller that
  // starts the load and then decodes its photos has the compile running on V8's
  // background threads meanwhile, and no event-loop turns (dynamic imports, an async
  // file read) wait behind the decoding. Older node: the same steps, awaited.
  const node = nodeBuiltins() ?? (await importBuiltins());
  const { createRequire, readFileSync, runInThisContext, dirname } = node;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@techstark/opencv-js');
  const parts = splitOpenCvBundle(readFileSync(file));
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

interface NodeBuiltins {
  createRequire: (url: string) => NodeJS.Require;
  readFileSync: (file: string) => Uint8Array;
  runInThisContext: (code: string, opts: { filename: string }) => any;
  dirname: (path: string) => string;
}

/** node:module, node:fs, node:vm and node:path without an await, or null where node cannot. */
function nodeBuiltins(): NodeBuiltins | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process?.getBuiltinModule;
  if (!get) return null;
  return {
    createRequire: get('node:module').createRequire,
    readFileSync: get('node:fs').readFileSync,
    runInThisContext: get('node:vm').runInThisContext,
    dirname: get('node:path').dirname,
  };
}

async function importBuiltins(): Promise<NodeBuiltins> {
  const [m, fs, vm, path] = await Promise.all([import('node:module'), import('node:fs'), import('node:vm'), import('node:path')]);
  return { createRequire: m.createRequire, readFileSync: fs.readFileSync, runInThisContext: vm.runInThisContext, dirname: path.dirname };
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
