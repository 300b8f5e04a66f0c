import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/headless/cli.js';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { readSceneFile, writeSceneFile } from '../../engine/io/scene-file.js';
import { expectAllClose } from '../util/close.js';
import { randomScene } from './scenes.js';

let dir = '';
const scene = randomScene(300, 3, 11);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-convert-'));
  await writeSceneFile(join(dir, 'in.ply'), scene);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => main(['node', 'sparrow', 'convert', ...args]);

describe('sparrow convert', () => {
  it('converts by extension and by --format, honouring --sh-degree', async () => {
    expect(await run(join(dir, 'in.ply'), join(dir, 'a.spz'), '--sh-degree', '1')).toBe(ExitCode.ok);
    const a = await readSceneFile(join(dir, 'a.spz'));
    expect(a.count).toBe(300);
    expect(a.shDegree).toBe(1);
    expectAllClose('means via spz', a.means, scene.means, 0.5 / 4096 + 1e-6, 0);
    expect(await run(join(dir, 'a.spz'), join(dir, 'b.bin'), '--format', 'compressed-ply')).toBe(ExitCode.ok);
    expect((await readSceneFile(join(dir, 'b.bin'))).shDegree).toBe(1);
    expect(await run(join(dir, 'in.ply'), join(dir, 'c.glb'))).toBe(ExitCode.ok);
    expectAllClose('means via glb', (await readSceneFile(join(dir, 'c.glb'))).means, scene.means, 0, 0);
  });

  it('exits with usage/bad-input codes and leaves no partial output', async () => {
    expect(await run(join(dir, 'in.ply'), join(dir, 'x.unknown'))).toBe(ExitCode.usage);
    expect(await run(join(dir, 'in.ply'), join(dir, 'x.ply'), '--sh-degree', '5')).toBe(ExitCode.usage);
    expect(await run(join(dir, 'missing.ply'), join(dir, 'x.ply'))).toBe(ExitCode.badInput);
    expect(existsSync(join(dir, 'x.ply'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('converts to SOG beyond the 65536-entry palette (product-quantized SH) and to SOG without SH', async () => {
    await writeSceneFile(join(dir, 'big.ply'), randomScene(65537, 1, 4));
    expect(await run(join(dir, 'big.ply'), join(dir, 'big.sog'))).toBe(ExitCode.ok);
    const big = await readSceneFile(join(dir, 'big.sog'));
    expect([big.count, big.shDegree]).toEqual([65537, 1]);
    expect(await run(join(dir, 'big.ply'), join(dir, 'big0.sog'), '--sh-degree', '0')).toBe(ExitCode.ok);
    expect((await readSceneFile(join(dir, 'big0.sog'))).shDegree).toBe(0);
  }, 60_000);
});

describe('cancellation', () => {
  it('a cancelled export throws CancelledError and writes nothing', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(writeSceneFile(join(dir, 'cancelled.spz'), scene, undefined, { signal: abort.signal })).rejects.toThrow(/cancel/i);
    expect(existsSync(join(dir, 'cancelled.spz'))).toBe(false);
  });
});
