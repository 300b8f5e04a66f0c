/**
 * The colour rule of the group placement inside estimatePoses (silhouette-group-placement.ts):
 * with the silhouette lead alone never enough (minLead 1), a group is placed only when its
 * colours agree with the registered views better than every placement > 30° away. The
 * capture of silhouette-group-fixture.ts painted with a 3D colour field: placed, within a
 * few degrees; the same capture in plain grey (every placement agrees): refused, by name,
 * with the colour figures.
 */
import { describe, expect, it } from 'vitest';
import { GROUP, errorOf, run } from './silhouette-group-fixture.js';
import { ASYMMETRIC } from './silhouette-synthetic.js';

describe('estimatePoses: colours decide a group placement with a small silhouette lead', () => {
  it('places the painted group by its colour lead', async () => {
    const est = await run(ASYMMETRIC, { minLead: 1 }, true);
    for (const v of GROUP) {
      expect(est.views[v].method).toBe('silhouette-group');
      expect(est.views[v].placement).toMatch(/colour agreement 0\.\d{3} on \d+ shared surface voxels \(the registered views among themselves 0\.\d{3}\), best of \d+ candidates > 30° away -?0\.\d{3}; the whole model passes/);
      expect(errorOf(est, v)).toBeLessThan(4);
    }
  }, 120_000);

  it('refuses the grey group: the colours do not decide', async () => {
    const est = await run(ASYMMETRIC, { minLead: 1 });
    for (const v of GROUP) {
      expect(est.views[v].registered).toBe(false);
      expect(est.views[v].reason).toMatch(/silhouette group placement: ambiguous: .*silhouette lead below 1, and the colours do not decide: (lead -?0\.\d{3} < 0\.15|too little shared surface|agreement \d+% of the registered views' own)/);
    }
  }, 120_000);
});
