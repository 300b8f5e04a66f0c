/**
 * Large photos (a phone's 12 MP): the pose stage works on copies downscaled to the
 * extractor's resolution (FeatureExtractor.workingSide / maxImageSide) and gives cameras,
 * keypoints and reprojection errors back in the photos' own pixels. Synthetic through a
 * scripted backend (always), and fern upscaled to 2016x1512 with AKAZE and XFeat (where
 * ../shared has the data and weights; before this, AKAZE ran out of WASM memory on 12 MP
 * and XFeat registered 2 of 3: its keypoints, 6x coarser than the photo's pixels, failed
 * the 2 px verification).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTransformsFrames } from '../../engine/io/dataset/transforms.js';
import { decodeImage, encodePng, type RgbaImage } from '../../engine/io/image.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { chooseFeatureBackend } from '../../engine/pose/feature-backends.js';
import type { FeatureBackend } from '../../engine/pose/features.js';
import { createOrbBackend } from '../../engine/pose/orb.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { scriptedBackend } from './scripted-backend.js';
import { projectAll } from './synthetic.js';
import { upscaleBilinear } from '../util/upscale.js';

const [W, H] = [640, 480]; // working size
const F = W / 2 / Math.tan(Math.PI / 6);

describe('estimatePoses on photos larger than the working size (synthetic, scripted matches)', () => {
  it('works at 640 px and gives cameras, keypoints and errors at the photos\' 1280x960', async () => {
    const rand = rng(3);
    const points = new Float64Array(3 * 300).map(() => (rand() - 0.5) * 3);
    const cameras: Camera[] = [-20, -5, 10, 25].map((deg) => lookAtCamera([6 * Math.sin((deg * Math.PI) / 180), 0.3 * (rand() - 0.5), -6 * Math.cos((deg * Math.PI) / 180)], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: F, fy: F }));
    // The scripted keypoints are where the points fall in the working copy.
    const keypoints = cameras.map((c, v) => {
      const px = projectAll(c, points);
      const noise = rng(20 + v);
      return px.map((x) => x + 0.3 * gaussian(noise));
    });
    const photos = cameras.map((_, v) => {
      const img: RgbaImage = { width: 2 * W, height: 2 * H, data: new Uint8Array(4 * W * H * 4).fill(255) };
      // A 2x2 block says which view this is, so the 2x downscaled copy's first pixel still does.
      for (const p of [0, 1, 2 * W, 2 * W + 1]) img.data[4 * p] = 10 * v;
      return { name: `view${v}.png`, bytes: encodePng(img) };
    });
    const sizes: number[][] = [];
    const base = scriptedBackend(keypoints, { width: W, height: H });
    const backend: FeatureBackend = {
      ...base,
      extractor: { ...base.extractor, extract: (img) => (sizes.push([img.width, img.height]), base.extractor.extract(img)) },
    };
    const events: SparrowEvent[] = [];
    const est = await estimatePoses(photos, { backend, maxImageSide: 640, onEvent: (e) => events.push(e) });
    expect(sizes).toEqual(cameras.map(() => [W, H]));
    expect(events.some((e) => e.type === 'log' && /4 photo\(s\) worked on at 640 px/.test(e.message))).toBe(true);
    expect(est.views.every((v) => v.registered && v.width === 2 * W && v.height === 2 * H)).toBe(true);
    for (const v of est.views) {
      expect(v.camera!.fx / (2 * F)).toBeCloseTo(1, 2);
      expect([v.camera!.cx, v.camera!.cy, v.camera!.width]).toEqual([W, H, 2 * W]);
      // 0.3 px of working-pixel noise: ~0.6 px in the photo's pixels (per axis, RMS over both ~0.4-0.9).
      expect(v.rmsErrorPx).toBeGreaterThan(0.3);
      expect(v.rmsErrorPx).toBeLessThan(1.2);
    }
    // Keypoints in the photo's pixels: twice the working positions.
    expect(est.keypoints[1][0]).toBeCloseTo(2 * keypoints[1][0], 3);
    expect(est.keypoints[1][1]).toBeCloseTo(2 * keypoints[1][1], 3);
    expect(poseErrors(est.views.map((v) => v.camera!), cameras).pairwiseRotationMaxDeg).toBeLessThan(0.2);
  }, 60_000);
});

const shared = resolve(__dirname, '..', '..', '..', 'shared');
const fern = resolve(shared, 'data', 'fern');
const haveFern = existsSync(resolve(fern, 'transforms.json'));
const haveXfeat = existsSync(resolve(shared, 'models', 'xfeat', 'lighterglue_L3.onnx'));

/** fern's sparse split upscaled 4x (2016x1512, bilinear) as PNGs, with the reference cameras scaled alike. */
async function bigFern() {
  const meta = JSON.parse(readFileSync(resolve(fern, 'transforms.json'), 'utf8')) as { sparse_train_filenames: string[] };
  const { frames } = await loadTransformsFrames(resolve(fern, 'transforms.json'));
  const chosen = meta.sparse_train_filenames.map((n) => frames.find((f) => f.imagePath.endsWith(n))!);
  const photos = await Promise.all(
    chosen.map(async (f, k) => {
      const im = await decodeImage(new Uint8Array(readFileSync(f.imagePath)), f.imagePath);
      return { name: `photo${k}.png`, bytes: encodePng(upscaleBilinear(im, 4)) };
    }),
  );
  const truth = chosen.map((f) => ({ ...f.camera, fx: 4 * f.camera.fx, fy: 4 * f.camera.fy }));
  return { photos, truth };
}

describe.runIf(haveFern)('estimatePoses on fern upscaled to 2016x1512 (reference data)', () => {
  const check = async (backend: FeatureBackend, workingSide: number, maxRotDeg: number) => {
    const { photos, truth } = await bigFern();
    const sizes: number[] = [];
    const spy: FeatureBackend = { ...backend, extractor: Object.assign(Object.create(Object.getPrototypeOf(backend.extractor)), backend.extractor, { extract: (img: RgbaImage, n?: number) => (sizes.push(Math.max(img.width, img.height)), backend.extractor.extract(img, n)) }) };
    const est = await estimatePoses(photos, { backend: spy });
    expect(sizes).toEqual([workingSide, workingSide, workingSide]);
    expect(est.views.map((v) => v.registered)).toEqual([true, true, true]);
    for (const v of est.views) {
      expect([v.width, v.camera!.width, v.camera!.height]).toEqual([2016, 2016, 1512]);
      // the focal length in the photo's pixels: 4x fern's 407.6 px, within the few % a 3-view model gets
      expect(Math.abs(v.camera!.fx / truth[0].fx - 1)).toBeLessThan(0.1);
    }
    expect(poseErrors(est.views.map((v) => v.camera!), truth).pairwiseRotationMaxDeg).toBeLessThan(maxRotDeg);
  };

  it('AKAZE works at 1600 px', async () => {
    await check(createOrbBackend({ detector: 'akaze' }), 1600, 1);
  }, 120_000);

  it.runIf(haveXfeat)('XFeat + LighterGlue works at its 640 px input', async () => {
    const { backend } = await chooseFeatureBackend({ env: {} });
    expect(backend.name).toBe('xfeat+lighterglue');
    await check(backend, 640, 1);
  }, 180_000);
});
