/**
 * Group placement inside estimatePoses (silhouette-group-placement.ts): masked photos of a
 * synthetic object, scripted matches. Views 0-3 see one half of the object's points, views
 * 4-6 the other half, so no pair links the two groups (the lego situation: every
 * cross-group pair was a wrong match and was dropped). The main model registers 0-3; the
 * group 4-6 has its own SfM model and must be placed rigidly by the silhouettes and points
 * ('silhouette-group', within a few degrees) on an asymmetric object when the silhouette
 * route is asked for (minLead), and refused by name, with its figures, on a symmetric one
 * (a lone ellipsoid: 180° turns fit as well); by default the colours must decide too, so
 * the grey capture is refused.
 * The single-view silhouette search is off here, so only the group placement can place them.
 */
import { describe, expect, it } from 'vitest';
import { GROUP, cameras, errorOf, run } from './silhouette-group-fixture.js';
import { ASYMMETRIC, SYMMETRIC } from './silhouette-synthetic.js';

describe('estimatePoses: a separate group placed by silhouettes (synthetic, scripted matches)', () => {
  it('places the group of an asymmetric object rigidly, within a few degrees (silhouette route asked for)', async () => {
    const est = await run(ASYMMETRIC, { minLead: 0.05 });
    expect(est.views.map((v) => v.registered)).toEqual(cameras.map(() => true));
    for (const v of [0, 1, 2, 3]) expect(['initial-pair', 'pnp']).toContain(est.views[v].method);
    for (const v of GROUP) {
      expect(est.views[v].method).toBe('silhouette-group');
      expect(est.views[v].confidence).toBe('low');
      expect(est.views[v].placement).toMatch(/group of 3 .*lead 0\.\d{3}; colour agreement .*; the whole model passes the silhouette check/);
      // 96 px masks, a 4-view hull, the group's own 3-view model: a few degrees.
      expect(errorOf(est, v)).toBeLessThan(4);
    }
  }, 120_000);

  it('leaves the group out without the feature', async () => {
    const est = await run(ASYMMETRIC, false);
    for (const v of GROUP) {
      expect(est.views[v].registered).toBe(false);
      expect(est.views[v].reason).toMatch(/separate group of 3 views/);
    }
  }, 120_000);

  it('by default needs the colours too: the grey asymmetric group is refused by name', async () => {
    const est = await run(ASYMMETRIC);
    for (const v of GROUP) {
      expect(est.views[v].registered).toBe(false);
      expect(est.views[v].reason).toMatch(/silhouette group placement: ambiguous: group of 3 .*\(the colours do not decide: /);
    }
  }, 120_000);

  it('refuses the group of a symmetric object by name, with the lead', async () => {
    const est = await run(SYMMETRIC, { minLead: 0.05 });
    for (const v of [0, 1, 2, 3]) expect(est.views[v].registered).toBe(true);
    for (const v of GROUP) {
      expect(est.views[v].registered).toBe(false);
      expect(est.views[v].reason).toMatch(/silhouette group placement: ambiguous: group of 3 .*runner-up .* at \d+°; lead 0\.00\d; .*\(silhouette lead below 0\.015/);
    }
  }, 120_000);
});
