/**
 * A small synthetic capture for training tests: known Gaussians rendered by the project's
 * rasterizer from cameras on a ring, saved as PNGs with a transforms.json (so the test goes
 * through the real loader). Test views are the odd ring positions (not trained on).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gpu } from '../../engine/gpu/acquire.js';
import { encodePng, rgbFloatToImage } from '../../engine/io/image.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { Rasterizer, readRender } from '../../engine/splat/render.js';
import { createScene, logit, rgbToShDc, type GaussianScene } from '../../engine/splat/scene.js';
import { loadDataset } from '../../engine/io/dataset/load.js';
import { gaussian, rng } from '../util/close.js';

export function knownScene(count: number, seed: number): GaussianScene {
  const rand = rng(seed);
  const s = createScene(count, 0);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < 3; a++) {
      s.means[i * 3 + a] = (rand() * 2 - 1) * 0.8;
      s.logScales[i * 3 + a] = Math.log(0.06 + 0.08 * rand());
    }
    const q = [gaussian(rand), gaussian(rand), gaussian(rand), gaussian(rand)];
    const n = Math.hypot(...q);
    for (let k = 0; k < 4; k++) s.quats[i * 4 + k] = q[k] / n;
    s.opacityLogits[i] = logit(0.6 + 0.35 * rand());
    for (let c = 0; c < 3; c++) s.sh[i * 3 + c] = rgbToShDc(rand());
  }
  return s;
}

export function ringCams(n: number, size: number, radius = 3.2): Camera[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    const elev = 0.6 * Math.sin(3 * a);
    return lookAtCamera([radius * Math.cos(a), elev, radius * Math.sin(a)], [0, 0, 0], [0, -1, 0], { width: size, height: size, fx: size * 1.1, fy: size * 1.1 });
  });
}

/** Writes the capture; returns its folder. Views 2k are train, 2k+1 test. */
export async function writeSyntheticCapture(gpu: Gpu, scene: GaussianScene, cams: Camera[], background: [number, number, number]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-synth-'));
  mkdirSync(join(dir, 'images'));
  const r = new Rasterizer(gpu);
  const g = GpuScene.upload(gpu, scene);
  const frames = [];
  for (let i = 0; i < cams.length; i++) {
    const out = await readRender(gpu, await r.forward(g, cams[i], { background }));
    const name = `images/v${i}.png`;
    writeFileSync(join(dir, name), encodePng(rgbFloatToImage(cams[i].width, cams[i].height, out.color)));
    frames.push({ file_path: name, transform_matrix: openGlCameraToWorld(cams[i]) });
  }
  g.dispose();
  r.dispose();
  const c = cams[0];
  writeFileSync(
    join(dir, 'transforms.json'),
    JSON.stringify({
      w: c.width, h: c.height, fl_x: c.fx, fl_y: c.fy, cx: c.cx, cy: c.cy, frames,
      train_filenames: frames.filter((_, i) => i % 2 === 0).map((f) => f.file_path),
      test_filenames: frames.filter((_, i) => i % 2 === 1).map((f) => f.file_path),
    }),
  );
  return dir;
}

/**
 * A 6-view ring capture of knownScene(count, 2) at 32 px, and a start scene: the true one with
 * centres jittered by 0.05 (seeded), so training has geometry to correct (the hook tests).
 */
export async function jitteredCapture(gpu: Gpu, count: number) {
  const known = knownScene(count, 2);
  const dataset = await loadDataset(await writeSyntheticCapture(gpu, known, ringCams(6, 32), [0, 0, 0]));
  const rand = rng(5);
  const start: GaussianScene = { ...known, means: Float32Array.from(known.means, (v) => v + 0.05 * gaussian(rand)), opacityLogits: known.opacityLogits.slice(), logScales: known.logScales.slice(), quats: known.quats.slice(), sh: known.sh.slice() };
  return { dataset, start };
}
