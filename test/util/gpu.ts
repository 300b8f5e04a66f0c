/** One GPU per test worker: acquiring Dawn is slow, and tests share it. */
import { acquireGpu, type Gpu } from '../../engine/gpu/acquire.js';

let pending: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  pending ??= acquireGpu();
  return pending;
}
