/** `sparrow train` end to end in-process: outputs, resume, exit codes for bad input and flags. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Command, CommanderError } from 'commander';
import { ExitCode, UserError } from '../../electron/headless/exit-codes.js';
import { configFromFlags, register } from '../../electron/headless/commands/train.js';
import { readSceneFile } from '../../engine/io/scene-file.js';
import { readCheckpoint } from '../../engine/train/checkpoint.js';
import type { TrainerMeta } from '../../engine/train/trainer.js';
import { testGpu } from '../util/gpu.js';
import { knownScene, ringCams, writeSyntheticCapture } from './synthetic.js';

const argv = (...a: string[]) => ['node', 'sparrow', ...a];

/**
 * Runs only the train command (the full CLI imports every command) and maps errors to exit
 * codes the way electron/headless/cli.ts reportError does for the kinds train throws.
 */
async function main(args: string[]): Promise<number> {
  const program = new Command('sparrow').exitOverride();
  register(program);
  try {
    await program.parseAsync(args);
    return ExitCode.ok;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    if (e instanceof CommanderError) return ExitCode.usage;
    if (e instanceof UserError) return e.code;
    if (/^(DatasetError|FormatError|ImageDecodeError)$/.test((e as Error).name)) return ExitCode.badInput;
    return ExitCode.internal;
  }
}

describe('sparrow train', () => {
  let data: string;
  beforeAll(async () => {
    data = await writeSyntheticCapture(await testGpu(), knownScene(60, 5), ringCams(6, 32), [0, 0, 0]);
  });

  it('--eval on a dataset that holds out no views says so and trains on all of them', async () => {
    const t = JSON.parse(readFileSync(join(data, 'transforms.json'), 'utf8'));
    const all = join(data, 'transforms-no-test.json');
    writeFileSync(all, JSON.stringify({ ...t, train_filenames: t.frames.map((f: { file_path: string }) => f.file_path), test_filenames: [] }));
    const out = mkdtempSync(join(tmpdir(), 'sparrow-train-cli-'));
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    let code: number;
    try {
      code = await main(argv('train', all, '--out', out, '--iters', '2', '--eval', '--json', '--max-gaussians', '200'));
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(ExitCode.ok);
    const events = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    const warning = events.find((e) => e.type === 'warning');
    expect(warning?.message).toMatch(/^nothing to evaluate: .* holds out no views \(its test_filenames list is empty\); training on all 6$/);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).eval).toBeUndefined();
  });

  it('writes scene, checkpoint and metrics; --resume continues to a larger --iters', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sparrow-train-cli-'));
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    let code: number;
    try {
      code = await main(argv('train', data, '--out', out, '--iters', '6', '--eval', '--eval-images', '--sh-degree', '1', '--json', '--max-gaussians', '500'));
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(ExitCode.ok);
    const events = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'step' && e.stage === 'train').length).toBe(6);
    expect(events.at(-1).type).toBe('done');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.steps).toBe(6);
    expect(metrics.eval.views.length).toBe(3);
    expect(Number.isFinite(metrics.eval.psnr)).toBe(true);
    expect(existsSync(join(out, 'eval'))).toBe(true);
    const scene = await readSceneFile(join(out, 'scene.ply'));
    expect(scene.count).toBe(metrics.gaussians);
    expect(scene.shDegree).toBe(1);

    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      code = await main(argv('train', data, '--out', out, '--iters', '9', '--resume'));
    } finally {
      quiet.mockRestore();
    }
    expect(code).toBe(ExitCode.ok);
    expect(readCheckpoint<TrainerMeta>(join(out, 'checkpoint.ckpt')).meta.step).toBe(9);
  });

  it('bad dataset -> exit 3 naming the file; bad flag -> exit 2', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (errors.push(String(s)), true));
    try {
      const empty = mkdtempSync(join(tmpdir(), 'sparrow-nodata-'));
      expect(await main(argv('train', empty, '--out', join(empty, 'o')))).toBe(ExitCode.badInput);
      expect(errors.join('')).toMatch(/not a dataset/);
      expect(await main(argv('train', data, '--out', join(data, 'o'), '--background', '1,2'))).toBe(ExitCode.usage);
      expect(await main(argv('train', data, '--out', join(data, 'o2'), '--resume'))).toBe(ExitCode.badInput);
      expect(errors.join('')).toMatch(/checkpoint\.ckpt: no checkpoint to resume from/);
    } finally {
      spy.mockRestore();
    }
  });

  it('short runs compress the 30k-step schedules', () => {
    const c = configFromFlags({ out: 'x', iters: '3000' });
    expect(c).toMatchObject({ iterations: 3000, densifyFrom: 50, densifyUntil: 1500, densifyInterval: 10, opacityResetInterval: 300, shDegreeInterval: 100, meansLrMaxSteps: 3000 });
    // Floors for very short runs.
    expect(configFromFlags({ out: 'x', iters: '30' })).toMatchObject({ densifyFrom: 10, densifyUntil: 15, densifyInterval: 10, opacityResetInterval: 300, shDegreeInterval: 1 });
  });
});
