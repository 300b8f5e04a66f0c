/**
 * `npm run bench:viewer`: frame time of Sparrow's viewer (the built app page: the display path,
 * engine/splat/display/display-renderer.ts — projection, a GPU radix depth sort of every splat,
 * gather, one quad draw) against @sparkjsdev/spark 2.2 (three.js, WebGL2; sort on the
 * CPU in a worker) on the same PLY, same camera, 1280x720, in the same Chromium (Debian's,
 * WebGPU and WebGL on SwiftShader here).
 *
 *   npm run bench:viewer [-- --counts 100000,1000000 --frames 12 --min-alpha 0.00392,0.0196 --out bench/results/viewer.md]
 *
 * --stages: no browser; time the display path's compute half (project + sort + gather) and its draw
 * apart in Node (Dawn; here OpenGL ES on llvmpipe) on the same cloud and camera, CPU time included
 * (the software adapter runs on this process's threads, so CPU time is less noisy than wall time
 * on a loaded machine), and count the fragments the quads cover.
 *
 * --draw: the draw alone, per draw path (--paths indexed,instanced), in the same Chromium: a small
 * page (bench/viewer-draw/) prepares the frame once and times --frames draws of each path into an
 * offscreen 1280x720 target, then --frames prepares (project + sort + gather), from the
 * framing the viewer would pick; it compares the paths' images.
 *
 * --draw-paths indexed,instanced: one Sparrow run per display draw path (Viewer.drawPath; default:
 * only the one the device gets, 'indexed' on Chromium's core WebGPU), e.g. to time before and after.
 *
 * --format (with --draw): the target format (rgba8unorm; the canvas is bgra8unorm on Linux).
 * --sort-breakdown (with --draw): also time the depth sort apart: the 16-bit sort, one 4-bit radix
 * pass, and that pass's histogram and scan kernels (the scatter is the rest).
 *
 * --min-alpha: one Sparrow run per value of the viewer's minAlpha (1/255 = the engine's cut, the
 * default; 5/255 draws about Spark's footprint, which stops each splat at
 * sqrt(8) + 0.7 (opacity - 1) standard deviations).
 *
 * Sparrow's frame time is what its render loop measures: project + sort + gather + draw +
 * queue.onSubmittedWorkDone (every frame sorts, so the order never lags). Spark's is
 * renderer.render + a 1-pixel readPixels (waits for the frame); its sort is not in it (it runs in
 * a worker and the frame uses the last finished order). Spark first renders for a while so its
 * first sort lands (a frame before it draws nothing); both sides report the fraction of
 * non-black pixels of a settled frame, so a side that draws nothing cannot look fast.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { encodePly } from '../engine/io/ply.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../engine/splat/camera.js';
import type { GaussianScene } from '../engine/splat/scene.js';
import { bounds } from '../renderer/viewer/viewer.js';
import { buildRenderer, openPage, pngToRgb } from '../test/app/page.js';
import { cloudScene } from './viewer-cloud.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const COUNTS = arg('counts', '100000,1000000').split(',').map(Number);
const FRAMES = Number(arg('frames', '12'));
const MIN_ALPHAS = arg('min-alpha', String(1 / 255)).split(',').map(Number);
const DRAW_PATHS = arg('draw-paths', 'default').split(',');
const OUT = arg('out', 'bench/results/viewer.md');
/** Skip Sparrow (it takes minutes per frame on SwiftShader) and view from the framing the viewer would pick. */
const SPARK_ONLY = process.argv.includes('--spark-only');
/** How long Spark renders before timing, so its first worker sort has landed. */
const SETTLE_MS = Number(arg('settle-ms', '20000'));
const W = 1280;
const H = 720;

function stats(times: number[]): { median: number; mean: number; n: number } {
  const s = [...times].sort((x, y) => x - y);
  return { median: s[s.length >> 1], mean: s.reduce((x, y) => x + y, 0) / s.length, n: s.length };
}

interface Row {
  count: number;
  minAlpha: number;
  /** The viewer's display draw path (Viewer.drawPath). */
  drawPath: string;
  sparrow: { median: number; mean: number; n: number };
  spark: { median: number; mean: number; n: number };
  sparrowTimes: number[];
  sparkTimes: number[];
  /** Fraction of non-black pixels in a settled frame of each. */
  sparrowCoverage: number;
  sparkCoverage: number;
  adapter: string;
  load: string;
}

const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');

function coverage(rgb: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] + rgb[i + 1] + rgb[i + 2] > 3 / 255) n++;
  return n / (rgb.length / 3);
}

