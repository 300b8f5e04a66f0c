import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer page: runs inside Electron and in plain Chromium for tests.
// base './' so the built page loads from file:// in Electron.
export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: false,
  resolve: {
    // opencv-js's module object is thenable; see renderer/worker/opencv-browser.ts.
    alias: [{ find: /^@techstark\/opencv-js$/, replacement: fileURLToPath(new URL('./renderer/worker/opencv-browser.ts', import.meta.url)) }],
  },
  build: { outDir: '../dist/renderer', emptyOutDir: true, target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
