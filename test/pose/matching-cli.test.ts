/**
 * `sparrow matches <a> <b> --out pair.png`: the picture is written (both photos side by
 * side), the counts are printed, and bad input gives the documented exit codes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { sparrow } from '../util/cli.js';
import { decodeImage } from '../../engine/io/image.js';

const fern = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'fern', 'images');
const tmp = mkdtempSync(join(tmpdir(), 'sparrow-matches-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sparrow matches', () => {
  it.runIf(existsSync(fern))('writes the side-by-side picture and reports verified matches (ORB, no weights needed)', async () => {
    const out = join(tmp, 'pair.png');
    const r = await sparrow('matches', join(fern, '000.png'), join(fern, '003.png'), '--out', out, '--matcher', 'orb');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/orb\+bf, keypoints \d+ \/ \d+, \d+ matches, \d+ verified \(fundamental/);
    const verified = Number(/(\d+) verified/.exec(r.out)![1]);
    expect(verified).toBeGreaterThan(30);
    const img = await decodeImage(new Uint8Array(readFileSync(out)));
    expect([img.width, img.height]).toEqual([504 * 2, 378]);
  });

  it('names a missing photo and exits with the bad-input code', async () => {
    const r = await sparrow('matches', join(tmp, 'nope.jpg'), join(tmp, 'nope2.jpg'), '--out', join(tmp, 'x.png'), '--matcher', 'orb');
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toContain(`${join(tmp, 'nope.jpg')}: no such file`);
  });

  it('rejects a file that is not an image', async () => {
    const bad = join(tmp, 'bad.png');
    writeFileSync(bad, 'not an image');
    const r = await sparrow('matches', bad, bad, '--out', join(tmp, 'y.png'), '--matcher', 'orb');
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toContain(`${bad}: cannot decode image`);
  });

  it('rejects an unknown matcher', async () => {
    const r = await sparrow('matches', 'a.png', 'b.png', '--out', 'c.png', '--matcher', 'sift');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toContain('--matcher must be one of');
  });
});