async function sparrowFrames(dir: string, file: string, count: number, minAlpha: number, drawPath: string): Promise<{ times: number[]; camera: Camera; adapter: string; coverage: number; drawPath: string }> {
  const app = await openPage(dir, { width: 1380, height: 900 });
  try {
    await app.page.uncheck('#show-grid');
    type ViewerHandle = { sparrowApp: { state: { viewer: { minAlpha: number; drawPath?: string } } } };
    await app.page.evaluate((a) => ((globalThis as unknown as ViewerHandle).sparrowApp.state.viewer.minAlpha = a), minAlpha);
    if (drawPath !== 'default') await app.page.evaluate((p) => ((globalThis as unknown as ViewerHandle).sparrowApp.state.viewer.drawPath = p), drawPath);
    const usedPath = await app.page.evaluate(() => String((globalThis as unknown as ViewerHandle).sparrowApp.state.viewer.drawPath));
    if (drawPath !== 'default' && usedPath !== drawPath) throw new Error(`viewer draw path is ${usedPath}, asked for ${drawPath}`);
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
    const shot = (await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: { capture(): Promise<{ png: number[]; camera: Camera }> } }).sparrowApp.capture())) as { png: number[]; camera: Camera };
    const { rgb } = await pngToRgb(Uint8Array.from(shot.png));
    return { times: info.times.slice(start + 2, start + 2 + FRAMES), camera: shot.camera, adapter: info.adapter, coverage: coverage(rgb), drawPath: usedPath };
  } finally {
    await app.close();
  }
}

async function sparkFrames(dir: string, file: string, camera: Camera): Promise<{ times: number[]; coverage: number }> {
  const spark = await openPage(dir, {
    width: 1300,
    height: 760,
    pagePath: 'spark/spark.html',
    waitReady: false,
    mounts: { '/node_modules/': resolve('node_modules'), '/spark/': resolve('test/app/spark') },
  });
  type SparkPage = { spark: { open(...a: unknown[]): Promise<number>; pixels(ms: number): Promise<number[]>; frameTimes(n: number, d: number): Promise<number[]> } };
  try {
    await spark.page.waitForFunction(() => (globalThis as unknown as { sparkReady?: boolean }).sparkReady === true, undefined, { timeout: 60_000 });
    const c2w = openGlCameraToWorld(camera);
    const colMajor = [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((r) => c2w[r][c]));
    const fovY = (2 * Math.atan(H / 2 / camera.fy) * 180) / Math.PI;
    await spark.page.evaluate(
      ([url, name, w, h, m, fov]) => (globalThis as unknown as SparkPage).spark.open(url, name, w, h, m, fov),
      [`/${file}`, file, W, H, colMajor, fovY] as const,
    );
    // Render for SETTLE_MS so the worker's first sort lands, and check the frame shows the splats.
    const cov = await spark.page.evaluate(async (ms) => {
      const px = await (globalThis as unknown as SparkPage).spark.pixels(ms);
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 3) n++;
      return n / (px.length / 4);
    }, SETTLE_MS);
    // Then FRAMES timed frames while turning 0.5 degrees per frame.
    const times = (await spark.page.evaluate((n) => (globalThis as unknown as SparkPage).spark.frameTimes(n, 0.5), FRAMES)) as number[];
    return { times, coverage: cov };
  } finally {
    await spark.close();
  }
}

/** The camera the viewer frames a new scene with (viewer.ts bounds + overlay.frame). */
function defaultView(scene: GaussianScene): { times: number[]; camera: Camera; adapter: string; coverage: number; drawPath: string } {
  const { center, radius } = bounds(scene);
  const d = radius * 2.5;
  const eye = [center[0], center[1] - d * 0.3, center[2] - d];
  const fy = H / 2 / Math.tan((50 * Math.PI) / 360);
  return { times: [Number.NaN], camera: lookAtCamera(eye, center, [0, -1, 0], { width: W, height: H, fx: fy, fy }), adapter: 'not measured (--spark-only)', coverage: Number.NaN, drawPath: '-' };
}

