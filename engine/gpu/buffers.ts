/**
 * Buffer helpers: typed uploads, zeroed storage, uniforms, readback.
 * Every buffer size is rounded up to 4 bytes (and at least 4) because WebGPU
 * rejects zero-sized bindings and unaligned copies.
 */
import type { Gpu } from './acquire.js';



function GPUBufferUsageFlags() {
  // GPUBufferUsage is a global only after the host installed WebGPU; use the spec values.
  return {
    MAP_READ: 0x0001,
    MAP_WRITE: 0x0002,
    COPY_SRC: 0x0004,
    COPY_DST: 0x0008,
    INDEX: 0x0010,
    VERTEX: 0x0020,
    UNIFORM: 0x0040,
    STORAGE: 0x0080,
    INDIRECT: 0x0100,
  } as const;
}
export const Usage = GPUBufferUsageFlags();

const STORAGE_RW = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

export function align4(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

export function createStorage(gpu: Gpu, byteLength: number, label?: string, extraUsage = 0): GPUBuffer {
  return gpu.device.createBuffer({ label, size: align4(byteLength), usage: STORAGE_RW | extraUsage });
}

export function uploadStorage(gpu: Gpu, data: ArrayBufferView, label?: string, extraUsage = 0): GPUBuffer {
  const buffer = createStorage(gpu, data.byteLength, label, extraUsage);
  writeBuffer(gpu, buffer, data);
  return buffer;
}

export function writeBuffer(gpu: Gpu, buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
  if (data.byteLength === 0) return;
  const padded = data.byteLength % 4 === 0 ? data : padTo4(data);
  gpu.device.queue.writeBuffer(buffer, offset, padded.buffer, padded.byteOffset, padded.byteLength);
}

function padTo4(data: ArrayBufferView): Uint8Array {
  const out = new Uint8Array(align4(data.byteLength));
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}

export function createUniform(gpu: Gpu, data: ArrayBufferView, label?: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buffer = gpu.device.createBuffer({ label, size, usage: Usage.UNIFORM | Usage.COPY_DST });
  writeBuffer(gpu, buffer, data);
  return buffer;
}

/** Copy `byteLength` bytes of `src` to the host. Waits for the queue. */
export async function readBuffer(gpu: Gpu, src: GPUBuffer, byteLength = src.size, srcOffset = 0): Promise<ArrayBuffer> {
  const size = align4(byteLength);
  const staging = gpu.device.createBuffer({ size, usage: Usage.MAP_READ | Usage.COPY_DST });
  const enc = gpu.device.createCommandEncoder();
  enc.copyBufferToBuffer(src, srcOffset, staging, 0, size);
  gpu.device.queue.submit([enc.finish()]);
  await staging.mapAsync(1 /* GPUMapMode.READ */);
  const copy = staging.getMappedRange().slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return copy;
}

export async function readF32(gpu: Gpu, src: GPUBuffer, count?: number): Promise<Float32Array> {
  const n = count ?? src.size / 4;
  return new Float32Array(await readBuffer(gpu, src, n * 4));
}

export async function readU32(gpu: Gpu, src: GPUBuffer, count?: number): Promise<Uint32Array> {
  const n = count ?? src.size / 4;
  return new Uint32Array(await readBuffer(gpu, src, n * 4));
}

export async function readI32(gpu: Gpu, src: GPUBuffer, count?: number): Promise<Int32Array> {
  const n = count ?? src.size / 4;
  return new Int32Array(await readBuffer(gpu, src, n * 4));
}

/** Fill a storage buffer with zeros on the GPU timeline. */
export function clearBuffer(encoder: GPUCommandEncoder, buffer: GPUBuffer, offset = 0, size?: number): void {
  encoder.clearBuffer(buffer, offset, size);
}

/** Run `record` in one command buffer and submit it. */
export function submit(gpu: Gpu, record: (encoder: GPUCommandEncoder) => void): void {
  const enc = gpu.device.createCommandEncoder();
  record(enc);
  gpu.device.queue.submit([enc.finish()]);
}

/** Record compute work in one pass and submit. */
export function computePass(gpu: Gpu, record: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void): void {
  submit(gpu, (enc) => {
    const pass = enc.beginComputePass();
    record(pass, enc);
    pass.end();
  });
}
