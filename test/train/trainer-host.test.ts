/** Host-side parts of training: config, schedules, densification plans, checkpoints, init. */
import { describe, expect, it } from 'vitest';
import { trainConfig, DEFAULT_TRAIN_CONFIG } from '../../engine/train/config.js';
import { expDecay, isDensifyStep, meansLrAt, shDegreeAt } from '../../engine/train/schedule.js';
import { applyPlanHost, planDensify, resetOpacityLogits, type DensifyParams } from '../../engine/train/densify.js';
import { zeroMoments, PARAM_NAMES, rowWidths } from '../../engine/train/params.js';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint } from '../../engine/train/checkpoint.js';
import { meanSqDistKnn3 } from '../../engine/train/knn.js';
import { sceneFromPoints, subsamplePoints } from '../../engine/train/init.js';
import { Rng } from '../../engine/math/random.js';
import { createScene, logit, sigmoid, shDcToRgb } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('config and schedules', () => {
  it('defaults are the 3DGS ones and bad values are refused', () => {
    const c = trainConfig();
    expect([c.meansLr, c.meansLrFinal, c.sh0Lr, c.scalesLr, c.quatsLr, c.ssimLambda, c.densifyGradThreshold, c.percentDense, c.pruneOpacity]).toEqual([1.6e-4, 1.6e-6, 2.5e-3, 5e-3, 1e-3, 0.2, 2e-4, 0.01, 0.005]);
    expect(() => trainConfig({ shDegree: 4 })).toThrow(/shDegree/);
    expect(() => trainConfig({ background: [2, 0, 0] })).toThrow(/background/);
    expect(() => trainConfig({ iterations: -1 })).toThrow(/iterations/);
    expect(DEFAULT_TRAIN_CONFIG.background).toEqual([0, 0, 0]);
  });

  it('position lr decays log-linearly from 1.6e-4 to 1.6e-6 times the extent', () => {
    const c = trainConfig();
    expect(meansLrAt(c, 0, 2)).toBeCloseTo(3.2e-4, 12);
    expect(meansLrAt(c, 30_000, 2)).toBeCloseTo(3.2e-6, 14);
    expect(meansLrAt(c, 60_000, 2)).toBeCloseTo(3.2e-6, 14);
    // Halfway in log space: the geometric mean.
    expect(expDecay(1e-2, 1e-4, 50, 100)).toBeCloseTo(1e-3, 12);
  });

  it('SH degree rises every 1000 steps; densification window', () => {
    const c = trainConfig();
    expect([0, 999, 1000, 2500, 3000, 9000].map((s) => shDegreeAt(c, s))).toEqual([0, 0, 1, 2, 3, 3]);
    expect([500, 600, 650, 15_000].map((s) => isDensifyStep(c, s))).toEqual([false, true, false, false]);
  });
});