/** --stages: the display path's two halves timed apart in Node (see the header). */
async function nodeStages(): Promise<void> {
  const { acquireGpu, describeAdapter } = await import('../engine/gpu/acquire.js');
  const { readU32 } = await import('../engine/gpu/buffers.js');
  const { GpuScene } = await import('../engine/splat/gpu-scene.js');
  const { DisplayRenderer } = await import('../engine/splat/display/display-renderer.js');
  const { meansSphere, DISPLAY_STRIDE } = await import('../engine/splat/display/display-params.js');
  const gpu = await acquireGpu();
  const lines = [`Display path stages in Node, ${describeAdapter(gpu.report)}, ${new Date().toISOString().slice(0, 16)} UTC, load ${load()}:`, ''];
  lines.push('| splats | minAlpha | project+sort+gather ms wall (cpu) | draw ms wall (cpu) | drawn splats | quad fragments |', '|---:|---:|---:|---:|---:|---:|');
  for (const count of COUNTS) {
    const scene = cloudScene(count);
    const camera = defaultView(scene).camera;
    const gs = GpuScene.upload(gpu, scene);
    const r = new DisplayRenderer(gpu);
    const tex = gpu.device.createTexture({ size: [W, H], format: 'rgba8unorm', usage: 0x10 /* RENDER_ATTACHMENT */ });
    const sphere = meansSphere(scene.means);
    for (const minAlpha of MIN_ALPHAS) {
      const timed = async (record: (enc: GPUCommandEncoder) => void) => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const enc = gpu.device.createCommandEncoder();
        record(enc);
        gpu.device.queue.submit([enc.finish()]);
        await gpu.device.queue.onSubmittedWorkDone();
        const c = process.cpuUsage(c0);
        return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
      };
      const prep: { wall: number; cpu: number }[] = [];
      const draw: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < FRAMES; i++) {
        prep.push(await timed((enc) => r.encodePrepare(enc, gs, camera, { background: [0, 0, 0], sphere, minAlpha })));
        draw.push(await timed((enc) => r.encodeDraw(enc, count, tex.createView(), 'rgba8unorm', [0, 0, 0])));
      }
      const instances = (await readU32(gpu, r.drawArgs, 4))[1];
      const rec = new Float32Array((await readU32(gpu, r.drawn!, instances * DISPLAY_STRIDE)).buffer);
      let fragments = 0;
      for (let i = 0; i < instances; i++) {
        const b = i * DISPLAY_STRIDE;
        fragments += 4 * (rec[b + 2] ** 2 + rec[b + 3] ** 2) * rec[b + 4]; // quad area: 2|axis| x 2 ratio |axis|
      }
      const med = (xs: { wall: number; cpu: number }[]) => `${stats(xs.map((x) => x.wall)).median.toFixed(0)} (${stats(xs.map((x) => x.cpu)).median.toFixed(0)})`;
      lines.push(`| ${count.toLocaleString('en-US')} | ${(minAlpha * 255).toFixed(1)}/255 | ${med(prep)} | ${med(draw)} | ${instances.toLocaleString('en-US')} | ${(fragments / 1e6).toFixed(1)} M |`);
      console.error(lines[lines.length - 1]);
    }
    tex.destroy();
    r.dispose();
    gs.dispose();
  }
  console.log(lines.join('\n'));
  process.exit(0);
}

