/**
 * One GPU per test worker: acquiring Dawn is slow, and tests share it.
 * Uncaptured WebGPU errors (invalid WGSL, bad bind groups) would otherwise only be
 * logged while the test reads back zeros; test/util/setup.ts fails the test instead.
 */
import { acquireGpu, type Gpu } from '../../engine/gpu/acquire.js';

let pending: Promise<Gpu> | undefined;
export const uncapturedGpuErrors: string[] = [];

export function testGpu(): Promise<Gpu> {
  pending ??= acquireGpu().then((gpu) => {
    gpu.device.addEventListener('uncapturederror', (e) => {
      uncapturedGpuErrors.push((e as GPUUncapturedErrorEvent).error.message);
    });
    return gpu;
  });
  return pending;
}

/** Let pending error events arrive, then return and clear them. */
export async function takeGpuErrors(): Promise<string[]> {
  if (!pending) return [];
  const gpu = await pending;
  await gpu.device.queue.onSubmittedWorkDone();
  await new Promise((r) => setTimeout(r, 0));
  return uncapturedGpuErrors.splice(0);
}
