/**
 * The silhouette placement refuses, with the reason, to place views of a symmetric object
 * (a lone ellipsoid: 180° turns give identical silhouettes): it must lower the confidence
 * below the threshold rather than pick one of the equally good poses.
 */
import { describe, expect, it } from 'vitest';
import { placeBySilhouettes } from '../../engine/pose/silhouette-placement.js';
import { SYMMETRIC, orbitCamera, relativePose, renderObject } from './silhouette-synthetic.js';

const RING5: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];

describe('silhouette placement of a symmetric object', () => {
  it('refuses a symmetric object rather than guessing', () => {
    const cams = [...RING5, [110, 35], [170, 55]].map(([a, e]) => orbitCamera(a, e));
    const names = cams.map((_, i) => `view${i}`);
    const placed = cams.map((_, i) => i < 5);
    const rel = relativePose(cams[5], cams[6]);
    const pairs = [{ a: 5, b: 6, relPose: rel, inlierCount: 100 }];
    // The same cameras around a lone ellipsoid: 180° turns give identical silhouettes.
    const sym = placeBySilhouettes({ names, images: cams.map((c) => renderObject(SYMMETRIC, c)), cameras: cams, placed, pairs });
    expect(sym.placed.size).toBe(0);
    // Refused as a pair and then each view alone, both times as ambiguous.
    for (const v of [5, 6]) expect(sym.refused.get(v)).toMatch(/^with its partner: ambiguous: .*runner-up.*; alone: ambiguous: .*runner-up/);
  });
});
