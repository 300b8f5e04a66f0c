import { defineConfig } from 'vitest/config';

// GPU tests run on Dawn's OpenGL ES backend over Mesa llvmpipe on CI machines
// (2 cores): generous timeouts, and at most two workers so each gets a core.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { EGL_PLATFORM: 'surfaceless' },
    setupFiles: ['test/util/setup.ts'],
  },
});
