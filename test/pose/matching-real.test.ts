/**
 * The real XFeat + LighterGlue weights (../shared/models, present in CI) on two fern
 * views: verified matches must agree with the reference relative pose in
 * transforms.json. Runs only where the weights and data exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../engine/io/image.js';
import { loadTransformsFrames } from '../../engine/io/dataset/transforms.js';
import { chooseFeatureBackend } from '../../engine/pose/feature-backends.js';
import { mul3, tr3, mulVec3 } from '../../engine/pose/linalg.js';
import { verifyMatches } from '../../engine/pose/matching-verify.js';
import { fundamentalFromPose, sampsonDistanceSq } from '../../engine/pose/verify-fundamental.js';
import type { Camera } from '../../engine/splat/camera.js';

const shared = resolve(__dirname, '..', '..', '..', 'shared');
const fern = resolve(shared, 'data', 'fern');
const haveAll = existsSync(resolve(shared, 'models', 'xfeat', 'xfeat.onnx')) && existsSync(resolve(fern, 'transforms.json'));

function relativePose(c1: Camera, c2: Camera): { R: number[]; t: number[] } {
  const R = mul3(c2.R, tr3(c1.R));
  const Rt1 = mulVec3(R, c1.t);
  return { R, t: [c2.t[0] - Rt1[0], c2.t[1] - Rt1[1], c2.t[2] - Rt1[2]] };
}

const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

describe.runIf(haveAll)('XFeat + LighterGlue on fern (real weights)', () => {
  it('verified matches agree with the reference epipolar geometry', async () => {
    const { frames } = await loadTransformsFrames(resolve(fern, 'transforms.json'));
    const [f1, f2] = [frames[0], frames[6]];
    const { backend } = await chooseFeatureBackend({ env: {}, maxKeypoints: 1024 });
    expect(backend.name).toBe('xfeat+lighterglue');
    const imgs = await Promise.all([f1, f2].map(async (f) => decodeImage(readFileSync(f.imagePath), f.imagePath)));
    const [ka, kb] = [await backend.extractor.extract(imgs[0]), await backend.extractor.extract(imgs[1])];
    expect(ka.xy.length / 2).toBeGreaterThan(500);
    const m = await backend.matcher.match(ka, kb);
    const K = (c: Camera) => ({ f: Math.sqrt(c.fx * c.fy), cx: c.cx, cy: c.cy });
    const v = verifyMatches(ka, kb, m, { intrinsics: [K(f1.camera), K(f2.camera)] });
    // Fern views 0 and 6 overlap almost entirely: hundreds of verified matches are expected.
    expect(v.inlierCount).toBeGreaterThan(150);
    expect(v.inlierCount / v.matchCount).toBeGreaterThan(0.5);

    const gt = relativePose(f1.camera, f2.camera);
    const Fgt = fundamentalFromPose(gt.R, gt.t, f1.camera, f2.camera);
    const errs: number[] = [];
    for (let k = 0; k < m.pairs.length / 2; k++) {
      if (!v.inlierMask[k]) continue;
      const i = m.pairs[2 * k];
      const j = m.pairs[2 * k + 1];
      errs.push(Math.sqrt(sampsonDistanceSq(Fgt, ka.xy[2 * i], ka.xy[2 * i + 1], kb.xy[2 * j], kb.xy[2 * j + 1])));
    }
    // The reference poses are COLMAP's on the full-resolution photos; keypoints are
    // quantized to model pixels (504 -> 640, ~0.8 px): a median under 1.5 px means the
    // matches follow the true geometry (wrong matches would sit tens of pixels off).
    expect(median(errs)).toBeLessThan(1.5);
    // The matcher itself, before any RANSAC: most raw LighterGlue matches lie within 2 px
    // of their true epipolar line (measured 70%; random pairs would be ~1%).
    let consistent = 0;
    for (let k = 0; k < m.pairs.length / 2; k++) {
      const i = m.pairs[2 * k];
      const j = m.pairs[2 * k + 1];
      if (sampsonDistanceSq(Fgt, ka.xy[2 * i], ka.xy[2 * i + 1], kb.xy[2 * j], kb.xy[2 * j + 1]) < 4) consistent++;
    }
    expect(consistent / (m.pairs.length / 2)).toBeGreaterThan(0.6);
  });
});
