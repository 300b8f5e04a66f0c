/**
 * Bad project files in the built app page (Chromium, WebGPU on SwiftShader): with a project
 * open (the sample scene with a control-point edit made in Node by the same EditSession the app
 * uses, two photos and one camera: the strip and the frustums show them), opening a project with bad JSON, an unknown version, a scene file that was not given,
 * or an edit made on a scene with another splat count each shows a message naming the project
 * file and the problem; the open scene, its edit and the picture stay as they were.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePly } from '../../engine/io/ply.js';
import { encodePng } from '../../engine/io/image.js';
import { editToJson } from '../../engine/io/project-edit.js';
import { buildSampleScene } from '../../engine/splat/sample-scene.js';
import { EditSession } from '../../renderer/edit/edit-session.js';
import { captureFrame, openSceneAtHalfResolution, psnr } from './app-helpers.js';
import { buildRenderer, openPage, removeDir, type AppSession } from './page.js';

type ProjectDebug = {
  project: { opened: number; lastError: string };
  state: { scene?: { count: number } };
  edit: { session?: { isEdited: boolean } };
};

describe('app page: bad project files', () => {
  let dir = '';
  let app: AppSession;
  const scene = buildSampleScene();
  let projectText = '';

  beforeAll(async () => {
    dir = await buildRenderer();
    writeFileSync(join(dir, 'sample.ply'), encodePly(scene));
    const n = 1000;
    const shPer = scene.sh.length / scene.count;
    writeFileSync(join(dir, 'fewer.ply'), encodePly({ ...scene, count: n, means: scene.means.slice(0, 3 * n), logScales: scene.logScales.slice(0, 3 * n), quats: scene.quats.slice(0, 4 * n), opacityLogits: scene.opacityLogits.slice(0, n), sh: scene.sh.slice(0, shPer * n) }));
    // An edit of the knot: the control point nearest its centre moved up by 0.3.
    const session = new EditSession(scene, { controlPoints: 64 });
    let handle = 0;
    for (let i = 1; i < session.controlPointCount; i++) if (Math.hypot(...session.positions.slice(i * 3, i * 3 + 3)) < Math.hypot(...session.positions.slice(handle * 3, handle * 3 + 3))) handle = i;
    session.select(handle);
    session.beginDrag();
    session.dragTo([0, -0.3, 0]);
    session.endDrag();
    // Two photos (one beside the project, one in a sub-folder), the first with its camera.
    const photo = encodePng({ width: 4, height: 3, data: new Uint8Array(48).fill(200) });
    writeFileSync(join(dir, 'left.png'), photo);
    writeFileSync(join(dir, 'right.png'), photo);
    const camera = { width: 64, height: 48, fx: 60, fy: 60, cx: 32, cy: 24, R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 4] };
    const photos = [{ path: 'left.png', camera }, { path: 'shots/right.png' }];
    projectText = JSON.stringify({ format: 'sparrow-project', version: 1, photos, settings: {}, scene: { path: 'sample.ply', format: 'ply' }, edit: editToJson(session.saved()), createdAt: '', updatedAt: '' });
    writeFileSync(join(dir, 'sample.sparrow.json'), projectText);
    app = await openPage(dir, { width: 900, height: 600 });
    app.page.setDefaultTimeout(30_000);
    await openSceneAtHalfResolution(app, join(dir, 'sample.ply'));
    await pickProject([join(dir, 'sample.sparrow.json'), join(dir, 'sample.ply'), join(dir, 'left.png'), join(dir, 'right.png')]);
    await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project.opened === 1, undefined, { timeout: 60_000 });
  }, 150_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  const state = () => app.page.evaluate(() => ({ ...(globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project, count: (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.state.scene?.count, edited: (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.edit.session?.isEdited }));

  async function pickProject(files: string[]): Promise<void> {
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-project')]);
    await chooser.setFiles(files);
  }

  it('shows the photos and the camera the project has', async () => {
    expect(await app.page.$$eval('#photo-strip figure', (f) => f.map((e) => (e as HTMLElement).dataset.name))).toEqual(['left.png', 'right.png']);
    // One frustum for the one photo with a camera.
    const frustums = await app.page.evaluate(() => ((globalThis as unknown as { sparrowApp: { state: { viewer: { overlay: unknown } } } }).sparrowApp.state.viewer.overlay as { frustums: { children: unknown[] } }).frustums.children.length);
    expect(frustums).toBe(1);
  });

  it('shows a message naming the file and the problem for bad projects, and keeps the open project', async () => {
    const before = await captureFrame(app);
    const project = JSON.parse(projectText);
    const cases: [string, string, string[], RegExp][] = [
      ['broken.sparrow.json', '{"format": "sparrow-project", "version": 1, "pho', [], /broken\.sparrow\.json: cannot read project: .*JSON/],
      ['future.sparrow.json', JSON.stringify({ ...project, version: 99 }), ['sample.ply'], /future\.sparrow\.json: unknown project version 99/],
      ['lost.sparrow.json', JSON.stringify({ ...project, scene: { path: 'gone.ply', format: 'ply' } }), ['sample.ply'], /lost\.sparrow\.json: cannot read its scene file gone\.ply: gone\.ply was not given/],
      ['other.sparrow.json', JSON.stringify({ ...project, scene: { path: 'fewer.ply', format: 'ply' } }), ['fewer.ply'], /other\.sparrow\.json: the edit was made on a scene of 4,900 splats, but fewer\.ply has 1,000/],
    ];
    for (const [name, text, others, message] of cases) {
      writeFileSync(join(dir, name), text);
      await pickProject([join(dir, name), ...others.map((o) => join(dir, o))]);
      await app.page.waitForFunction((n) => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project.lastError.includes(n), name, { timeout: 30_000 });
      const shown = app.page.locator('#messages .message.error', { hasText: name });
      await shown.first().waitFor({ timeout: 10_000 });
      expect(await shown.first().textContent()).toMatch(message);
      const s = await state();
      expect(s.opened).toBe(1);
      expect(s.count).toBe(4900);
      expect(s.edited).toBe(true);
    }
    const after = await captureFrame(app);
    expect(psnr(after.image.rgb, before.image.rgb)).toBeGreaterThan(60); // nothing on screen changed
  });
});
