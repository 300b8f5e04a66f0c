/**
 * `sparrow render` end to end on the bundled sample scene (small images), and the sample
 * scene generator itself.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/headless/cli.js';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { decodeImage } from '../../engine/io/image.js';
import { buildSampleScene } from '../../engine/splat/sample-scene.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('sample scene', () => {
  it('is deterministic, finite and a few thousand splats', () => {
    const a = buildSampleScene();
    const b = buildSampleScene();
    expect(a.count).toBeGreaterThan(2000);
    expect(a.count).toBeLessThan(10000);
    for (const k of ['means', 'logScales', 'quats', 'opacityLogits', 'sh'] as const) {
      expect(Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer))).toBe(true);
      expect(a[k].findIndex((v) => !Number.isFinite(v)), k).toBe(-1);
    }
  });
});

describe('sparrow render', () => {
  it('renders the sample scene from orbit cameras to PNG files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sparrow-render-'));
    dirs.push(out);
    const code = await main(['node', 'sparrow', 'render', '--out', out, '--views', '3', '--width', '80', '--height', '60', '--background', '0,0,1']);
    expect(code).toBe(ExitCode.ok);
    const files = readdirSync(out).filter((f) => f.endsWith('.png')).sort();
    expect(files).toEqual(['view-00.png', 'view-01.png', 'view-02.png']);
    const images = await Promise.all(files.map((f) => decodeImage(readFileSync(join(out, f)), f)));
    for (const img of images) {
      expect([img.width, img.height]).toEqual([80, 60]);
      // The scene covers part of the image: some pixels are not the blue background, some are.
      let background = 0;
      for (let p = 0; p < 80 * 60; p++) if (img.data[p * 4] === 0 && img.data[p * 4 + 1] === 0 && img.data[p * 4 + 2] === 255) background++;
      expect(background).toBeGreaterThan(80 * 60 * 0.1);
      expect(background).toBeLessThan(80 * 60 * 0.9);
    }
    // Different viewpoints give different images.
    expect(Buffer.from(images[0].data).equals(Buffer.from(images[1].data))).toBe(false);
  });

  it('rejects bad flags with a usage error', async () => {
    expect(await main(['node', 'sparrow', 'render', '--views', '0'])).toBe(ExitCode.usage);
    expect(await main(['node', 'sparrow', 'render', '--background', 'red'])).toBe(ExitCode.usage);
  });
});
