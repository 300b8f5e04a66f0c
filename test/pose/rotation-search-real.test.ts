/**
 * The rotation search with the real XFeat + LighterGlue weights (../shared, present in
 * CI): fern's 3-view sparse split with one photo's pixels turned by 90° (as a portrait
 * shot whose EXIF orientation was lost). XFeat is not rotation invariant, so without
 * the search that photo matches nothing; with it, it is turned back and registered.
 * Runs only where the weights and data exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTransformsFrames } from '../../engine/io/dataset/transforms.js';
import { decodeImage, encodePng } from '../../engine/io/image.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { chooseFeatureBackend } from '../../engine/pose/feature-backends.js';
import { mul3, mulVec3 } from '../../engine/pose/linalg.js';
import { turnImage } from '../../engine/pose/turned-features.js';

const shared = resolve(__dirname, '..', '..', '..', 'shared');
const fern = resolve(shared, 'data', 'fern');
const haveAll = existsSync(resolve(shared, 'models', 'xfeat', 'lighterglue_L3.onnx')) && existsSync(resolve(fern, 'transforms.json'));

describe.runIf(haveAll)('rotation search on fern with XFeat + LighterGlue (real weights)', () => {
  it('registers a photo whose pixels are turned by 90° and gets every pose within a degree', async () => {
    const meta = JSON.parse(readFileSync(resolve(fern, 'transforms.json'), 'utf8')) as { sparse_train_filenames: string[] };
    const { frames } = await loadTransformsFrames(resolve(fern, 'transforms.json'));
    const chosen = meta.sparse_train_filenames.map((name) => frames.find((f) => f.imagePath.endsWith(name))!);
    const photos = await Promise.all(
      chosen.map(async (f, k) => {
        const bytes = new Uint8Array(readFileSync(f.imagePath));
        return { name: `photo${k}.png`, bytes: k === 1 ? encodePng(turnImage(await decodeImage(bytes, f.imagePath), 90).image) : bytes };
      }),
    );
    const { backend } = await chooseFeatureBackend({ env: {} });
    expect(backend.name).toBe('xfeat+lighterglue');
    const est = await estimatePoses(photos, { backend });
    expect(est.views.map((v) => v.registered)).toEqual([true, true, true]);
    expect(est.views.map((v) => v.turnedDegrees)).toEqual([undefined, 270, undefined]);
    // The turned photo's reference camera rolls with its pixels (clockwise on screen = +90° about z).
    const truth = chosen.map((f, k) => {
      const c = f.camera;
      if (k !== 1) return c;
      const Rz = [0, -1, 0, 1, 0, 0, 0, 0, 1];
      return { ...c, R: mul3(Rz, c.R), t: mulVec3(Rz, c.t) };
    });
    const err = poseErrors(est.views.map((v) => v.camera!), truth);
    // Measured 0.22 / 0.32°, ATE 0.020: the same as with the photo upright (the turned copy
    // is the upright photo, and LighterGlue sees the keypoints where they were described).
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.6);
    expect(err.ateFraction).toBeLessThan(0.05);
    // Every pair with the turned photo matches as well as upright (measured 574 and 878 inliers).
    for (const p of est.pairs.filter((q) => q.a === 'photo1.png' || q.b === 'photo1.png')) expect(p.inliers).toBeGreaterThan(400);
  }, 180_000);
});
