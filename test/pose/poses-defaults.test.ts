/**
 * `sparrow poses` and `sparrow reconstruct` run the pose stage with the same number of
 * keypoints: issue 4 measured different results at 3000 and 2048 on the same photos.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../../electron/headless/commands/poses.js';
import { reconstructConfig } from '../../engine/pipeline/config.js';

describe('sparrow poses defaults', () => {
  it('asks for as many keypoints as the reconstruction pipeline', () => {
    const program = new Command();
    register(program);
    const poses = program.commands.find((c) => c.name() === 'poses')!;
    const opt = poses.options.find((o) => o.long === '--max-keypoints')!;
    expect(Number(opt.defaultValue)).toBe(reconstructConfig().poses.maxKeypoints);
  });
});
