/**
 * `sparrow poses` and `sparrow reconstruct` run the pose stage with the same number of
 * keypoints: issue 4 measured different results at 3000 and 2048 on the same photos. The
 * default is the pipeline config's, read in the action (the CLI starts without the engine),
 * and the help text states it.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../../electron/headless/commands/poses.js';
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
