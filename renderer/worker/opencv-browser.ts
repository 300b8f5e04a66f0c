/**
 * What `import('@techstark/opencv-js')` resolves to in the browser bundle (vite.config.ts
 * alias). The Emscripten module object has a `then` method, and the namespace of a bundled
 * CommonJS module copies it, so awaiting the dynamic import would resolve the promise with
 * a thenable that resolves with itself, forever (the worker spins at 100% CPU). This module
 * exports the same object behind a proxy that hides `then`; everything else passes through.
 */
// @ts-expect-error the package ships no types for its dist path
import opencv from '@techstark/opencv-js/dist/opencv.js';

const target = opencv as Record<string | symbol, unknown>;

const cv = new Proxy(target, {
  get: (t, key) => (key === 'then' ? undefined : t[key]),
  set: (t, key, value) => {
    t[key] = value;
    return true;
  },
});

export default cv;
