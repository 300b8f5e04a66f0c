/**
 * Files written by another tool (PlayCanvas splat-transform 3.7.0) and by our own
 * writers, read back and rendered by Sparrow's rasterizer from fixed cameras, compared
 * with the render of the source scene. Small on purpose (llvmpipe): 300 splats, 64x48.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLIP_YZ, flipAxes } from '../../engine/io/frames.js';
import { readSceneFile, writeSceneFile } from '../../engine/io/scene-file.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { createScene, rgbToShDc, shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { gaussian, rng } from '../util/close.js';
import { testGpu } from '../util/gpu.js';

const CLI = join(process.cwd(), 'node_modules/@playcanvas/splat-transform/bin/cli.mjs');
let dir = '';

function splatTransform(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '-w', '-q', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`splat-transform ${args.join(' ')} failed: ${r.stderr}`);
}

/** A small object-like scene: a noisy sphere shell of opaque, small splats, SH degree 1. */
function shellScene(n: number): GaussianScene {
  const rand = rng(77);
  const s = createScene(n, 1);
  const K = shCoeffCount(1);
  for (let i = 0; i < n; i++) {
    const d = [gaussian(rand), gaussian(rand), gaussian(rand)];
    const len = Math.hypot(...d);
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = d[a] / len + 0.05 * gaussian(rand);
      s.logScales[i * 3 + a] = Math.log(0.08 + 0.06 * rand());
    }
    for (let a = 0; a < 4; a++) s.quats[i * 4 + a] = gaussian(rand);
    s.opacityLogits[i] = 1 + 3 * rand();
    for (let c = 0; c < 3; c++) {
      s.sh[i * K * 3 + c] = rgbToShDc(0.15 + 0.7 * rand());
      for (let k = 1; k < K; k++) s.sh[(i * K + k) * 3 + c] = 0.2 * (rand() * 2 - 1);
    }
  }
  return s;
}

const cameras: Camera[] = [
  lookAtCamera([0, -0.8, -3.2], [0, 0, 0], [0, -1, 0], { width: 64, height: 48, fx: 60, fy: 60 }),
  lookAtCamera([2.6, 0.5, 1.6], [0, 0, 0], [0, -1, 0], { width: 64, height: 48, fx: 60, fy: 60 }),
];

async function render(scene: GaussianScene): Promise<Float32Array[]> {
  const gpu = await testGpu();
  const gpuScene = GpuScene.upload(gpu, scene);
  const rasterizer = new Rasterizer(gpu);
  try {
    const out: Float32Array[] = [];
    for (const camera of cameras) {
      const result = await rasterizer.forward(gpuScene, camera, { background: [0, 0, 0] });
      out.push(Float32Array.from((await readRender(gpu, result)).color));
    }
    return out;
  } finally {
    rasterizer.dispose();
    gpuScene.dispose();
  }
}

function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10(1 / Math.max(se / a.length, 1e-12));
}

let source: GaussianScene;
let reference: Float32Array[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-render-interop-'));
  source = shellScene(300);
  await writeSceneFile(join(dir, 'in.ply'), source);
  reference = await render(source);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('render files from other tools and our writers in Sparrow', () => {
  it('the source render is not empty (the comparison below means something)', () => {
    for (const img of reference) {
      const lit = img.filter((v) => v > 0.05).length;
      expect(lit).toBeGreaterThan(img.length / 10);
    }
  });

  // PSNR floors: positions move by at most ~1e-3 of the object (compressed PLY, SPZ) or not at all,
  // colours by at most half an 8-bit step. Measured here: 47-55 dB for the quantized formats, 69 dB
  // for SOG, exact for GLB; a frame mix-up (SPZ read without the y/z flip) gives 18 dB. 40 dB
  // (an RMS error of 1% of full scale) sits between with margin on both sides.
  const cases: { name: string; make: () => Promise<GaussianScene>; minPsnr: number }[] = [
    { name: 'splat-transform compressed PLY', minPsnr: 40, make: async () => {
      splatTransform('in.ply', 'st.compressed.ply');
      return readSceneFile(join(dir, 'st.compressed.ply'));
    } },
    { name: 'splat-transform SPZ v4 (its PLY frame, flipped back)', minPsnr: 40, make: async () => {
      splatTransform('in.ply', 'st.spz');
      return flipAxes(await readSceneFile(join(dir, 'st.spz')), FLIP_YZ);
    } },
    { name: 'our SPZ v4', minPsnr: 40, make: async () => {
      await writeSceneFile(join(dir, 'ours.spz'), source, undefined, { spzVersion: 4 });
      return readSceneFile(join(dir, 'ours.spz'));
    } },
    { name: 'our GLB', minPsnr: 60, make: async () => {
      await writeSceneFile(join(dir, 'ours.glb'), source);
      return readSceneFile(join(dir, 'ours.glb'));
    } },
    { name: 'our SOG', minPsnr: 40, make: async () => {
      await writeSceneFile(join(dir, 'ours.sog'), source);
      return readSceneFile(join(dir, 'ours.sog'));
    } },
  ];
  for (const c of cases) {
    it(`${c.name}: renders like the source`, async () => {
      const images = await render(await c.make());
      if (process.env.PSNR_DEBUG) console.log(c.name, images.map((img, k) => psnr(img, reference[k]).toFixed(1)));
      images.forEach((img, k) => expect(psnr(img, reference[k]), `view ${k}`).toBeGreaterThan(c.minPsnr));
    }, 120_000);
  }

  it('the PSNR check catches a frame mix-up (SPZ without the y/z flip)', async () => {
    const wrong = await render(flipAxes(source, FLIP_YZ));
    if (process.env.PSNR_DEBUG) console.log("wrong frame", psnr(wrong[0], reference[0]).toFixed(1), psnr(wrong[1], reference[1]).toFixed(1));
    expect(psnr(wrong[0], reference[0])).toBeLessThan(25);
  }, 120_000);
});
