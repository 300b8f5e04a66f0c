/**
 * The edit mode in the built app page (Chromium, WebGPU on SwiftShader): open the bundled
 * sample scene, enter edit mode with the E key, grab a control point of the torus knot with
 * the mouse and drag it. Checks that the press grabbed the point instead of orbiting, that
 * the handle followed the cursor, that the canvas shows the change, and that the app's
 * export writes the deformed scene: Gaussians around the handle moved with it, those far
 * away did not move at all; Save Project writes a project whose edit reproduces the export.
 * Shift-click, Esc and Alt-click (pin) go through the page too. Then Ctrl+Z restores the scene.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePly, encodePly } from '../../engine/io/ply.js';
import { readProject } from '../../engine/io/project.js';
import type { Camera } from '../../engine/splat/camera.js';
import { buildSampleScene } from '../../engine/splat/sample-scene.js';
import { imageMetrics } from '../../engine/train/metrics.js';
import { EditSession } from '../../renderer/edit/edit-session.js';
import { pickPoint, projectPoint } from '../../renderer/edit/picking.js';
import { buildRenderer, openPage, pngToRgb, removeDir, type AppSession } from './page.js';

interface EditDebug {
  edit: {
    active: boolean;
    updates: number;
    lastUpdateMs: number;
    session?: { selection: Set<number>; pins: Map<number, number[]>; controlPointCount: number; positions: Float64Array; isEdited: boolean; extent: number; options: { regionRadius: number }; rest: { positions: Float32Array } };
  };
  capture(): Promise<{ png: number[]; camera: Camera }>;
  nextFrame(): Promise<void>;
}

describe('app page: edit mode', () => {
  let dir = '';
  let app: AppSession;
  const scene = buildSampleScene();

  const capture = async () => {
    const c = (await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.capture())) as { png: number[]; camera: Camera };
    return { camera: c.camera, image: await pngToRgb(Uint8Array.from(c.png)) };
  };
  const positions = async () => (await app.page.evaluate(() => Array.from((globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.positions))) as number[];

  beforeAll(async () => {
    dir = await buildRenderer();
    writeFileSync(join(dir, 'sample.ply'), encodePly(scene));
    app = await openPage(dir, { width: 900, height: 600 });
    await app.page.$eval('#res-scale', (el) => {
      (el as HTMLInputElement).value = '0.5';
      el.dispatchEvent(new Event('input'));
    });
    await app.page.uncheck('#show-grid');
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-scene')]);
    await chooser.setFiles(join(dir, 'sample.ply'));
    await app.page.waitForFunction(() => /4,900 splats/.test(document.getElementById('hud')?.textContent ?? ''), undefined, { timeout: 90_000 });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  it('drags a control point with the mouse; the scene deforms near it and the export holds the edit', async () => {
    await app.page.locator('#viewer').click({ position: { x: 5, y: 5 } }); // focus the page, not an input
    await app.page.keyboard.press('e');
    await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session?.controlPointCount === 256, undefined, { timeout: 30_000 });
    expect(await app.page.isVisible('#edit-panel')).toBe(true);
    await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.nextFrame());

    const before = await capture();
    const cam = before.camera;
    const rest = await positions();
    const box = (await app.page.locator('#viewer').boundingBox())!;
    const scale = cam.width / box.width;
    // A knot control point (y < 0.5: above the floor) near the view centre that a click on it picks.
    let handle = -1;
    let bestD = Infinity;
    for (let i = 0; i < rest.length / 3; i++) {
      if (rest[i * 3 + 1] > 0.5) continue;
      const p = projectPoint(cam, rest, i);
      const d = Math.hypot(p.u - cam.width / 2, p.v - cam.height / 2);
      if (p.depth > 0 && d < bestD && pickPoint(cam, rest, p.u, p.v, 10 * scale) === i) [handle, bestD] = [i, d];
    }
    expect(handle).toBeGreaterThanOrEqual(0);
    const p0 = projectPoint(cam, rest, handle);
    const x0 = box.x + p0.u / scale;
    const y0 = box.y + p0.v / scale;
    const clickable = (i: number) => {
      const p = projectPoint(cam, rest, i);
      return p.depth > 0 && p.u > 0 && p.v > 0 && p.u < cam.width && p.v < cam.height && pickPoint(cam, rest, p.u, p.v, 10 * scale) === i;
    };
    const dist = (i: number, j: number) => Math.hypot(...[0, 1, 2].map((a) => rest[i * 3 + a] - rest[j * 3 + a]));
    const pageXY = (i: number) => {
      const p = projectPoint(cam, rest, i);
      return [box.x + p.u / scale, box.y + p.v / scale] as const;
    };
    const selection = async () => (await app.page.evaluate(() => [...(globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.selection])) as number[];
    // A point inside the region of interest (it would move with the handle), pinned with Alt+click.
    const pinned = Array.from({ length: rest.length / 3 }, (_, i) => i).find((i) => i !== handle && dist(i, handle) > 0.3 && dist(i, handle) < 0.6 && clickable(i));
    expect(pinned).toBeDefined();
    await app.page.keyboard.down('Alt');
    await app.page.mouse.click(...pageXY(pinned!));
    await app.page.keyboard.up('Alt');
    expect(await app.page.evaluate(() => [...(globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.pins.keys()])).toEqual([pinned]);
    // Click selects one point, Shift+click adds another, Esc clears.
    await app.page.mouse.click(x0, y0);
    expect(await selection()).toEqual([handle]);
    await app.page.keyboard.down('Shift');
    await app.page.mouse.click(...pageXY(pinned!));
    await app.page.keyboard.up('Shift');
    expect((await selection()).sort((a, b) => a - b)).toEqual([handle, pinned!].sort((a, b) => a - b));
    await app.page.keyboard.press('Escape');
    expect(await selection()).toEqual([]);
    const [dx, dy] = [70, -45];
    await app.page.mouse.move(x0, y0);
    await app.page.mouse.down();
    for (let s = 1; s <= 6; s++) {
      await app.page.mouse.move(x0 + (dx * s) / 6, y0 + (dy * s) / 6);
      await app.page.waitForTimeout(50);
    }
    await app.page.mouse.up();
    await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session?.isEdited === true, undefined, { timeout: 30_000 });
    const dbg = await app.page.evaluate(() => ({ updates: (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.updates, ms: (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.lastUpdateMs }));
    expect(dbg.updates).toBeGreaterThan(0);

    // The press grabbed the point: the camera did not orbit, and the handle ended under the cursor.
    const after = await capture();
    expect(after.camera.R).toEqual(cam.R);
    expect(after.camera.t).toEqual(cam.t);
    const moved = await positions();
    const p1 = projectPoint(cam, moved, handle);
    expect(Math.abs(p1.u - (p0.u + dx * scale))).toBeLessThan(1.5);
    expect(Math.abs(p1.v - (p0.v + dy * scale))).toBeLessThan(1.5);
    expect(p1.depth).toBeCloseTo(p0.depth, 4);
    for (let a = 0; a < 3; a++) expect(moved[pinned! * 3 + a]).toBe(rest[pinned! * 3 + a]);
    const delta = [0, 1, 2].map((a) => moved[handle * 3 + a] - rest[handle * 3 + a]);
    const deltaLen = Math.hypot(...delta);
    expect(deltaLen).toBeGreaterThan(0.1);

    // The canvas shows it: same camera, a different picture (an unchanged frame re-renders
    // bit-identically, > 60 dB).
    const diff = imageMetrics(after.image.rgb, before.image.rgb, before.image.width, before.image.height);
    expect(diff.psnr).toBeLessThan(40);

    // Export through the app's dialog (PLY is the default format) and read the file.
    await app.page.click('#btn-export');
    await app.page.locator('#export-size', { hasText: 'splats' }).waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.click('#export-confirm')]);
    expect(download.suggestedFilename()).toBe('sample-edited.ply');
    const exported = decodePly(new Uint8Array(readFileSync((await download.path())!)), 'exported.ply');
    expect(exported.count).toBe(scene.count);
    const session = await app.page.evaluate(() => ({ extent: (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.extent, region: (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.options.regionRadius }));
    const hr = [0, 1, 2].map((a) => rest[handle * 3 + a]);
    const nearMoves: number[] = [];
    let far = 0;
    for (let i = 0; i < scene.count; i++) {
      const r = Math.hypot(...[0, 1, 2].map((a) => scene.means[i * 3 + a] - hr[a]));
      const d = Math.hypot(...[0, 1, 2].map((a) => exported.means[i * 3 + a] - scene.means[i * 3 + a]));
      if (r < 0.1) nearMoves.push(d);
      // Beyond the region of interest (plus a margin for the warp neighbourhood) every control
      // point is held, so those Gaussians keep their place up to float32 rounding.
      if (r > 1.5 * session.region * session.extent) {
        far++;
        expect(d).toBeLessThan(1e-5);
      }
    }
    expect(nearMoves.length).toBeGreaterThan(3);
    expect(far).toBeGreaterThan(100);
    nearMoves.sort((a, b) => a - b);
    expect(nearMoves[nearMoves.length >> 1]).toBeGreaterThan(0.6 * deltaLen);

    // Save Project: the project's edit, applied to the scene it names, gives the exported scene.
    const [projectDownload] = await Promise.all([app.page.waitForEvent('download'), app.page.click('#btn-edit-save')]);
    expect(projectDownload.suggestedFilename()).toBe('sample.sparrow.json');
    const project = readProject((await projectDownload.path())!);
    expect(project.scene?.path).toMatch(/sample\.ply$/);
    expect(project.edit?.controlPoints.count).toBe(256);
    expect(project.edit?.pinned).toContain(pinned);
    const reopened = new EditSession(scene, {}, project.edit!);
    expect(reopened.editedScene.means).toEqual(exported.means);

    // Ctrl+Z undoes the drag: the control points and the picture come back.
    await app.page.keyboard.press('Control+z');
    expect(await positions()).toEqual(rest);
    await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.nextFrame());
    const undone = await capture();
    const back = imageMetrics(undone.image.rgb, before.image.rgb, before.image.width, before.image.height);
    expect(back.psnr).toBeGreaterThan(60);
    console.log(`edit test: ${dbg.updates} drag updates, last ${dbg.ms.toFixed(1)} ms; handle moved ${deltaLen.toFixed(3)}; PSNR after/before ${diff.psnr.toFixed(1)} dB`);
  });
});
