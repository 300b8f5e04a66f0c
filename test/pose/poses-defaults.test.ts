/**
 * `sparrow poses` and `sparrow reconstruct` run the pose stage with the same number of
 * keypoints: issue 4 measured different results at 3000 and 2048 on the same photos. The
 * default is the pipeline config's, read in the action (the CLI starts without the engine),
 * and the help text states it. Also the lines it prints per registered view.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register, registeredLine } from '../../electron/headless/commands/poses.js';
import { reconstructConfig } from '../../engine/pipeline/config.js';

describe('sparrow poses defaults', () => {
  it('asks for as many keypoints as the reconstruction pipeline, and says how many', () => {
    const program = new Command();
    register(program);
    const poses = program.commands.find((c) => c.name() === 'poses')!;
    const opt = poses.options.find((o) => o.long === '--max-keypoints')!;
    // No commander default: the action falls back to the config.
    expect(opt.defaultValue).toBeUndefined();
    expect(Number(/default (\d+)/.exec(opt.description)?.[1])).toBe(reconstructConfig().poses.maxKeypoints);
  });
});

describe('sparrow poses report lines', () => {
  it('prints inliers, points and reprojection for a matched view', () => {
    expect(registeredLine({ name: 'a.jpg', method: 'pnp', registrationInliers: 39, observations: 231, rmsErrorPx: 0.742 })).toBe('a.jpg: pnp, 39 inliers, 231 points seen, reprojection 0.74 px');
  });

  it('leaves out the figures a silhouette placement does not have, instead of 0 inliers and NaN px', () => {
    const line = registeredLine({ name: 'b.png', method: 'silhouette', registrationInliers: 0, observations: 0, rmsErrorPx: NaN });
    expect(line).toBe('b.png: silhouette, sees no model point');
    expect(line).not.toMatch(/NaN|0 inliers/);
  });
});
