/** Scene bytes -> GaussianScene in the page, through the engine's format codecs. */
import { decodeScene } from '../engine/io/scene-codec.js';
import type { GaussianScene } from '../engine/splat/scene.js';

export function decodeSceneBytes(bytes: Uint8Array, name: string): Promise<GaussianScene> {
  return decodeScene(bytes, name);
}
