/**
 * Page of `bench/viewer.ts --draw`: the display path's draw alone, per draw path, in the browser
 * (Chromium's WebGPU on SwiftShader), on the viewer bench's cloud and a camera from the host.
 * For each path: one prepare (project + sort + gather), then `frames` draws into an offscreen
 * 8-bit target, each submitted and waited for alone; then `frames` prepares timed the same way.
 * The images of the paths are read back and compared, so a path cannot look fast by drawing less.
 */
import { acquireGpu, describeAdapter, type Gpu } from '../../engine/gpu/acquire.js';
import { createStorage } from '../../engine/gpu/buffers.js';
import { grid1d, kernel } from '../../engine/gpu/kernel.js';
import { PrefixSum } from '../../engine/gpu/scan.js';
import { RadixSorter, SORT_TILE } from '../../engine/gpu/sort.js';
import type { Camera } from '../../engine/splat/camera.js';
import { meansSphere } from '../../engine/splat/display/display-params.js';
import { DisplayRenderer, type DisplayDrawPath } from '../../engine/splat/display/display-renderer.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { cloudScene } from '../viewer-cloud.js';

export interface DrawBenchResult {
  adapter: string;
  vertexStorageLimit: number | undefined;
  paths: { path: DisplayDrawPath; drawMs: number[]; prepareMs: number[]; projectMs: number[]; projectSortMs: number[]; frameMs: number[]; visible: number; coverage: number }[];
  /** Largest per-channel difference (0-255) between the paths' images. */
  maxImageDiff: number;
  /** With sortBreakdown: ms of the 16-bit depth sort, of one 4-bit radix pass, and of that pass's count and scan kernels. */
  sort?: { sort16: number[]; onePass: number[]; count: number[]; scan: number[]; copy: number[] };
}

type Timed = (record: (enc: GPUCommandEncoder) => void) => Promise<number>;

/**
 * The radix sort of the frame's keys (RadixSorter, engine/gpu/sort.ts) taken apart: the whole
 * 16-bit sort, one 4-bit pass, and that pass's histogram (sort/sort_count) and scan alone; the
 * scatter is one pass minus those. Each sorts a fresh copy of the frame's (key, id) pairs.
 */
async function sortBreakdown(gpu: Gpu, keys: GPUBuffer, ids: GPUBuffer, n: number, frames: number, timed: Timed): Promise<NonNullable<DrawBenchResult['sort']>> {
  const sorter = new RadixSorter(gpu);
  const scan = new PrefixSum(gpu);
  const k = createStorage(gpu, n * 4, 'bench/keys');
  const v = createStorage(gpu, n * 4, 'bench/ids');
  const tiles = Math.ceil(n / SORT_TILE);
  const counts = createStorage(gpu, 16 * tiles * 4, 'bench/tile-counts');
  const offsets = createStorage(gpu, 16 * tiles * 4, 'bench/tile-offsets');
  const params = gpu.device.createBuffer({ size: 16, usage: 0x0040 /* UNIFORM */ | 0x0008 /* COPY_DST */ });
  gpu.device.queue.writeBuffer(params, 0, new Uint32Array([n, tiles, 0, 15]));
  const count = kernel(gpu, { shader: 'sort/sort_count' });
  const [gx, gy] = grid1d(tiles, 1, gpu.device.limits.maxComputeWorkgroupsPerDimension);
  const copy = (enc: GPUCommandEncoder) => {
    enc.copyBufferToBuffer(keys, 0, k, 0, n * 4);
    enc.copyBufferToBuffer(ids, 0, v, 0, n * 4);
  };
  const out = { sort16: [] as number[], onePass: [] as number[], count: [] as number[], scan: [] as number[], copy: [] as number[] };
  for (let i = 0; i < frames; i++) {
    out.copy.push(await timed(copy));
    out.sort16.push(await timed((enc) => (copy(enc), sorter.encode(enc, k, v, n, 16))));
    out.onePass.push(await timed((enc) => (copy(enc), sorter.encode(enc, k, v, n, 4))));
    out.count.push(await timed((enc) => {
      const pass = enc.beginComputePass();
      count.dispatch(pass, [count.bind([k, counts, params])], gx, gy);
      pass.end();
    }));
    out.scan.push(await timed((enc) => scan.encode(enc, counts, offsets, 16 * tiles, true)));
  }
  for (const b of [k, v, counts, offsets, params]) b.destroy();
  sorter.dispose();
  scan.dispose();
  return out;
}

