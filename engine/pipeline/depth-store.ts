/** Depth maps of the depth stage on disk (exact float32 + JSON sidecar), so a resumed run reloads them. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DepthMap } from '../depth/types.js';
import { writeFileAtomic } from '../io/atomic-write.js';

export function saveDepthMap(dir: string, name: string, map: DepthMap): void {
  const n = map.width * map.height;
  const bytes = new Uint8Array(n * 9);
  new Float32Array(bytes.buffer, 0, n).set(map.depth);
  new Float32Array(bytes.buffer, n * 4, n).set(map.confidence);
  bytes.set(map.filled, n * 8);
  writeFileAtomic(join(dir, `${name}.depth.bin`), bytes);
  writeFileAtomic(join(dir, `${name}.depth.json`), JSON.stringify({ width: map.width, height: map.height, layout: 'f32 depth [H,W], f32 confidence [H,W], u8 filled [H,W]' }));
}

export function loadDepthMap(dir: string, name: string): DepthMap {
  const meta = join(dir, `${name}.depth.json`);
  if (!existsSync(meta)) throw new Error(`${meta}: missing depth map of a finished depth stage (delete state.json to recompute)`);
  const { width, height } = JSON.parse(readFileSync(meta, 'utf8')) as { width: number; height: number };
  const raw = readFileSync(join(dir, `${name}.depth.bin`));
  const n = width * height;
  if (raw.byteLength !== n * 9) throw new Error(`${join(dir, `${name}.depth.bin`)}: truncated (${raw.byteLength} bytes, expected ${n * 9})`);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
  return { width, height, depth: new Float32Array(bytes.buffer, 0, n), confidence: new Float32Array(bytes.buffer, n * 4, n), filled: bytes.subarray(n * 8) };
}
