/**
 * Shared steps of the project and turntable page tests: open the sample scene at half
 * resolution, read a frame from the viewer with its camera, PSNR of two frames, drag a
 * control point of the sample scene in edit mode.
 */
import { expect } from 'vitest';
import type { Camera } from '../../engine/splat/camera.js';
import { pickPoint, projectPoint } from '../../renderer/edit/picking.js';
import { pngToRgb, type AppSession } from './page.js';

export type Frame = { camera: Camera; image: { width: number; height: number; rgb: Float32Array } };

type AppDebug = { capture(): Promise<{ png: number[]; camera: Camera }>; nextFrame(): Promise<void> };

/** Half resolution (a quarter of the pixels for SwiftShader), no grid, then open `plyPath` with the Open Scene chooser. */
export async function openSceneAtHalfResolution(app: AppSession, plyPath: string, splatsText = '4,900 splats'): Promise<void> {
  await app.page.$eval('#res-scale', (el) => {
    (el as HTMLInputElement).value = '0.5';
    el.dispatchEvent(new Event('input'));
  });
  await app.page.uncheck('#show-grid');
  const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#btn-open-scene')]);
  await chooser.setFiles(plyPath);
  await app.page.waitForFunction((t) => (document.getElementById('hud')?.textContent ?? '').includes(t), splatsText, { timeout: 90_000 });
}

/** A freshly drawn frame of the viewer and the camera it was drawn from. */
export async function captureFrame(app: AppSession): Promise<Frame> {
  // page.evaluate has no timeout of its own: a viewer that stopped drawing must fail here, saying why.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, fail) => {
    timer = setTimeout(async () => {
      const shown = await app.page.evaluate(() => document.getElementById('messages')?.textContent ?? '').catch(() => '?');
      fail(new Error(`the viewer drew no frame for 30 s; messages: ${shown}\n${app.logs.slice(-20).join('\n')}`));
    }, 30_000);
  });
  await Promise.race([app.page.evaluate(() => (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp.nextFrame()), stalled]).finally(() => clearTimeout(timer));
  const c = (await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: AppDebug }).sparrowApp.capture())) as { png: number[]; camera: Camera };
  return { camera: c.camera, image: await pngToRgb(Uint8Array.from(c.png)) };
}

/** The viewer's loop is running: three frames in a row get drawn (a one-off redraw gives at most one). */
export async function expectLoopRunning(app: AppSession): Promise<void> {
  const drawn = await app.page.evaluate(async () => {
    const d = (globalThis as unknown as { sparrowApp: AppDebug & { framesDrawn: number } }).sparrowApp;
    const wait = () => Promise.race([d.nextFrame().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    return (await wait()) && (await wait()) && (await wait());
  });
  expect(drawn, 'the viewer keeps drawing frames').toBe(true);
}

/** PSNR (dB) of two RGB images in [0, 1] of one size; Infinity when identical. */
export function psnr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10(a.length / se);
}

/**
 * Enter edit mode (E) and drag the knot's control point nearest the view centre by (dx, dy)
 * CSS pixels with the mouse, as a user would. Returns the handle's index.
 */
export async function dragKnotPoint(app: AppSession, dx: number, dy: number): Promise<number> {
  type EditDebug = { edit: { session?: { controlPointCount: number; positions: Float64Array; isEdited: boolean } } };
  await app.page.locator('#viewer').click({ position: { x: 5, y: 5 } }); // focus the page, not an input
  await app.page.keyboard.press('e');
  await app.page.waitForFunction(() => ((globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session?.controlPointCount ?? 0) > 0, undefined, { timeout: 30_000 });
  const { camera: cam } = await captureFrame(app);
  const rest = (await app.page.evaluate(() => Array.from((globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session!.positions))) as number[];
  const box = (await app.page.locator('#viewer').boundingBox())!;
  const scale = cam.width / box.width;
  let handle = -1;
  let best = Infinity;
  for (let i = 0; i < rest.length / 3; i++) {
    if (rest[i * 3 + 1] > 0.5) continue; // above the floor (y down): the knot
    const p = projectPoint(cam, rest, i);
    const d = Math.hypot(p.u - cam.width / 2, p.v - cam.height / 2);
    if (p.depth > 0 && d < best && pickPoint(cam, rest, p.u, p.v, 10 * scale) === i) [handle, best] = [i, d];
  }
  expect(handle).toBeGreaterThanOrEqual(0);
  const p0 = projectPoint(cam, rest, handle);
  const [x0, y0] = [box.x + p0.u / scale, box.y + p0.v / scale];
  await app.page.mouse.move(x0, y0);
  await app.page.mouse.down();
  for (let s = 1; s <= 4; s++) {
    await app.page.mouse.move(x0 + (dx * s) / 4, y0 + (dy * s) / 4);
    await app.page.waitForTimeout(50);
  }
  await app.page.mouse.up();
  await app.page.waitForFunction(() => (globalThis as unknown as { sparrowApp: EditDebug }).sparrowApp.edit.session?.isEdited === true, undefined, { timeout: 30_000 });
  return handle;
}
