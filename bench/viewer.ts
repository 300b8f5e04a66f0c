/**
 * `npm run bench:viewer`: frame time of Sparrow's viewer (the built app page: engine
 * rasterizer with a GPU depth sort every frame, then a blit) against @sparkjsdev/spark
 * 2.2 (three.js, WebGL2; sort on the CPU in a worker) on the same PLY, same camera,
 * 1280x720, in the same Chromium (Debian's, WebGPU and WebGL on SwiftShader here).
 *
 *   npm run bench:viewer [-- --counts 100000,1000000 --frames 12 --out bench/results/viewer.md]
 *
 * Sparrow's frame time is what its render loop measures: forward (project, sort, bin,
 * rasterize) + blit + queue.onSubmittedWorkDone. Spark's is renderer.render + a 1-pixel
 * readPixels (waits for the frame);
 * its sort is not in it (it runs in a worker and the frame uses the last finished order).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodePly } from '../engine/io/ply.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../engine/splat/camera.js';
import { createScene, rgbToShDc, type GaussianScene } from '../engine/splat/scene.js';
import { bounds } from '../renderer/viewer/viewer.js';
import { buildRenderer, openPage } from '../test/app/page.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const COUNTS = arg('counts', '100000,1000000').split(',').map(Number);
const FRAMES = Number(arg('frames', '12'));
const OUT = arg('out', 'bench/results/viewer.md');
/** Skip Sparrow (it takes minutes per frame on SwiftShader) and view from the framing the viewer would pick. */
const SPARK_ONLY = process.argv.includes('--spark-only');
const W = 1280;
const H = 720;

/** Deterministic cloud: clumps of small splats in a unit ball, random colours and opacities, SH 0. */
function cloudScene(n: number, seed = 7): GaussianScene {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const s = createScene(n, 0);
  const clumps = Array.from({ length: 200 }, () => [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1].map((v) => v * 0.8));
  const scale = Math.log(0.6 / Math.cbrt(n));
  for (let i = 0; i < n; i++) {
    const c = clumps[i % clumps.length];
    for (let k = 0; k < 3; k++) {
      s.means[i * 3 + k] = c[k] + (rand() - 0.5) * 0.4;
      s.logScales[i * 3 + k] = scale + (rand() - 0.5);
      s.sh[i * 3 + k] = rgbToShDc(rand());
    }
    const q = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
    const qn = Math.hypot(...q);
    for (let k = 0; k < 4; k++) s.quats[i * 4 + k] = q[k] / qn;
    s.opacityLogits[i] = (rand() - 0.3) * 4;
  }
  return s;
}

function stats(times: number[]): { median: number; mean: number; n: number } {
  const s = [...times].sort((x, y) => x - y);
  return { median: s[s.length >> 1], mean: s.reduce((x, y) => x + y, 0) / s.length, n: s.length };
}

interface Row {
  count: number;
  sparrow: { median: number; mean: number; n: number };
  spark: { median: number; mean: number; n: number };
  adapter: string;
}

async function sparrowFrames(dir: string, file: string, count: number): Promise<{ times: number[]; camera: Camera; adapter: string }> {
  const app = await openPage(dir, { width: 1380, height: 900 });
  try {
    await app.page.uncheck('#show-grid');
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-scene')]);
    // The viewer pane at exactly WxH (it covers the controls, so after using them).
    await app.page.addStyleTag({ content: `#viewer-pane { position: fixed !important; left: 0; top: 0; width: ${W}px !important; height: ${H}px !important; z-index: 5; }` });
    await chooser.setFiles(join(dir, file));
    const label = count.toLocaleString('en-US');
    await app.page.waitForFunction((l) => (document.getElementById('hud')?.textContent ?? '').includes(`${l} splats`), label, { timeout: 600_000, polling: 500 });
    // Let a couple of frames pass (pipeline warm-up), then time FRAMES frames while orbiting.
    const start = await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: { frameTimes: number[] } }).sparrowApp.frameTimes.length);
    const box = (await app.page.locator('#viewer').boundingBox())!;
    await app.page.mouse.move(box.x + 600, box.y + 360);
    await app.page.mouse.down();
    for (let i = 0; ; i++) {
      const n = await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: { frameTimes: number[] } }).sparrowApp.frameTimes.length);
      if (n >= start + FRAMES + 2) break;
      await app.page.mouse.move(box.x + 600 + ((i % 40) - 20) * 3, box.y + 360);
      await app.page.waitForTimeout(100);
    }
    await app.page.mouse.up();
    const info = await app.page.evaluate(() => {
      const a = (globalThis as unknown as { sparrowApp: { frameTimes: number[]; adapter: string; camera(): Camera } }).sparrowApp;
      return { times: a.frameTimes, adapter: a.adapter, camera: a.camera() };
    });
    const size = await app.page.textContent('#hud');
    if (!size?.includes(`${W}x${H}`)) throw new Error(`viewer did not render at ${W}x${H}: ${size}`);
    return { times: info.times.slice(start + 2, start + 2 + FRAMES), camera: info.camera, adapter: info.adapter };
  } finally {
    await app.close();
  }
}

