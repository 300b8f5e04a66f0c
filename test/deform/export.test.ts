import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/headless/cli.js';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { applyEditSpec, exportDynamicFrames, motionToEdit, parseEditSpec } from '../../engine/deform/export.js';
import { readSceneFile, writeSceneFile } from '../../engine/io/scene-file.js';
import { createScene, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose, rng } from '../util/close.js';

/** A 4 x 1 x 1 bar of Gaussians along x. */
function barScene(n: number): GaussianScene {
  const s = createScene(n, 0);
  const rand = rng(4);
  for (let i = 0; i < n; i++) {
    s.means.set([4 * rand() - 2, rand() - 0.5, rand() - 0.5], i * 3);
    s.opacityLogits[i] = rand();
    s.sh[i * 3] = rand();
  }
  return s;
}

const spec = {
  controlPoints: 40,
  iterations: 20,
  pin: [{ center: [-2, 0, 0], radius: 0.8 }],
  drag: [{ center: [2, 0, 0], radius: 0.8, offset: [0, 1, 0] }],
};

describe('edit spec and scene export', () => {
  const scene = barScene(400);

  it('rejects malformed specs with the file and field named', () => {
    expect(() => parseEditSpec([], 'e.json')).toThrow(/^e\.json: edit spec must be a JSON object/);
    expect(() => parseEditSpec({ drag: [{ center: [0, 0], radius: 1, offset: [0, 0, 0] }] }, 'e.json')).toThrow(/e\.json: drag\[0\]\.center must be/);
    expect(() => parseEditSpec({ drag: [{ center: [0, 0, 0], radius: -1, offset: [0, 0, 0] }] }, 'e.json')).toThrow(/drag\[0\]\.radius/);
    expect(() => parseEditSpec({ pin: [] }, 'e.json')).toThrow(/drag must select/);
    expect(() => applyEditSpec(scene, parseEditSpec({ drag: [{ center: [50, 0, 0], radius: 1, offset: [0, 1, 0] }] }, 'e.json'))).toThrow(/selects no control point/);
  });

  it('pinned Gaussians stay, dragged ones follow the offset, other attributes are untouched', () => {
    const r = applyEditSpec(scene, parseEditSpec(spec, 'e.json'));
    expect(r.dragged).toBeGreaterThan(0);
    expect(r.pinned).toBeGreaterThan(0);
    for (let i = 0; i < scene.count; i++) {
      const x = scene.means[i * 3];
      const dy = r.scene.means[i * 3 + 1] - scene.means[i * 3 + 1];
      if (x < -1.9) expect(Math.abs(dy), `pinned Gaussian ${i}`).toBeLessThan(0.05);
      if (x > 1.9) expect(Math.abs(dy - 1), `dragged Gaussian ${i}`).toBeLessThan(0.1);
    }
    expect(r.scene.opacityLogits).toEqual(scene.opacityLogits);
    expect(r.scene.sh).toEqual(scene.sh);
    expect(r.scene.logScales).toEqual(scene.logScales);
  });

  it('a dynamic export goes from rest (first frame) to the edit (last frame)', () => {
    const r = applyEditSpec(scene, parseEditSpec(spec, 'e.json'));
    const frames = exportDynamicFrames(scene, r.rest, motionToEdit(r.edited), [0, 0.5, 1]);
    expect(frames.length).toBe(3);
    // float32 storage of coordinates ~2: ~1e-6.
    expectAllClose('first frame', frames[0].means, scene.means, 1e-5, 0);
    expectAllClose('last frame', frames[2].means, r.scene.means, 1e-5, 0);
    // The middle frame is in between: the dragged end has moved about half way.
    const far = Array.from({ length: scene.count }, (_, i) => i).filter((i) => scene.means[i * 3] > 1.9);
    for (const i of far) expect(frames[1].means[i * 3 + 1] - scene.means[i * 3 + 1]).toBeGreaterThan(0.3);
  });
});

describe('sparrow deform', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sparrow-deform-'));
    await writeSceneFile(join(dir, 'in.ply'), barScene(300));
    writeFileSync(join(dir, 'edit.json'), JSON.stringify(spec));
    writeFileSync(join(dir, 'bad.json'), '{"drag": 3}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => main(['node', 'sparrow', 'deform', ...args, '--json']);

  it('writes the edited scene and a frame sequence', async () => {
    expect(await run(join(dir, 'in.ply'), join(dir, 'out.ply'), '--edit', join(dir, 'edit.json'))).toBe(ExitCode.ok);
    const out = await readSceneFile(join(dir, 'out.ply'));
    expect(out.count).toBe(300);
    expect(await run(join(dir, 'in.ply'), join(dir, 'seq'), '--edit', join(dir, 'edit.json'), '--frames', '3')).toBe(ExitCode.ok);
    expect(readdirSync(join(dir, 'seq')).sort()).toEqual(['frame_0000.ply', 'frame_0001.ply', 'frame_0002.ply']);
    expectAllClose('last frame = edit', (await readSceneFile(join(dir, 'seq', 'frame_0002.ply'))).means, out.means, 1e-5, 0);
  });

  it('exits with bad-input / usage codes and writes nothing', async () => {
    expect(await run(join(dir, 'in.ply'), join(dir, 'x.ply'), '--edit', join(dir, 'bad.json'))).toBe(ExitCode.badInput);
    expect(await run(join(dir, 'in.ply'), join(dir, 'x.ply'), '--edit', join(dir, 'missing.json'))).toBe(ExitCode.badInput);
    expect(await run(join(dir, 'in.ply'), join(dir, 'x.ply'), '--edit', join(dir, 'edit.json'), '--frames', '1')).toBe(ExitCode.usage);
    expect(existsSync(join(dir, 'x.ply'))).toBe(false);
  });
});
