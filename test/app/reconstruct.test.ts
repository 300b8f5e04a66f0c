/**
 * A tiny reconstruction in the app page: three fern photos (halved to 252x189) through the
 * photo chooser and a small preset override (trained at 126x94, a 96 px / 24-plane sweep,
 * 6 training steps, no sparse-view regularizers), run in the page's Web Worker. Checks that
 * the pipeline's typed events reach the UI (progress rows per stage, photo statuses, live
 * previews) and that the trained scene lands in the viewer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../engine/io/image.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { NO_REGULARIZERS } from '../../engine/train/regularizers/sparse-view.js';
import { buildRenderer, openPage, removeDir, type AppSession } from './page.js';

// The bundled sample (assets/sample), so the test needs no data outside the repository.
const FERN = resolve('assets/sample/photos');
const PHOTOS = ['fern_001', 'fern_010', 'fern_019'];
const ITERATIONS = 6;

/** Half-size copy of a photo (2x2 box filter): a quarter of the feature and decode work. */
async function halfSize(src: string, dst: string): Promise<void> {
  const img = await decodeImage(new Uint8Array(readFileSync(src)), src);
  const w = img.width >> 1;
  const h = img.height >> 1;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        const at = (dx: number, dy: number) => img.data[((2 * y + dy) * img.width + 2 * x + dx) * 4 + c];
        out[(y * w + x) * 4 + c] = Math.round((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4);
      }
    }
  }
  writeFileSync(dst, encodePng({ width: w, height: h, data: out }));
}

interface AppDebug {
  events: SparrowEvent[];
  previews: number;
  reconstructTuning: unknown;
  state: { scene?: { count: number } };
}

describe('app page: reconstruction in a worker', () => {
  let dir = '';
  let app: AppSession;
  let events: SparrowEvent[] = [];

  beforeAll(async () => {
    dir = await buildRenderer();
    for (const p of PHOTOS) await halfSize(join(FERN, `${p}.jpg`), join(dir, `${p}.png`));
    app = await openPage(dir, { width: 1000, height: 650 });
    await app.page.evaluate(([iterations, regularizers]) => {
      (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp.reconstructTuning = {
        previewEvery: 3,
        overrides: {
          maxSide: 160,
          poses: { maxKeypoints: 800 },
          depth: { maxSide: 96, planes: 24 },
          init: { targetCount: 3000 },
          train: { iterations, densifyFrom: 1000, densifyUntil: 0, shDegree: 0, checkpointInterval: 0 },
          // SwiftShader compiles every kernel on the CPU (the regularizers add ~40 s of it on
          // this machine); the regularized path is tested in Node (test/train, test/pipeline).
          regularizers,
        },
      };
    }, [ITERATIONS, { ...NO_REGULARIZERS }] as const);
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-photos')]);
    await chooser.setFiles(PHOTOS.map((p) => join(dir, `${p}.png`)));
    await app.page.click('#btn-start');
    await app.page.waitForFunction(
      () => (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp.events.some((e) => e.type === 'done' || e.type === 'error'),
      undefined,
      { timeout: 150_000, polling: 500 },
    );
    events = await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp.events);
    const timings = events.flatMap((e) => (e.type === 'stage' && e.status === 'done' ? [`${e.stage} ${((e.elapsedMs ?? 0) / 1000).toFixed(1)}s`] : []));
    console.log(`browser reconstruction stages: ${timings.join(', ')}`);
  }, 200_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  it('finishes without an error event', () => {
    const error = events.find((e) => e.type === 'error');
    expect(error, JSON.stringify(error)).toBeUndefined();
    expect(events.at(-1)?.type).toBe('done');
  });

  it('streams every stage in order, and the progress panel shows them', async () => {
    const started = events.filter((e) => e.type === 'stage' && e.status === 'start').map((e) => (e as { stage: string }).stage);
    expect(started).toEqual(['load', 'features', 'matching', 'poses', 'depth', 'init', 'train']);
    const steps = events.filter((e): e is Extract<SparrowEvent, { type: 'step' }> => e.type === 'step' && e.stage === 'train');
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: ITERATIONS }, (_, i) => i + 1));
    expect(steps.every((s) => Number.isFinite(s.metrics?.loss))).toBe(true);
    for (const stage of started) {
      await app.page.locator(`#stages .stage.done[data-stage="${stage}"]`).waitFor({ timeout: 5_000 });
    }
    expect(await app.page.textContent('#stages .stage[data-stage="train"] .info')).toMatch(/s$/);
  });

  it('marks the photos registered and with depth', async () => {
    const captions = await app.page.locator('#photo-strip .photo .status').allTextContents();
    expect(captions).toHaveLength(3);
    for (const c of captions) expect(c).toMatch(/^depth ready: \d+% confident$/);
  });

  it('shows live previews and puts the trained scene in the viewer', async () => {
    const { previews, count } = await app.page.evaluate(() => {
      const a = (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp;
      return { previews: a.previews, count: a.state.scene?.count ?? 0 };
    });
    // The init, then one every 3 of the 6 steps.
    expect(previews).toBeGreaterThanOrEqual(3);
    expect(count).toBeGreaterThan(100);
    await app.page.locator('#messages .message', { hasText: 'Reconstruction finished' }).waitFor({ timeout: 10_000 });
  });
});
