/**
 * A silhouette placement must explain the placed view's whole silhouette: the registered
 * views' hull holds the object, so every ray through a rightly posed view's silhouette
 * meets it (silhouette-placement.ts, MIN_EXPLAINED). Here the new photo shows a part the
 * registered photos do not (their masks were cut without it): the best pose still scores
 * and leads well, and only the unexplained share refuses it.
 */
import { describe, expect, it } from 'vitest';
import { MIN_EXPLAINED, placeBySilhouettes } from '../../engine/pose/silhouette-placement.js';
import { ASYMMETRIC, orbitCamera, relativePose, renderObject, type Ellipsoid } from './silhouette-synthetic.js';

const RING5: [number, number][] = [[0, 30], [72, 50], [144, 20], [216, 40], [288, 25]];
// A post on top that only the new view's mask has.
const WITH_POST: Ellipsoid[] = [...ASYMMETRIC, { centre: [0.1, 0, 0.75], radii: [0.15, 0.15, 0.4] }];

describe('silhouette placement: the unexplained silhouette', () => {
  const cams = [...RING5, [110, 35], [170, 55]].map(([a, e]) => orbitCamera(a, e));
  const names = cams.map((_, i) => `view${i}`);
  const placed = cams.map((_, i) => i < 5);
  const images = cams.map((c, i) => renderObject(i < 5 ? ASYMMETRIC : WITH_POST, c));
  // The two new views come as a pair with their (true) relative pose, as on lego.
  const pairs = [{ a: 5, b: 6, relPose: relativePose(cams[5], cams[6]), inlierCount: 100 }];

  it('refuses a pose that leaves part of the silhouette outside the hull, and says how much', () => {
    const out = placeBySilhouettes({ names, images, cameras: cams, placed, pairs });
    expect(out.placed.size).toBe(0);
    const why = out.refused.get(5)!;
    const m = /leaves ([0-9.]+)% of its silhouette unexplained/.exec(why);
    expect(m, why).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(100 * (1 - MIN_EXPLAINED));
  });

  it('would have placed it on coherence and lead alone', () => {
    const out = placeBySilhouettes({ names, images, cameras: cams, placed, pairs }, { minExplained: 0 });
    expect([...out.refused.values()]).toEqual([]);
    expect(out.placed.get(5)!.placement).toMatch(/its silhouette explained 0\.9[0-8]/);
  });
});
