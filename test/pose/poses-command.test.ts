/** `sparrow poses`: bad input gives clear messages and the documented exit codes. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { sparrow } from '../util/cli.js';

// The bundled sample photos: the test needs no data outside the repository.
const fern = resolve(__dirname, '..', '..', 'assets', 'sample', 'photos');
const tmp = mkdtempSync(join(tmpdir(), 'sparrow-poses-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sparrow poses bad input', () => {
  it('a missing folder', async () => {
    const r = await sparrow('poses', join(tmp, 'nope'), '--out', join(tmp, 'o1'));
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toMatch(/nope: no such folder/);
  });

  it('a folder with one photo', async () => {
    const dir = join(tmp, 'one');
    mkdirSync(dir);
    copyFileSync(join(fern, 'fern_001.jpg'), join(dir, 'fern_001.jpg'));
    writeFileSync(join(dir, 'notes.txt'), 'not a photo');
    const r = await sparrow('poses', dir, '--out', join(tmp, 'o2'), '--features', 'akaze');
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toMatch(/need at least 2 photos .*found 1/);
  });

  it('a corrupt photo is named', async () => {
    const dir = join(tmp, 'corrupt');
    mkdirSync(dir);
    copyFileSync(join(fern, 'fern_001.jpg'), join(dir, 'fern_001.jpg'));
    writeFileSync(join(dir, 'broken.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]));
    const r = await sparrow('poses', dir, '--out', join(tmp, 'o3'), '--features', 'akaze');
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.err).toMatch(/broken\.jpg/);
  });

  it('an unknown --features value', async () => {
    const r = await sparrow('poses', fern, '--out', join(tmp, 'o4'), '--features', 'sift');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--features must be one of/);
  });
});

describe('sparrow poses on fern (3 views)', () => {
  it('writes the COLMAP model, transforms.json and the report, with JSON progress', async () => {
    const dir = join(tmp, 'fern3');
    mkdirSync(dir);
    for (const f of ['fern_001.jpg', 'fern_010.jpg', 'fern_019.jpg']) copyFileSync(join(fern, f), join(dir, f));
    const out = join(tmp, 'out-fern3');
    const r = await sparrow('poses', dir, '--out', out, '--features', 'akaze', '--json');
    expect(r.code).toBe(ExitCode.ok);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((e) => e.type === 'step' && e.stage === 'matching')).toBe(true);
    const done = lines.find((e) => e.type === 'done');
    expect(done.report.registered).toBe(3);
    expect(done.report.views.map((v: { method: string }) => v.method).sort()).toEqual(['initial-pair', 'initial-pair', 'pnp']);
    for (const f of ['sparse/0/cameras.txt', 'sparse/0/images.txt', 'sparse/0/points3D.txt', 'transforms.json', 'poses.json']) expect(existsSync(join(out, f))).toBe(true);
    const tf = JSON.parse(readFileSync(join(out, 'transforms.json'), 'utf8'));
    expect(tf.frames.length).toBe(3);
    expect(tf.frames[0].file_path).toBe('../fern3/fern_001.jpg');
  }, 120_000);
});