async function run(
  count: number, camera: Camera, paths: DisplayDrawPath[], frames: number, minAlpha: number, localSort?: boolean, breakdown = false,
  format: GPUTextureFormat = 'rgba8unorm',
): Promise<DrawBenchResult> {
  const gpu = await acquireGpu();
  const d = gpu.device;
  const scene = cloudScene(count);
  const gs = GpuScene.upload(gpu, scene);
  const sphere = meansSphere(scene.means);
  const { width: W, height: H } = camera;
  const tex = d.createTexture({ size: [W, H], format, usage: 0x10 /* RENDER_ATTACHMENT */ | 0x01 /* COPY_SRC */ });
  const opts = { background: [0, 0, 0], sphere, minAlpha };
  const timed = async (record: (enc: GPUCommandEncoder) => void) => {
    const t0 = performance.now();
    const enc = d.createCommandEncoder();
    record(enc);
    d.queue.submit([enc.finish()]);
    await d.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  const out: DrawBenchResult['paths'] = [];
  let sort: DrawBenchResult['sort'];
  const images: Uint8Array[] = [];
  for (const path of paths) {
    const r = new DisplayRenderer(gpu, { drawPath: path, localSort });
    await r.ready(format);
    await timed((enc) => r.encodePrepare(enc, gs, camera, opts));
    const drawMs: number[] = [];
    for (let i = 0; i < frames; i++) drawMs.push(await timed((enc) => r.encodeDraw(enc, count, tex.createView(), format, opts.background)));
    const rgba = await readTexture(d, tex, W, H);
    images.push(rgba);
    let lit = 0;
    for (let p = 0; p < W * H; p++) if (rgba[p * 4] + rgba[p * 4 + 1] + rgba[p * 4 + 2] > 3) lit++;
    const args = d.createBuffer({ size: 16, usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
    const enc = d.createCommandEncoder();
    enc.copyBufferToBuffer(r.drawArgs, 0, args, 0, 16);
    d.queue.submit([enc.finish()]);
    await args.mapAsync(1);
    const visible = new Uint32Array(args.getMappedRange())[1];
    args.destroy();
    const prepareMs: number[] = [];
    const projectMs: number[] = [];
    const projectSortMs: number[] = [];
    // A whole frame in one submit, as the viewer records it.
    const frameMs: number[] = [];
    for (let i = 0; i < frames; i++) {
      frameMs.push(await timed((e) => r.encode(e, gs, camera, tex.createView(), format, opts)));
      prepareMs.push(await timed((e) => r.encodePrepare(e, gs, camera, opts)));
      projectMs.push(await timed((e) => r.encodePrepare(e, gs, camera, opts, 'project')));
      projectSortMs.push(await timed((e) => r.encodePrepare(e, gs, camera, opts, 'sort')));
    }
    out.push({ path, drawMs, prepareMs, projectMs, projectSortMs, frameMs, visible, coverage: lit / (W * H) });
    if (breakdown && !sort) {
      await timed((e) => r.encodePrepare(e, gs, camera, opts, 'project'));
      sort = await sortBreakdown(gpu, r.keys!, r.ids!, count, frames, timed);
    }
    r.dispose();
  }
  let maxImageDiff = 0;
  for (let i = 1; i < images.length; i++) for (let j = 0; j < images[0].length; j++) maxImageDiff = Math.max(maxImageDiff, Math.abs(images[i][j] - images[0][j]));
  tex.destroy();
  gs.dispose();
  const vertexStorageLimit = (d.limits as unknown as { maxStorageBuffersInVertexStage?: number }).maxStorageBuffersInVertexStage;
  return { adapter: describeAdapter(gpu.report), vertexStorageLimit, paths: out, maxImageDiff, sort };
}

async function readTexture(d: GPUDevice, tex: GPUTexture, W: number, H: number): Promise<Uint8Array> {
  const bytesPerRow = Math.ceil((W * 4) / 256) * 256;
  const buf = d.createBuffer({ size: bytesPerRow * H, usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
  const enc = d.createCommandEncoder();
  enc.copyTextureToBuffer({ texture: tex }, { buffer: buf, bytesPerRow }, [W, H]);
  d.queue.submit([enc.finish()]);
  await buf.mapAsync(1);
  const raw = new Uint8Array(buf.getMappedRange());
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) rgba.set(raw.subarray(y * bytesPerRow, y * bytesPerRow + W * 4), y * W * 4);
  buf.unmap();
  buf.destroy();
  return rgba;
}

(globalThis as unknown as { drawBench: { run: typeof run } }).drawBench = { run };
(globalThis as unknown as { drawBenchReady: boolean }).drawBenchReady = true;