/** --draw: the page of bench/viewer-draw/ in Chromium (see the header). */
async function browserDraw(): Promise<void> {
  const { build } = await import('vite');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-draw-bench-'));
  await build({ configFile: false, root: resolve('bench/viewer-draw'), base: './', logLevel: 'error', publicDir: false, build: { outDir: dir, emptyOutDir: true, target: 'es2022' } });
  const paths = arg('paths', 'indexed,instanced').split(',');
  // --local-sort on|off: RadixSorter's LOCAL_SORT scatter (default: its own choice).
  const LOCAL_SORT = process.argv.includes('--local-sort') ? arg('local-sort', 'on') === 'on' : undefined;
  const lines: string[] = [];
  try {
    for (const count of COUNTS) {
      for (const minAlpha of MIN_ALPHAS) {
        const app = await openPage(dir, { width: 400, height: 300, waitReady: false });
        try {
          await app.page.waitForFunction(() => (globalThis as unknown as { drawBenchReady?: boolean }).drawBenchReady === true, undefined, { timeout: 60_000 });
          const camera = defaultView(cloudScene(count)).camera;
          const load0 = load();
          type Page = { drawBench: { run(...a: unknown[]): Promise<import('./viewer-draw/main.js').DrawBenchResult> } };
          const res = await app.page.evaluate(([c, cam, p, f, a, l, b, t]) => (globalThis as unknown as Page).drawBench.run(c, cam, p, f, a, l, b, t as GPUTextureFormat), [count, camera, paths, FRAMES, minAlpha, LOCAL_SORT, process.argv.includes('--sort-breakdown'), arg('format', 'rgba8unorm')] as const);
          const head = `${count.toLocaleString('en-US')} splats, ${arg('format', 'rgba8unorm')} target, minAlpha ${(minAlpha * 255).toFixed(1)}/255, local sort ${LOCAL_SORT ?? 'default'}, ${res.adapter}, maxStorageBuffersInVertexStage ${res.vertexStorageLimit}, load ${load0} -> ${load()}, max image difference between paths ${res.maxImageDiff}/255`;
          lines.push(head);
          for (const p of res.paths) {
            lines.push(`  ${p.path}: draw median ${stats(p.drawMs).median.toFixed(0)} ms [${p.drawMs.map((v) => v.toFixed(0)).join(', ')}], prepare median ${stats(p.prepareMs).median.toFixed(0)} ms [${p.prepareMs.map((v) => v.toFixed(0)).join(', ')}] (project alone ${stats(p.projectMs).median.toFixed(0)}, project + sort ${stats(p.projectSortMs).median.toFixed(0)}), whole frame in one submit median ${stats(p.frameMs).median.toFixed(0)} ms [${p.frameMs.map((v) => v.toFixed(0)).join(', ')}], visible ${p.visible}, non-black ${p.coverage.toFixed(3)}`);
          }
          if (res.sort) {
            const m = (xs: number[]) => stats(xs).median.toFixed(0);
            lines.push(`  sort (${count} pairs; medians, ms): 16-bit sort ${m(res.sort.sort16)}, one 4-bit pass ${m(res.sort.onePass)} = count ${m(res.sort.count)} + scan ${m(res.sort.scan)} + scatter (the rest); the copy of the pairs each includes ${m(res.sort.copy)}`);
          }
          console.log(lines.slice(-1 - res.paths.length - (res.sort ? 1 : 0)).join('\n'));
        } catch (e) {
          throw new Error(`${(e as Error).message}\n${app.logs.join('\n')}`);
        } finally {
          await app.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

async function main(): Promise<void> {
  if (process.argv.includes('--stages')) return nodeStages();
  if (process.argv.includes('--draw')) return browserDraw();
  const dir = await buildRenderer();
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      const file = `cloud-${count}.ply`;
      writeFileSync(join(dir, file), encodePly(cloudScene(count)));
      let sparkRun: { times: number[]; coverage: number } | undefined;
      for (const [minAlpha, drawPath] of MIN_ALPHAS.flatMap((a) => DRAW_PATHS.map((p) => [a, p] as const))) {
        const load0 = load();
        console.error(`${count}: Sparrow viewer, minAlpha ${minAlpha}, draw path ${drawPath}... (load ${load0})`);
        const ours = SPARK_ONLY ? defaultView(cloudScene(count)) : await sparrowFrames(dir, file, count, minAlpha, drawPath);
        console.error(`${count}: Sparrow ${JSON.stringify(ours.times)} coverage ${ours.coverage}`);
        if (!sparkRun) {
          console.error(`${count}: Spark...`);
          sparkRun = await sparkFrames(dir, file, ours.camera);
        }
        const row: Row = {
          count, minAlpha, drawPath: ours.drawPath, sparrow: stats(ours.times), spark: stats(sparkRun.times), sparrowTimes: ours.times, sparkTimes: sparkRun.times,
          sparrowCoverage: ours.coverage, sparkCoverage: sparkRun.coverage, adapter: ours.adapter, load: `${load0} -> ${load()}`,
        };
        console.log(JSON.stringify(row));
        rows.push(row);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const ms = (v: number) => v.toFixed(0);
  const lines = [
    '# Viewer frame time: Sparrow vs Spark',
    '',
    `Measured ${date} UTC with \`npm run bench:viewer -- --counts ${COUNTS.join(',')} --frames ${FRAMES} --min-alpha ${MIN_ALPHAS.join(',')} --draw-paths ${DRAW_PATHS.join(',')}\` in Debian's Chromium (headful under Xvfb),`,
    `adapter: ${rows[0]?.adapter ?? '?'} for WebGPU; Spark's WebGL2 runs on SwiftShader too. ${W}x${H}, SH degree 0, random clumped cloud.`,
    '',
    '| splats | Sparrow minAlpha | draw path | Sparrow median ms (mean, frames) | Spark median ms (mean, frames) | non-black pixels Sparrow / Spark | load average (1, 5, 15 min) |',
    '|---:|---:|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.count.toLocaleString('en-US')} | ${(r.minAlpha * 255).toFixed(1)}/255 | ${r.drawPath} | ${ms(r.sparrow.median)} (${ms(r.sparrow.mean)}, ${r.sparrow.n}) | ${ms(r.spark.median)} (${ms(r.spark.mean)}, ${r.spark.n}) | ${r.sparrowCoverage.toFixed(2)} / ${r.sparkCoverage.toFixed(2)} | ${r.load} |`),
    '',
    'Frames (ms):',
    ...rows.flatMap((r) => [`- ${r.count}, Sparrow minAlpha ${(r.minAlpha * 255).toFixed(1)}/255, ${r.drawPath}: ${r.sparrowTimes.map(ms).join(', ')}`, `- ${r.count}, Spark: ${r.sparkTimes.map(ms).join(', ')}`]),
    '',
    'Sparrow: the display path (projection, GPU radix depth sort of every splat with 16-bit keys, gather, one quad draw: indexed = one indexed triangle list, instanced = one instance per splat) + wait for the GPU, every frame, so the order never lags.',
    "Spark: renderer.render + a 1-pixel readPixels (waits for the frame); its depth sort runs on the CPU in a worker and is not in the frame (the frame draws the last finished order).",
  ];
  writeFileSync(OUT, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
  process.exit(0);
}

void main();
