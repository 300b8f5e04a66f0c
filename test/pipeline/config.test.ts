import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromReconstructFlags } from '../../electron/headless/commands/reconstruct-flags.js';
import { PRESETS, reconstructConfig } from '../../engine/pipeline/config.js';
import { loadDepthMap, saveDepthMap } from '../../engine/pipeline/depth-store.js';
import { resamplePrior } from '../../engine/pipeline/priors.js';
import { downscaleFor } from '../../engine/pipeline/reconstruct.js';

describe('reconstruction config', () => {
  it('applies overrides per section without losing the preset', () => {
    const c = reconstructConfig('fast', { train: { iterations: 42 }, regularizers: { poses: { rotationLr: 0 } } });
    expect(c.train.iterations).toBe(42);
    expect(c.train.densifyInterval).toBe(PRESETS.fast.train.densifyInterval);
    expect(c.regularizers.poses.rotationLr).toBe(0);
    expect(c.regularizers.poses.translationLr).toBe(PRESETS.fast.regularizers.poses.translationLr);
    expect(c.regularizers.opacityDecay).toBe(PRESETS.fast.regularizers.opacityDecay);
    expect(c.regularizers.opacityDecay).toBeGreaterThan(0);
    expect(() => reconstructConfig('turbo' as never)).toThrow(/unknown preset/);
  });

  it('maps CLI flags, rejecting bad ones with usage errors', () => {
    const c = configFromReconstructFlags({ preset: 'quality', iters: '100', features: 'orb', formats: 'ply,spz', noRegularizers: true });
    expect(c.preset).toBe('quality');
    expect(c.train.iterations).toBe(100);
    expect(c.poses.features).toBe('orb');
    expect(c.exportFormats).toEqual(['ply', 'spz']);
    expect(c.regularizers.depthCorrelationGlobal).toBe(0);
    expect(c.regularizers.poses.rotationLr).toBeGreaterThan(0); // --no-regularizers keeps pose refinement
    expect(() => configFromReconstructFlags({ preset: 'turbo' })).toThrow(/--preset/);
    expect(() => configFromReconstructFlags({ iters: '-5' })).toThrow(/--iters/);
    expect(() => configFromReconstructFlags({ formats: 'ply,obj' })).toThrow(/unknown format 'obj'/);
    expect(configFromReconstructFlags({ features: 'akaze' }).poses.features).toBe('akaze');
    expect(() => configFromReconstructFlags({ features: 'sift' })).toThrow(/--features must be auto, xfeat, xfeat\+mnn, orb or akaze, got 'sift'/);
    expect(configFromReconstructFlags({ noPoseRefine: true }).regularizers.poses.translationLr).toBe(0);
    expect(configFromReconstructFlags({}).poses.renderPlacement).toBe(false);
    expect(configFromReconstructFlags({ renderPlacement: true, features: 'akaze' }).poses).toMatchObject({ renderPlacement: true, features: 'akaze' });
  });
});

describe('pipeline helpers', () => {
  it('chooses an integer downscale that fits the longest side', () => {
    expect(downscaleFor(504, 378, 504)).toBe(1);
    expect(downscaleFor(4032, 3024, 504)).toBe(8);
    expect(downscaleFor(4000, 3000, 504)).toBe(8);
    expect(Math.max(4000, 3000) / downscaleFor(4000, 3000, 600)).toBeLessThanOrEqual(600);
  });

  it('round-trips depth maps exactly and resamples priors without inventing depth', () => {
    const W = 8, H = 6;
    const depth = Float32Array.from({ length: W * H }, (_, i) => (i % 5 === 0 ? 0 : 1 + i / 7));
    const confidence = Float32Array.from({ length: W * H }, (_, i) => (i % 3) / 2);
    const filled = Uint8Array.from({ length: W * H }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-depth-'));
    saveDepthMap(dir, 'view', { width: W, height: H, depth, confidence, filled });
    const back = loadDepthMap(dir, 'view');
    expect(Array.from(back.depth)).toEqual(Array.from(depth));
    expect(Array.from(back.confidence)).toEqual(Array.from(confidence));
    expect(Array.from(back.filled)).toEqual(Array.from(filled));
    const up = resamplePrior(back, 16, 12);
    const values = new Set(Array.from(depth));
    for (const v of up.depth) expect(values.has(v)).toBe(true); // nearest: every value exists in the source
    for (let i = 0; i < up.depth.length; i++) if (up.depth[i] === 0) expect(up.confidence[i]).toBe(0);
    expect(() => loadDepthMap(dir, 'missing')).toThrow(/missing depth map/);
  });
});

describe('camera export size', () => {
  it('scales a downscaled training camera back to its photo', async () => {
    const { atPhotoSize } = await import('../../engine/pipeline/reconstruct.js');
    const c = atPhotoSize({ width: 252, height: 189, fx: 200, fy: 201, cx: 126, cy: 94.5, R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] }, 2, [504, 378]);
    expect([c.width, c.height, c.fx, c.fy, c.cx, c.cy]).toEqual([504, 378, 400, 402, 252, 189]);
  });
});