/** Four Gaussians with distinct parameters and moments (row i filled with i-based values). */
function fourGaussians(shDegree = 1) {
  const s = createScene(4, shDegree);
  const W = rowWidths(shDegree);
  const fill = (a: Float32Array, w: number, base: number) => { for (let i = 0; i < a.length; i++) a[i] = base + Math.floor(i / w) * 10 + (i % w) * 0.1; };
  fill(s.means, 3, 0);
  fill(s.sh, W.sh, 100);
  s.quats.set([1, 0, 0, 0, 0.9, 0.1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  // 0: small, 1: large (splits), 2: transparent (pruned), 3: small with low gradient (stays)
  s.logScales.set([-5, -5, -5, -1, -2, -3, -5, -5, -5, -5, -4, -5]);
  s.opacityLogits.set([logit(0.5), logit(0.8), logit(0.001), logit(0.3)]);
  const mom = zeroMoments(4, shDegree);
  for (const name of PARAM_NAMES) {
    fill(mom.m[name], W[name], 1000);
    fill(mom.v[name], W[name], 2000);
  }
  const stats = { gradAccum: Float32Array.from([3e-3, 3e-3, 3e-3, 1e-5]), visCount: Float32Array.from([10, 10, 10, 10]) };
  return { s, mom, stats, W };
}

const PARAMS: DensifyParams = { gradThreshold: 2e-4, percentDense: 0.01, extent: 4, pruneOpacity: 0.005, pruneWorldSize: 0, maxGaussians: 0, grow: true };

describe('densification keeps Adam moments aligned', () => {
  it('clone, split and prune on known parameters and moments', () => {
    const { s, mom, stats, W } = fourGaussians();
    const plan = planDensify(s, stats, PARAMS, new Rng(1).next);
    // Gaussian 0 (scale e^-5 < 0.04) is cloned, 1 (scale e^-1) split, 2 pruned (opacity 0.001).
    expect(plan.report).toEqual({ before: 4, after: 5, cloned: 1, split: 1, pruned: 1 });
    expect(Array.from(plan.keep)).toEqual([0, 3]);
    expect(Array.from(plan.append)).toEqual([0, 1, 1]);
    const out = applyPlanHost(s, mom, plan);
    expect(out.scene.count).toBe(5);
    const src = [0, 3, 0, 1, 1];
    for (const name of PARAM_NAMES) {
      const w = W[name];
      for (let r = 0; r < 5; r++) {
        const row = (a: Float32Array, i: number) => Array.from(a.subarray(i * w, (i + 1) * w));
        // Survivors carry their own moments; clones and split children start from zero.
        expect(row(out.moments.m[name], r)).toEqual(r < 2 ? row(mom.m[name], src[r]) : new Array(w).fill(0));
        expect(row(out.moments.v[name], r)).toEqual(r < 2 ? row(mom.v[name], src[r]) : new Array(w).fill(0));
        if (name === 'sh' || name === 'quats' || name === 'opacityLogits') expect(row(out.scene[name], r)).toEqual(row(s[name], src[r]));
      }
    }
    // The clone is an exact copy; split children shrink by 1.6 and scatter around the parent.
    expect(Array.from(out.scene.means.subarray(6, 9))).toEqual(Array.from(s.means.subarray(0, 3)));
    for (const r of [3, 4]) {
      expectAllClose('child scale', out.scene.logScales.subarray(r * 3, r * 3 + 3), [-1 - Math.log(1.6), -2 - Math.log(1.6), -3 - Math.log(1.6)], 1e-6, 0);
      const d = Math.hypot(...[0, 1, 2].map((a) => out.scene.means[r * 3 + a] - s.means[3 + a]));
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(4 * Math.exp(-1));
    }
  });

  it('the cap keeps the highest gradients and drops the least opaque', () => {
    const { s, mom, stats } = fourGaussians();
    stats.gradAccum[0] = 2e-3; // lower than Gaussian 1's 3e-3
    const plan = planDensify(s, stats, { ...PARAMS, maxGaussians: 4 }, new Rng(1).next);
    // 3 survivors + room for one: the split of Gaussian 1 (higher gradient) wins.
    expect(plan.report).toMatchObject({ cloned: 0, split: 1, after: 4 });
    const tight = planDensify(s, stats, { ...PARAMS, maxGaussians: 2 }, new Rng(1).next);
    // Survivors 0, 1, 3 exceed the cap: the least opaque (3, p = 0.3) goes, nothing grows.
    expect(Array.from(tight.keep)).toEqual([0, 1]);
    expect(tight.append.length).toBe(0);
  });

  it('no growth after densifyUntil, world-size pruning, NaN pruning', () => {
    const { s, mom, stats } = fourGaussians();
    s.means[9] = Number.NaN;
    const plan = planDensify(s, stats, { ...PARAMS, grow: false, pruneWorldSize: 0.05 }, new Rng(1).next);
    // 1 is larger than 0.05 * 4, 2 transparent, 3 NaN.
    expect(Array.from(plan.keep)).toEqual([0]);
    expect(plan.append.length).toBe(0);
    void mom;
  });

  it('opacity reset clamps to 0.01 and leaves lower ones', () => {
    const op = Float32Array.from([logit(0.9), logit(0.001)]);
    resetOpacityLogits(op, 0.01);
    expect(sigmoid(op[0])).toBeCloseTo(0.01, 6);
    expect(sigmoid(op[1])).toBeCloseTo(0.001, 6);
  });
});

describe('checkpoint container', () => {
  it('round trip keeps every bit, including NaN and -0', () => {
    const arrays = { a: Float32Array.from([1, -0, Number.NaN, 3.5e-38, Infinity]), empty: new Float32Array(0), b: Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i)) };
    const meta = { step: 7, config: trainConfig({ seed: 3 }), text: 'é' };
    const back = decodeCheckpoint<typeof meta>(encodeCheckpoint({ meta, arrays }));
    expect(back.meta).toEqual(meta);
    for (const k of Object.keys(arrays) as (keyof typeof arrays)[]) {
      expect(new Uint32Array(back.arrays[k].buffer)).toEqual(new Uint32Array(arrays[k].buffer));
    }
  });

  it('written atomically; corrupt or truncated files are named errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-ckpt-'));
    const file = join(dir, 'train.ckpt');
    writeCheckpoint(file, { meta: { step: 1 }, arrays: { x: Float32Array.from([1, 2]) } });
    expect(Array.from(readCheckpoint(file).arrays.x)).toEqual([1, 2]);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    expect(() => readCheckpoint(file)).toThrow(/train\.ckpt: truncated data in array 'x'/);
    writeFileSync(file, 'hello world, not a checkpoint');
    expect(() => readCheckpoint(file)).toThrow(/train\.ckpt: not a Sparrow checkpoint/);
  });
});

