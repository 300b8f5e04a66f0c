/**
 * Model look-up order, sha256 verification and the fallback to the classical matcher.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateModel, modelSearchDirs, modelSpec, sha256File } from '../../engine/models/registry.js';
import { chooseFeatureBackend } from '../../engine/pose/feature-backends.js';
import type { FeatureBackend } from '../../engine/pose/features.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparrow-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sharedModels = resolve(__dirname, '..', '..', '..', 'shared', 'models');

/** A stand-in classical backend: the chooser only needs something to return. */
const fakeClassical = (): FeatureBackend => ({
  name: 'orb+bf',
  extractor: { name: 'orb', extract: async () => { throw new Error('not used'); } },
  matcher: { name: 'bf', match: async () => { throw new Error('not used'); } },
});

describe('model registry', () => {
  it('searches --models, then SPARROW_MODELS, then the app data folder, then ../shared/models', () => {
    const dirs = modelSearchDirs({ flagDir: '/a', env: { SPARROW_MODELS: '/b' }, appDataDir: '/c' });
    expect(dirs.map((d) => d.dir)).toEqual(['/a', '/b', '/c', sharedModels]);
    expect(modelSearchDirs({ env: {}, includeDevDir: false })).toEqual([]);
  });

  it('hashes files by streaming (matches a one-shot hash)', async () => {
    const p = join(tmp, 'blob.bin');
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) & 255);
    writeFileSync(p, bytes);
    expect(await sha256File(p)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reports a missing file with the places searched and where to download it', async () => {
    const r = await locateModel('xfeat', { flagDir: join(tmp, 'empty'), env: {}, includeDevDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain('xfeat/xfeat.onnx not found');
      expect(r.reason).toContain(join(tmp, 'empty'));
      expect(r.reason).toContain(modelSpec('xfeat').download);
    }
  });

  it('rejects a file of the right size with the wrong sha256, and one of the wrong size', async () => {
    const dir = join(tmp, 'bad');
    mkdirSync(join(dir, 'xfeat'), { recursive: true });
    writeFileSync(join(dir, 'xfeat', 'xfeat.onnx'), new Uint8Array(modelSpec('xfeat').bytes));
    writeFileSync(join(dir, 'xfeat', 'lighterglue_L3.onnx'), new Uint8Array(10));
    const a = await locateModel('xfeat', { flagDir: dir, env: {}, includeDevDir: false });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.reason).toMatch(/sha256 [0-9a-f]{64} does not match/);
    const b = await locateModel('lighterglue', { flagDir: dir, env: {}, includeDevDir: false });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.reason).toContain('size 10 bytes');
  });

  it('falls back to the classical backend with a warning event when weights are bad', async () => {
    const events: SparrowEvent[] = [];
    const chosen = await chooseFeatureBackend({
      modelsDir: join(tmp, 'bad'),
      env: {},
      includeDevDir: false,
      onEvent: (e) => events.push(e),
      classical: fakeClassical,
    });
    expect(chosen.backend.name).toBe('orb+bf');
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].type === 'warning' && warnings[0].message).toContain('does not match');
  });

  it('defaults to the ORB backend from orb.ts when weights are missing, and to it when asked', async () => {
    const events: SparrowEvent[] = [];
    const chosen = await chooseFeatureBackend({ env: {}, includeDevDir: false, onEvent: (e) => events.push(e) });
    expect(chosen.backend.name).toBe('orb+bf');
    const w = events.find((e) => e.type === 'warning');
    expect(w && w.type === 'warning' && w.message).toContain('xfeat/xfeat.onnx not found');
    const asked = await chooseFeatureBackend({ prefer: 'orb', env: {} });
    expect(asked.backend.name).toBe('orb+bf');
    expect(asked.reason).toBe('requested');
    // 'akaze' asks for the classical builder too, even where learned weights are found.
    const akaze = await chooseFeatureBackend({ prefer: 'akaze', classical: () => ({ ...fakeClassical(), name: 'akaze+bf' }) });
    expect(akaze.backend.name).toBe('akaze+bf');
    expect(akaze.reason).toBe('requested');
  });

  it.runIf(existsSync(sharedModels))('finds and verifies the real weights (../shared/models) and picks xfeat+lighterglue', async () => {
    const r = await locateModel('xfeat', { env: {} });
    expect(r.ok).toBe(true);
    const events: SparrowEvent[] = [];
    const chosen = await chooseFeatureBackend({ env: {}, onEvent: (e) => events.push(e), classical: fakeClassical });
    expect(chosen.backend.name).toBe('xfeat+lighterglue');
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    // SPARROW_MODELS pointing at a folder with a corrupt LighterGlue: XFeat from the
    // dev folder still verifies, LighterGlue is reported and MNN takes over.
    const dir = join(tmp, 'glue-only-bad');
    mkdirSync(join(dir, 'xfeat'), { recursive: true });
    writeFileSync(join(dir, 'xfeat', 'lighterglue_L3.onnx'), new Uint8Array(modelSpec('lighterglue').bytes));
    const ev2: SparrowEvent[] = [];
    const c2 = await chooseFeatureBackend({ env: { SPARROW_MODELS: dir }, onEvent: (e) => ev2.push(e), classical: fakeClassical });
    expect(c2.backend.name).toBe('xfeat+mnn');
    expect(ev2.filter((e) => e.type === 'warning')).toHaveLength(1);
  });
});
