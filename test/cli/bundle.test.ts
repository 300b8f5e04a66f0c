/**
 * The bundled CLI (scripts/build-cli.mjs -> dist/cli/, what bin/sparrow.mjs runs when it is
 * current): the same results as the TypeScript sources, including GPU commands (shaders and
 * the Node WebGPU host are found from the bundle's location), and the freshness rule that
 * keeps an edited source from being shadowed by a stale bundle.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshCliBundle } from '../../bin/cli-bundle.mjs';
import { packageRootFrom } from '../../engine/io/package-root.js';
import { sparrow } from '../util/cli.js';

const root = resolve('.');
mkdirSync(resolve('test/.tmp'), { recursive: true });
const dir = mkdtempSync(resolve('test/.tmp/cli-bundle-'));
const bundleDir = join(dir, 'cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle's CLI in a fresh node process with these arguments. */
function bundled(...args: string[]) {
  const entry = pathToFileURL(join(bundleDir, 'sparrow-cli.js')).href;
  const code = `const m = await import(${JSON.stringify(entry)}); await m.runAndExit(['node', 'sparrow', ...${JSON.stringify(args)}]);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** transforms.json without what legitimately differs between runs (nothing does today). */
const transforms = (out: string) => JSON.parse(readFileSync(join(out, 'transforms.json'), 'utf8'));

describe('bundled CLI', () => {
  const photos = join(dir, 'photos');
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['scripts/build-cli.mjs', '--outdir', bundleDir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    mkdirSync(photos);
    for (const f of ['fern_001.jpg', 'fern_010.jpg', 'fern_019.jpg']) copyFileSync(join('assets/sample/photos', f), join(photos, f));
  });

  it('lists the sources it was built from, and is current right after the build', () => {
    const manifest = JSON.parse(readFileSync(join(bundleDir, 'inputs.json'), 'utf8'));
    expect(manifest.inputs).toContain('electron/headless/cli.ts');
    expect(manifest.inputs).toContain('engine/gpu/host-node.ts');
    expect(freshCliBundle(root, bundleDir)).toBe(join(bundleDir, 'sparrow-cli.js'));
  });

  it('estimates the same poses as the sources, and its depth command finds the shaders', async () => {
    const fromBundle = bundled('poses', photos, '--out', join(dir, 'poses-bundle'), '--features', 'akaze');
    expect(fromBundle.code, fromBundle.err).toBe(0);
    const fromSource = await sparrow('poses', photos, '--out', join(dir, 'poses-source'), '--features', 'akaze');
    expect(fromSource.code, fromSource.err).toBe(0);
    expect(transforms(join(dir, 'poses-bundle')).frames.length).toBe(3);
    expect(transforms(join(dir, 'poses-bundle'))).toEqual(transforms(join(dir, 'poses-source')));

    // A GPU command: WebGPU host loaded through the bundle's separate host-node entry, shaders from shaders/.
    const depth = bundled('depth', join(dir, 'poses-bundle'), '--out', join(dir, 'depth-bundle'), '--max-side', '48', '--planes', '8');
    expect(depth.code, depth.err).toBe(0);
    const depthSource = await sparrow('depth', join(dir, 'poses-bundle'), '--out', join(dir, 'depth-source'), '--max-side', '48', '--planes', '8');
    expect(depthSource.code, depthSource.err).toBe(0);
    expect(readFileSync(join(dir, 'depth-bundle', 'init.ply')).equals(readFileSync(join(dir, 'depth-source', 'init.ply')))).toBe(true);
  }, 120_000);
});

describe('packageRootFrom', () => {
  it('finds the package from a module at any depth, and names the folder when there is none', () => {
    expect(packageRootFrom(pathToFileURL(join(root, 'engine/gpu/host-node.ts')).href)).toBe(root);
    expect(packageRootFrom(pathToFileURL(join(bundleDir, 'sparrow-cli.js')).href)).toBe(root);
    const outside = mkdtempSync(join(tmpdir(), 'sparrow-no-package-'));
    try {
      expect(() => packageRootFrom(pathToFileURL(join(outside, 'x.js')).href)).toThrow(new RegExp(`^${outside}: no folder above it holds Sparrow's package.json and shaders/`));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('freshCliBundle', () => {
  it('accepts a bundle only while every source it lists is unchanged and present', () => {
    const fake = join(dir, 'fake');
    mkdirSync(join(fake, 'dist/cli'), { recursive: true });
    writeFileSync(join(fake, 'a.ts'), 'export {}');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(fake, 'a.ts'), past, past);
    expect(freshCliBundle(fake)).toBeNull(); // no manifest: never built
    writeFileSync(join(fake, 'dist/cli/inputs.json'), JSON.stringify({ builtAt: Date.now() - 1000, inputs: ['a.ts'] }));
    expect(freshCliBundle(fake)).toBe(join(fake, 'dist/cli/sparrow-cli.js'));
    utimesSync(join(fake, 'a.ts'), new Date(), new Date()); // edited after the build
    expect(freshCliBundle(fake)).toBeNull();
    writeFileSync(join(fake, 'dist/cli/inputs.json'), JSON.stringify({ builtAt: Date.now() + 1000, inputs: ['a.ts', 'gone.ts'] }));
    expect(freshCliBundle(fake)).toBeNull(); // a source removed or renamed since
    writeFileSync(join(fake, 'dist/cli/inputs.json'), '{ not json');
    expect(freshCliBundle(fake)).toBeNull();
  });
});
