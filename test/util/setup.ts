// Fails any test during which the shared GPU device reported an uncaptured error.
import { afterEach } from 'vitest';
import { takeGpuErrors } from './gpu.js';

afterEach(async () => {
  const errors = await takeGpuErrors();
  if (errors.length) throw new Error(`WebGPU reported ${errors.length} uncaptured error(s):\n${errors.slice(0, 3).join('\n---\n')}`);
});
