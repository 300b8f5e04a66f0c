/**
 * Proof against another renderer: Sparrow's PLY and SPZ exports loaded by
 * @sparkjsdev/spark 2.2 (three.js, WebGL2) in headless Chromium, rendered from the same
 * camera as Sparrow's own rasterizer, compared by SSIM. Chromium comes from
 * $CHROMIUM_PATH or /usr/bin/chromium (WebGL2 through SwiftShader).
 *
 * Spark renders files in their stored axes: PLY in our world, SPZ in RUB, so the SPZ
 * mesh gets the half turn about x that maps RUB back to our world (the page does it).
 * Spark 2.2 cannot read SPZ v4 (zstd streams: "Invalid gzip header"), which is why our
 * default SPZ version is 3.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSceneFile } from '../../engine/io/scene-file.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { createScene, rgbToShDc, type GaussianScene } from '../../engine/splat/scene.js';
import { gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const W = 64;
const H = 48;

/** A noisy sphere shell of opaque splats, SH degree 0 (view-independent, so both renderers agree). */
function shellScene(n: number): GaussianScene {
  const rand = rng(91);
  const s = createScene(n, 0);
  for (let i = 0; i < n; i++) {
    const d = [gaussian(rand), gaussian(rand), gaussian(rand)];
    const len = Math.hypot(...d);
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = d[a] / len + 0.05 * gaussian(rand);
      s.logScales[i * 3 + a] = Math.log(0.07 + 0.05 * rand());
      s.sh[i * 3 + a] = rgbToShDc(0.1 + 0.8 * rand());
    }
    for (let a = 0; a < 4; a++) s.quats[i * 4 + a] = gaussian(rand);
    s.opacityLogits[i] = 1 + 3 * rand();
  }
  return s;
}

const cameras: Camera[] = [
  lookAtCamera([0, -0.8, -3.2], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 60, fy: 60 }),
  lookAtCamera([2.6, 0.5, 1.6], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 60, fy: 60 }),
];

/** Luma in [0, 1] of RGBA8 pixels. */
function luma(rgba: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: rgba.length / 4 }, (_, i) => (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255);
}

/** Mean SSIM over 7x7 windows (uniform weights, C1 = 0.01^2, C2 = 0.03^2), on luma. */
function ssim(a: Float64Array, b: Float64Array, w: number, h: number): number {
  const R = 3;
  let sum = 0, count = 0;
  for (let y = R; y < h - R; y++) for (let x = R; x < w - R; x++) {
    let ma = 0, mb = 0, vaa = 0, vbb = 0, vab = 0;
    for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) {
      const p = a[(y + dy) * w + x + dx], q = b[(y + dy) * w + x + dx];
      ma += p; mb += q; vaa += p * p; vbb += q * q; vab += p * q;
    }
    const n = (2 * R + 1) ** 2;
    ma /= n; mb /= n;
    const sa = vaa / n - ma * ma, sb = vbb / n - mb * mb, sab = vab / n - ma * mb;
    sum += ((2 * ma * mb + 1e-4) * (2 * sab + 9e-4)) / ((ma * ma + mb * mb + 1e-4) * (sa + sb + 9e-4));
    count++;
  }
  return sum / count;
}

async function renderSparrow(scene: GaussianScene): Promise<Float64Array[]> {
  const gpu = await testGpu();
  const gpuScene = GpuScene.upload(gpu, scene);
  const rasterizer = new Rasterizer(gpu);
  try {
    const out: Float64Array[] = [];
    for (const camera of cameras) {
      const { color } = await readRender(gpu, await rasterizer.forward(gpuScene, camera, { background: [0, 0, 0] }));
      // Quantize like the browser's 8-bit canvas, then luma.
      const rgba = new Uint8Array(W * H * 4);
      for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.round(Math.min(1, Math.max(0, color[i * 3 + c])) * 255);
      out.push(luma(rgba));
    }
    return out;
  } finally {
    rasterizer.dispose();
    gpuScene.dispose();
  }
}

let dir = '';
let server: Server;
let port = 0;
let browser: Browser;
let page: Page;
let sparrowImages: Float64Array[] = [];

async function renderSpark(file: string, rotateXHalfTurn: boolean): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const cam of cameras) {
    const c2w = openGlCameraToWorld(cam);
    const colMajor = [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((r) => c2w[r][c]));
    const fovY = (2 * Math.atan(cam.height / 2 / cam.fy) * 180) / Math.PI;
    const px = (await page.evaluate(
      ([url, name, w, h, m, fov, flip]) => (window as unknown as { renderWithSpark: (...a: unknown[]) => Promise<number[]> }).renderWithSpark(url, name, w, h, m, fov, flip),
      [`/files/${file}`, file, W, H, colMajor, fovY, rotateXHalfTurn] as const,
    )) as number[];
    out.push(luma(px));
  }
  return out;
}

describe.skipIf(!existsSync(CHROMIUM))('Sparrow exports rendered by Spark (headless Chromium)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sparrow-spark-'));
    const scene = shellScene(400);
    await writeSceneFile(join(dir, 'scene.ply'), scene);
    await writeSceneFile(join(dir, 'scene.spz'), scene, undefined, { spzVersion: 3 });
    sparrowImages = await renderSparrow(scene);
    const root = process.cwd();
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    server = createServer((req, res) => {
      const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
      const file = url.startsWith('/files/') ? join(dir, url.slice(7)) : join(root, normalize(url));
      const allowed = url.startsWith('/files/') || url.startsWith('/node_modules/') || url === '/test/io/spark/page.html';
      if (!allowed || !existsSync(file)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
      res.end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'] });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/test/io/spark/page.html`);
    await page.waitForFunction(() => (window as unknown as { sparkReady?: boolean }).sparkReady === true, undefined, { timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('our PLY and SPZ (v3) render in Spark like in Sparrow; a frame error would not', async () => {
    const ply = await renderSpark('scene.ply', false);
    const spz = await renderSpark('scene.spz', true);
    const spzWrongFrame = await renderSpark('scene.spz', false);
    const score = (imgs: Float64Array[]) => imgs.map((img, k) => ssim(img, sparrowImages[k], W, H));
    const [sPly, sSpz, sWrong] = [score(ply), score(spz), score(spzWrongFrame)];
    if (process.env.SPARK_DEBUG) console.log({ sPly, sSpz, sWrong });
    // The renderers differ in details (Spark blends in linear space into 8-bit targets, dilates
    // splats, sorts on its own), so they are not pixel-exact: measured SSIM 0.983-0.990 for both
    // files (SPZ's quantization costs < 0.002), while the SPZ read in the wrong frame scores
    // 0.40-0.48. 0.95 separates the two with margin either side.
    for (const s of [...sPly, ...sSpz]) expect(s).toBeGreaterThan(0.95);
    for (const s of sWrong) expect(s).toBeLessThan(0.7);
  }, 180_000);
});
