/**
 * Open Project in the built app page (Chromium, WebGPU on SwiftShader): edit the sample scene
 * with the mouse, save the project, open another scene, then open the project through the toolbar
 * (the project picked with its scene, as a browser must): the canvas matches the canvas right
 * after the edit and differs from the unedited scene, and the edit mode continues from the
 * saved edit. Dropping the project with its scene onto the viewer opens it too. (Bad project
 * files: project-open-errors.test.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePly } from '../../engine/io/ply.js';
import { buildSampleScene } from '../../engine/splat/sample-scene.js';
import { captureFrame, dragKnotPoint, openSceneAtHalfResolution, psnr, type Frame } from './app-helpers.js';
import { buildRenderer, openPage, removeDir, type AppSession } from './page.js';

type ProjectDebug = {
  project: { opened: number; lastError: string };
  state: { scene?: { count: number } };
  edit: { session?: { isEdited: boolean; controlPointCount: number; scene: unknown } };
};
const dbg = () => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp;

describe('app page: open a saved project', () => {
  let dir = '';
  let app: AppSession;
  const scene = buildSampleScene();
  let plain: Frame;
  let edited: Frame;
  let projectText = '';

  beforeAll(async () => {
    dir = await buildRenderer();
    writeFileSync(join(dir, 'sample.ply'), encodePly(scene));
    // The first 1000 splats: another scene, and one the saved edit was not made on.
    const n = 1000;
    const shPer = scene.sh.length / scene.count;
    writeFileSync(join(dir, 'fewer.ply'), encodePly({ ...scene, count: n, means: scene.means.slice(0, 3 * n), logScales: scene.logScales.slice(0, 3 * n), quats: scene.quats.slice(0, 4 * n), opacityLogits: scene.opacityLogits.slice(0, n), sh: scene.sh.slice(0, shPer * n) }));
    app = await openPage(dir, { width: 900, height: 600 });
    app.page.setDefaultTimeout(30_000); // a missing element fails the step with its name, not the whole test's timeout
    await openSceneAtHalfResolution(app, join(dir, 'sample.ply'));
    plain = await captureFrame(app);
    await dragKnotPoint(app, 70, -45);
    edited = await captureFrame(app);
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.click('#btn-edit-save')]);
    expect(download.suggestedFilename()).toBe('sample.sparrow.json');
    projectText = readFileSync((await download.path())!, 'utf8');
    writeFileSync(join(dir, 'sample.sparrow.json'), projectText);
  }, 150_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  const state = () => app.page.evaluate(() => ({ ...(globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project, count: (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.state.scene?.count, edited: (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.edit.session?.isEdited }));

  const pickProject = async (files: string[]) => {
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-project')]);
    await chooser.setFiles(files);
  };

  it('reopens to the edited picture, not the unedited one, and the edit continues', async () => {
    expect(psnr(edited.image.rgb, plain.image.rgb)).toBeLessThan(35); // the edit is visible
    // Leave edit mode, and open another scene in place of the edited one (its edit session goes):
    // what comes back below is read from the files.
    await app.page.locator('#viewer').click({ position: { x: 5, y: 5 } });
    await app.page.keyboard.press('e');
    expect(await app.page.isVisible('#edit-panel')).toBe(false);
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-scene')]);
    await chooser.setFiles(join(dir, 'fewer.ply'));
    await app.page.waitForFunction(() => /1,000 splats/.test(document.getElementById('hud')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect((await state()).edited).toBeUndefined();
    await pickProject([join(dir, 'sample.sparrow.json'), join(dir, 'sample.ply')]);
    await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project.opened === 1 || (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project.lastError !== '', undefined, { timeout: 60_000 });
    expect((await state()).lastError).toBe('');
    await app.page.waitForFunction(() => /4,900 splats/.test(document.getElementById('hud')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const reopened = await captureFrame(app);
    // The view is framed on the same (unedited) scene as when the edit was made: same camera.
    for (let i = 0; i < 9; i++) expect(reopened.camera.R[i]).toBeCloseTo(edited.camera.R[i], 6);
    for (let i = 0; i < 3; i++) expect(reopened.camera.t[i]).toBeCloseTo(edited.camera.t[i], 5);
    const same = psnr(reopened.image.rgb, edited.image.rgb);
    const vsPlain = psnr(reopened.image.rgb, plain.image.rgb);
    console.log(`project reopen: PSNR vs the canvas after the edit ${same.toFixed(1)} dB, vs the unedited scene ${vsPlain.toFixed(1)} dB`);
    expect(same).toBeGreaterThanOrEqual(40);
    expect(vsPlain).toBeLessThan(35);
    const s = await state();
    expect(s.count).toBe(4900);
    expect(s.edited).toBe(true);
    expect(await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.edit.session?.controlPointCount)).toBe(256);
  });

  it('opens a project dropped on the viewer together with its scene', async () => {
    await app.page.evaluate(async () => {
      const dt = new DataTransfer();
      for (const name of ['sample.sparrow.json', 'sample.ply']) dt.items.add(new File([await (await fetch(name)).arrayBuffer()], name));
      document.getElementById('viewer-pane')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: ProjectDebug }).sparrowApp.project.opened === 2, undefined, { timeout: 60_000 });
    const dropped = await captureFrame(app);
    expect(psnr(dropped.image.rgb, edited.image.rgb)).toBeGreaterThanOrEqual(40);
  });
});
