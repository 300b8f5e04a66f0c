/**
 * The silhouette placement of a pair of views (rigid, with its relative pose) on a
 * synthetic asymmetric object, and its refusal on a symmetric one (a lone ellipsoid:
 * 180° turns give identical silhouettes), with known cameras (silhouette-synthetic.ts).
 */
import { describe, expect, it } from 'vitest';
import { mul3, rotationAngleDeg, tr3 } from '../../engine/pose/linalg.js';
import { placeBySilhouettes } from '../../engine/pose/silhouette-placement.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';
import { ASYMMETRIC, SYMMETRIC, orbitCamera, relativePose, renderObject } from './silhouette-synthetic.js';

const RING5: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];

function centreAngleDeg(a: Camera, b: Camera): number {
  const ca = cameraCenter(a);
  const cb = cameraCenter(b);
  const dot = (ca[0] * cb[0] + ca[1] * cb[1] + ca[2] * cb[2]) / (Math.hypot(...ca) * Math.hypot(...cb));
  return (Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

describe('silhouette placement of a pair', () => {
  it('places a pair rigidly with its relative pose', () => {
    const cams = [...RING5, [110, 35], [170, 55]].map(([a, e]) => orbitCamera(a, e));
    const names = cams.map((_, i) => `view${i}`);
    const placed = cams.map((_, i) => i < 5);
    const rel = relativePose(cams[5], cams[6]);
    const pairs = [{ a: 5, b: 6, relPose: rel, inlierCount: 100 }];
    const out = placeBySilhouettes({ names, images: cams.map((c) => renderObject(ASYMMETRIC, c)), cameras: cams, placed, pairs });
    expect([...out.refused.keys()]).toEqual([]);
    for (const v of [5, 6]) {
      const p = out.placed.get(v)!;
      expect(rotationAngleDeg(p.pose.R, cams[v].R)).toBeLessThan(4);
      expect(centreAngleDeg({ ...cams[v], ...p.pose }, cams[v])).toBeLessThan(4);
      expect(p.placement).toMatch(/coherence .* placed rigidly with its trusted partner/);
    }
    // Rigid: the pair's relative rotation and baseline direction are kept exactly.
    const [a, b] = [out.placed.get(5)!.pose, out.placed.get(6)!.pose];
    expect(rotationAngleDeg(mul3(b.R, tr3(a.R)), rel.R)).toBeLessThan(1e-6);
    const t = [0, 1, 2].map((r) => b.t[r] - (rel.R[3 * r] * a.t[0] + rel.R[3 * r + 1] * a.t[1] + rel.R[3 * r + 2] * a.t[2]));
    const n = Math.hypot(t[0], t[1], t[2]);
    for (let k = 0; k < 3; k++) expect(t[k] / n).toBeCloseTo(rel.t[k], 9);
  });
});
