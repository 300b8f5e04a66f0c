/**
 * Runs the headless CLI in-process, capturing what it prints: the CLI tests check exit codes
 * and messages without spawning a process per case.
 */
import { vi } from 'vitest';
import { main } from '../../electron/headless/cli.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function sparrow(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'sparrow', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}
