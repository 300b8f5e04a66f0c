/**
 * Turntable render in the built app page (Chromium, WebGPU on SwiftShader), driven through
 * the toolbar and its dialog: the zip the browser build offers holds N PNG frames and a WebM
 * (that Chromium plays back at the frame size with the duration of N frames),
 * frame 0 is the current view (same camera, same picture), consecutive frames differ, the
 * cameras the render reports all look at the orbit target from the same distance and height,
 * and frame k + N/2 is the view from the opposite side of frame k. The user's view comes back
 * afterwards, and Cancel stops a long render without writing anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePly } from '../../engine/io/ply.js';
import { cameraCenter, type Camera } from '../../engine/splat/camera.js';
import { buildSampleScene } from '../../engine/splat/sample-scene.js';
import { captureFrame, expectLoopRunning, openSceneAtHalfResolution, psnr } from './app-helpers.js';
import { buildRenderer, openPage, pngToRgb, removeDir, type AppSession } from './page.js';

type Vec3 = [number, number, number];
type TurntableDebug = { turntable: { last?: { frames: number; cameras: Camera[]; target: Vec3; up: Vec3; files: string[]; webmBytes?: number } } };
const N = 8;

describe('app page: turntable render', () => {
  let dir = '';
  let app: AppSession;

  beforeAll(async () => {
    dir = await buildRenderer();
    writeFileSync(join(dir, 'sample.ply'), encodePly(buildSampleScene()));
    app = await openPage(dir, { width: 900, height: 600 });
    app.page.setDefaultTimeout(30_000); // a missing element fails the step with its name, not the whole test's timeout
    await openSceneAtHalfResolution(app, join(dir, 'sample.ply'));
  }, 150_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  const startTurntable = async (frames: number, webm: boolean) => {
    await app.page.click('#btn-turntable');
    await app.page.locator('#turntable-dialog').waitFor({ state: 'visible', timeout: 10_000 });
    await app.page.fill('#turntable-frames', String(frames));
    if (webm) await app.page.check('#turntable-webm');
    else await app.page.uncheck('#turntable-webm');
    await app.page.fill('#turntable-fps', '30');
  };

  it('writes N frames orbiting the target; frame 0 is the current view, k and k+N/2 are opposite', async () => {
    const current = await captureFrame(app);
    await startTurntable(N, true);
    const [download] = await Promise.all([app.page.waitForEvent('download', { timeout: 120_000 }), app.page.click('#turntable-confirm')]);
    expect(download.suggestedFilename()).toBe('sample-turntable.zip');
    const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    const names = Object.keys(zip).sort();
    const pngNames = names.filter((n) => n.endsWith('.png'));
    expect(pngNames).toEqual(Array.from({ length: N }, (_, k) => `sample-turntable_${String(k).padStart(4, '0')}.png`));
    const result = (await app.page.evaluate(() => (globalThis as unknown as { sparrowApp: TurntableDebug }).sparrowApp.turntable.last))!;
    expect(result.frames).toBe(N);
    expect(result.cameras.length).toBe(N);

    // WebM: an EBML header (1A 45 DF A3) and more than a header's worth of video.
    expect(names).toContain('sample-turntable.webm');
    const webm = zip['sample-turntable.webm'];
    expect([...webm.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(webm.byteLength).toBe(result.webmBytes);
    expect(webm.byteLength).toBeGreaterThan(1000);
    // Chromium plays it back: the frame size and a duration of N frames at 30 fps.
    // (In a blank page: the app's Content-Security-Policy rightly allows no blob: media.)
    const blank = await app.browser.newPage();
    const video = await blank.evaluate(async (bytes) => {
      const v = document.createElement('video');
      v.muted = true;
      v.src = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'video/webm' }));
      await new Promise((ok, fail) => ((v.onloadedmetadata = ok), (v.onerror = () => fail(new Error(`video error ${v.error?.code}`)))));
      return { width: v.videoWidth, height: v.videoHeight, duration: v.duration };
    }, Array.from(webm));
    await blank.close();
    expect([video.width, video.height]).toEqual([current.image.width, current.image.height]);
    expect(video.duration).toBeCloseTo(N / 30, 1);

    const frames = await Promise.all(pngNames.map((n) => pngToRgb(zip[n])));
    for (const f of frames) expect([f.width, f.height]).toEqual([current.image.width, current.image.height]);
    // Frame 0 is the view on screen: the same camera and the same render.
    for (let i = 0; i < 9; i++) expect(result.cameras[0].R[i]).toBeCloseTo(current.camera.R[i], 9);
    for (let i = 0; i < 3; i++) expect(result.cameras[0].t[i]).toBeCloseTo(current.camera.t[i], 9);
    expect(psnr(frames[0].rgb, current.image.rgb)).toBeGreaterThan(50);
    // Consecutive frames differ (a 45° turn of a torus knot); the picture does not stand still.
    for (let k = 0; k < N; k++) expect(psnr(frames[k].rgb, frames[(k + 1) % N].rgb)).toBeLessThan(30);

    // Poses: every camera looks at the target from the same distance and height; k and k+N/2 opposite.
    const { target } = result;
    const upLen = Math.hypot(...result.up);
    const up = result.up.map((x) => x / upLen) as Vec3;
    const off = (c: Camera) => cameraCenter(c).map((x, a) => x - target[a]) as Vec3;
    const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    const o0 = off(result.cameras[0]);
    const dist = Math.hypot(...o0);
    for (const cam of result.cameras) {
      const o = off(cam);
      // float32-free maths in the page (three.js float64): 1e-6 relative.
      expect(Math.abs(Math.hypot(...o) - dist)).toBeLessThan(1e-6 * dist);
      expect(Math.abs(dot(o, up) - dot(o0, up))).toBeLessThan(1e-6 * dist);
      // The optical axis (row 3 of world-to-camera R) points from the camera to the target.
      const forward: Vec3 = [cam.R[6], cam.R[7], cam.R[8]];
      expect(dot(forward, o.map((x) => -x / Math.hypot(...o)) as Vec3)).toBeGreaterThan(1 - 1e-9);
    }
    for (let k = 0; k < N / 2; k++) {
      const a = off(result.cameras[k]);
      const b = off(result.cameras[k + N / 2]);
      const horizontalSum = a.map((x, i) => x - dot(a, up) * up[i] + b[i] - dot(b, up) * up[i]);
      expect(Math.hypot(...horizontalSum)).toBeLessThan(1e-6 * dist);
      expect(dot(a, b)).toBeLessThan(0); // really the far side, not the same place
    }

    // The user's view is back, and the viewer draws continuously again.
    await expectLoopRunning(app);
    const after = await captureFrame(app);
    expect(after.camera.t).toEqual(current.camera.t);
    expect(psnr(after.image.rgb, current.image.rgb)).toBeGreaterThan(50);
  }, 90_000);

  it('Cancel stops a long render, writes nothing and restores the view', async () => {
    const current = await captureFrame(app);
    let downloads = 0;
    app.page.on('download', () => downloads++);
    await startTurntable(240, false);
    await app.page.click('#turntable-confirm');
    await app.page.locator('[data-testid=turntable-progress]', { hasText: /frame [1-9]/ }).waitFor({ timeout: 30_000 });
    await app.page.click('#turntable-cancel');
    const msg = app.page.locator('#messages .message', { hasText: /Turntable cancelled after \d+ of 240 frames/ });
    await msg.waitFor({ timeout: 30_000 });
    expect(await app.page.locator('[data-testid=turntable-progress]').count()).toBe(0);
    expect(downloads).toBe(0);
    await expectLoopRunning(app);
    const after = await captureFrame(app);
    expect(after.camera.t).toEqual(current.camera.t);
    expect(psnr(after.image.rgb, current.image.rgb)).toBeGreaterThan(50);
  }, 90_000);
});