describe('initialization', () => {
  it('kNN mean squared distance matches brute force', () => {
    const r = new Rng(5);
    // Clustered points (uneven grid occupancy) plus a far outlier.
    const n = 500;
    const xyz = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) xyz[i * 3 + a] = (i % 2 ? 5 : 0) + r.next() * (i % 3 ? 1 : 0.1);
    xyz.set([40, 40, 40], 0);
    const got = meanSqDistKnn3(xyz);
    const ref = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d: number[] = [];
      for (let j = 0; j < n; j++) if (j !== i) d.push((xyz[i * 3] - xyz[j * 3]) ** 2 + (xyz[i * 3 + 1] - xyz[j * 3 + 1]) ** 2 + (xyz[i * 3 + 2] - xyz[j * 3 + 2]) ** 2);
      d.sort((a, b) => a - b);
      ref[i] = (d[0] + d[1] + d[2]) / 3;
    }
    // float32 coordinates: squared distances agree to float32 rounding.
    expectAllClose('knn', got, ref, 1e-9, 1e-5);
  });

  it('scene from points: colours, isotropic kNN scales, opacity 0.1; subsampling is seeded', () => {
    const xyz = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const rgb = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5]);
    const s = sceneFromPoints(xyz, rgb, 2);
    expect(s.sh.length).toBe(4 * 9 * 3);
    expect(shDcToRgb(s.sh[0])).toBeCloseTo(1, 6);
    expect(shDcToRgb(s.sh[9 * 3 + 1])).toBeCloseTo(1, 6);
    expect(s.sh[3]).toBe(0);
    // Point 0: neighbours at distance 1, 1, 1 -> scale 1 (log 0).
    expectAllClose('scale', s.logScales.subarray(0, 3), [0, 0, 0], 1e-6, 0);
    expect(sigmoid(s.opacityLogits[2])).toBeCloseTo(0.1, 6);
    const a = subsamplePoints(xyz, rgb, 2, new Rng(3));
    const b = subsamplePoints(xyz, rgb, 2, new Rng(3));
    expect(a.xyz.length).toBe(6);
    expect(Array.from(a.xyz)).toEqual(Array.from(b.xyz));
  });
});
