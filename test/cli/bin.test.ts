/**
 * bin/sparrow.mjs (what `npx sparrow` runs) runs the CLI in its own process: exit codes and
 * messages reach the caller as they do from `main()` (test/util/cli.ts runs that in-process).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../electron/headless/exit-codes.js';

const dir = mkdtempSync(join(tmpdir(), 'sparrow-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sparrowBin(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sparrow.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

describe('bin/sparrow.mjs start', () => {
  it('runs the CLI in one node process (a second one costs every command its start-up)', () => {
    // NODE_OPTIONS reaches every node process started under it: each one logs its pid.
    const preload = join(dir, 'log-pid.cjs');
    const log = join(dir, 'pids.txt');
    writeFileSync(preload, `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');\n`);
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['bin/sparrow.mjs', '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${preload}` } });
    expect(r.status).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^Usage: sparrow/);
    // The loader thread tsx registers may log the same pid again.
    expect([...new Set(readFileSync(log, 'utf8').trim().split('\n'))]).toEqual([String(r.pid)]);
  });
});

describe('bin/sparrow.mjs', () => {
  it('prints the help with every command and exits 0', () => {
    const r = sparrowBin('--help');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/^Usage: sparrow \[options\] \[command\]/);
    for (const c of ['matches', 'render', 'convert', 'poses', 'depth', 'deform', 'deform-train', 'train', 'reconstruct', 'batch']) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('exits 3 naming the folder when the photos folder does not exist', () => {
    const missing = join(dir, 'no-such-photos');
    const r = sparrowBin('poses', missing, '--out', join(dir, 'out'));
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toBe(`error: ${missing}: no such folder\n`);
  });

  it('exits 2 on a bad flag value and on an unknown command', () => {
    const bad = sparrowBin('poses', dir, '--out', join(dir, 'out'), '--features', 'sift');
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.err).toMatch(/^error: --features must be one of auto, xfeat, orb, akaze, got 'sift'/);
    const unknown = sparrowBin('bogus');
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.err).toMatch(/^error: unknown command 'bogus'/);
  });
});

describe('bin/sparrow.mjs Ctrl-C', () => {
  it('stops poses at its next safe point, prints cancelled and exits 130 itself', async () => {
    // The bundled sample (5 photos, always present): seconds of work after the first event,
    // so the signal lands while the command runs.
    const photos = resolve('assets/sample/photos');
    const out = join(dir, 'cancelled');
    const child = spawn(process.execPath, ['bin/sparrow.mjs', 'poses', photos, '--out', out, '--features', 'akaze', '--json']);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // The first event comes from inside the command's session, whose SIGINT handler is then installed.
    child.stdout.on('data', (d) => {
      if (!stdout) child.kill('SIGINT');
      stdout += String(d);
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((done) => child.on('exit', (c, s) => done([c, s])));
    expect({ code, signal }).toEqual({ code: ExitCode.cancelled, signal: null });
    expect(stderr).toBe('cancelled\n');
    expect(existsSync(join(out, 'transforms.json'))).toBe(false);
  });
});
