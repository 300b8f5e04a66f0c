/**
 * Training checkpoints: one file, written atomically (temp file + rename).
 *
 * Layout (little-endian):
 *   magic "SPRWCKPT" (8 bytes) | u32 version | u32 headerBytes | header JSON (UTF-8),
 *   zero-padded to a multiple of 4 | the arrays' raw float32 data, in header order.
 * Header: { meta, arrays: [{ name, length }] }; `meta` is whatever the trainer saves
 * (step, config, RNG state, view order ...).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write.js';

const MAGIC = 'SPRWCKPT';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointData<M = unknown> {
  meta: M;
  arrays: Record<string, Float32Array>;
}

export class CheckpointError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'FormatError';
  }
}

export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const entries = Object.entries(data.arrays);
  const header = new TextEncoder().encode(JSON.stringify({ meta: data.meta, arrays: entries.map(([name, a]) => ({ name, length: a.length })) }));
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const dataBytes = entries.reduce((s, [, a]) => s + a.byteLength, 0);
  const out = new Uint8Array(16 + headerPadded + dataBytes);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let off = 16 + headerPadded;
  for (const [, a] of entries) {
    // Copy through bytes: float32 data is little-endian on every host WebGPU runs on.
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

export function decodeCheckpoint<M = unknown>(bytes: Uint8Array, file = '<memory>'): CheckpointData<M> {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new CheckpointError(file, 'not a Sparrow checkpoint');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) throw new CheckpointError(file, `checkpoint version ${version}, this build reads ${CHECKPOINT_VERSION}`);
  const hlen = view.getUint32(12, true);
  if (16 + hlen > bytes.length) throw new CheckpointError(file, 'truncated header');
  let header: { meta: M; arrays: { name: string; length: number }[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (e) {
    throw new CheckpointError(file, `corrupt header (${(e as Error).message})`);
  }
  let off = 16 + Math.ceil(hlen / 4) * 4;
  const arrays: Record<string, Float32Array> = {};
  for (const { name, length } of header.arrays) {
    if (off + length * 4 > bytes.length) throw new CheckpointError(file, `truncated data in array '${name}'`);
    // Copy so the arrays are aligned and independent of the file buffer (a Node Buffer's
    // slice() is a view into a shared pool, so copy explicitly).
    const copy = new Uint8Array(length * 4);
    copy.set(bytes.subarray(off, off + length * 4));
    arrays[name] = new Float32Array(copy.buffer);
    off += length * 4;
  }
  if (off !== bytes.length) throw new CheckpointError(file, 'trailing bytes after the last array');
  return { meta: header.meta, arrays };
}

export function writeCheckpoint(path: string, data: CheckpointData): void {
  writeFileAtomic(path, encodeCheckpoint(data));
}

export function readCheckpoint<M = unknown>(path: string): CheckpointData<M> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(path, `cannot read checkpoint (${(e as Error).message})`);
  }
  return decodeCheckpoint<M>(bytes, path);
}