async function sparkFrames(dir: string, file: string, camera: Camera): Promise<number[]> {
  const spark = await openPage(dir, {
    width: 1300,
    height: 760,
    pagePath: 'spark/spark.html',
    waitReady: false,
    mounts: { '/node_modules/': resolve('node_modules'), '/spark/': resolve('test/app/spark') },
  });
  try {
    await spark.page.waitForFunction(() => (globalThis as unknown as { sparkReady?: boolean }).sparkReady === true, undefined, { timeout: 60_000 });
    const c2w = openGlCameraToWorld(camera);
    const colMajor = [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((r) => c2w[r][c]));
    const fovY = (2 * Math.atan(H / 2 / camera.fy) * 180) / Math.PI;
    await spark.page.evaluate(
      ([url, name, w, h, m, fov]) => (globalThis as unknown as { spark: { open(...a: unknown[]): Promise<number> } }).spark.open(url, name, w, h, m, fov),
      [`/${file}`, file, W, H, colMajor, fovY] as const,
    );
    // Two warm-up frames (shader compile, first sort), then FRAMES timed frames while turning 0.5° per frame.
    await spark.page.evaluate(() => (globalThis as unknown as { spark: { frameTimes(n: number, d: number): Promise<number[]> } }).spark.frameTimes(2, 0));
    return (await spark.page.evaluate((n) => (globalThis as unknown as { spark: { frameTimes(n: number, d: number): Promise<number[]> } }).spark.frameTimes(n, 0.5), FRAMES)) as number[];
  } finally {
    await spark.close();
  }
}

/** The camera the viewer frames a new scene with (viewer.ts bounds + overlay.frame). */
function defaultView(scene: GaussianScene): { times: number[]; camera: Camera; adapter: string } {
  const { center, radius } = bounds(scene);
  const d = radius * 2.5;
  const eye = [center[0], center[1] - d * 0.3, center[2] - d];
  const fy = H / 2 / Math.tan((50 * Math.PI) / 360);
  return { times: [Number.NaN], camera: lookAtCamera(eye, center, [0, -1, 0], { width: W, height: H, fx: fy, fy }), adapter: 'not measured (--spark-only)' };
}

async function main(): Promise<void> {
  const dir = await buildRenderer();
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      const file = `cloud-${count}.ply`;
      writeFileSync(join(dir, file), encodePly(cloudScene(count)));
      console.error(`${count}: Sparrow viewer...`);
      const ours = SPARK_ONLY ? defaultView(cloudScene(count)) : await sparrowFrames(dir, file, count);
      console.error(`${count}: Sparrow ${JSON.stringify(ours.times)}; Spark...`);
      const theirs = await sparkFrames(dir, file, ours.camera);
      const row = { count, sparrow: stats(ours.times), spark: stats(theirs), adapter: ours.adapter };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    '# Viewer frame time: Sparrow vs Spark',
    '',
    `Measured ${date} UTC with \`npm run bench:viewer -- --counts ${COUNTS.join(',')} --frames ${FRAMES}\` in Debian's Chromium (headful under Xvfb),`,
    `adapter: ${rows[0]?.adapter ?? '?'} for WebGPU; Spark's WebGL2 runs on SwiftShader too. ${W}x${H}, SH degree 0, random clumped cloud.`,
    '',
    '| splats | Sparrow median ms (mean, frames) | Spark median ms (mean, frames) |',
    '|---:|---:|---:|',
    ...rows.map((r) => `| ${r.count.toLocaleString('en-US')} | ${r.sparrow.median.toFixed(0)} (${r.sparrow.mean.toFixed(0)}, ${r.sparrow.n}) | ${r.spark.median.toFixed(0)} (${r.spark.mean.toFixed(0)}, ${r.spark.n}) |`),
    '',
    "Sparrow: forward (projection, GPU radix depth sort of every splat, tile binning, rasterize) + blit + wait for the GPU, every frame, so the order never lags.",
    "Spark: renderer.render + a 1-pixel readPixels (waits for the frame); its depth sort runs on the CPU in a worker and is not in the frame (the frame draws the last finished order).",
  ];
  writeFileSync(OUT, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
  process.exit(0);
}

void main();
