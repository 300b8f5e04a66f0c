#!/usr/bin/env node
/**
 * `sparrow` — the headless command-line tool. Each subcommand lives in
 * electron/headless/commands/<name>.ts and exports `register(program)`, which defines its flags and
 * help only: the engine modules a command needs are imported when it runs, so `sparrow` starts
 * without loading the GPU, training or ONNX code (test/cli/lazy-commands.test.ts checks it).
 */
import { Command, CommanderError } from 'commander';
import { GpuUnavailableError } from '../../engine/gpu/acquire.js';
import { CancelledError } from '../../engine/pipeline/events.js';
import { ExitCode, UserError } from './exit-codes.js';
import { COMMANDS } from './commands/index.js';

export async function main(argv = process.argv): Promise<number> {
  const program = new Command('sparrow')
    .description('Sparrow: a handful of photos in, a 3D Gaussian-splat scene out.')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (e instanceof UserError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.code;
  }
  if (e instanceof GpuUnavailableError) {
    process.stderr.write(`error: ${e.message}\n`);
    return ExitCode.noGpu;
  }
  if (e instanceof CancelledError) {
    process.stderr.write('cancelled\n');
    return ExitCode.cancelled;
  }
  const err = e as Error;
  // Errors from loaders/decoders carry the file in their message already.
  if (err && /^(ImageDecodeError|DatasetError|FormatError)$/.test(err.name)) {
    process.stderr.write(`error: ${err.message}\n`);
    return ExitCode.badInput;
  }
  process.stderr.write(`internal error: ${err?.stack ?? String(e)}\n`);
  return ExitCode.internal;
}

/** Runs `sparrow` on process.argv and exits with its code (bin/sparrow.mjs, `tsx electron/headless/cli.ts`). */
export async function runAndExit(argv = process.argv): Promise<never> {
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    code = reportError(e);
  }
  process.exit(code);
}

const isEntry = process.argv[1] && /cli\.(ts|js|mjs)$/.test(process.argv[1]);
if (isEntry) void runAndExit();
