/**
 * The built app page in Debian's Chromium, for the app tests: build the renderer with
 * Vite's API into a temp folder, serve it, start Xvfb + Chromium (WebGPU on
 * SwiftShader), open the page and wait until it has acquired its GPU.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { decodeImage } from '../../engine/io/image.js';
import { launchChromium, serveStatic, startXvfb } from './browser.js';

export interface AppSession {
  page: Page;
  browser: Browser;
  url: string;
  /** Console lines and page errors, for failure messages. */
  logs: string[];
  close(): Promise<void>;
}

/** Build the renderer (vite.config.ts) into a fresh temp folder; returns the folder. */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'sparrow-page-'));
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}

/** Serve `root`, start a display and Chromium, open the page at `pagePath` with the given viewport. */
export async function openPage(
  root: string,
  opts: { width?: number; height?: number; pagePath?: string; waitReady?: boolean; mounts?: Record<string, string> } = {},
): Promise<AppSession> {
  const { url, server } = await serveStatic(root, opts.mounts);
  const xvfb = await startXvfb();
  const browser = await launchChromium(xvfb.display);
  const page = await browser.newPage({ viewport: { width: opts.width ?? 900, height: opts.height ?? 600 }, deviceScaleFactor: 1 });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(url + (opts.pagePath ?? 'index.html'));
  if (opts.waitReady !== false) {
    await page.waitForFunction(() => (globalThis as { sparrowApp?: { ready: boolean } }).sparrowApp?.ready === true, undefined, { timeout: 60_000 }).catch((e) => {
      throw new Error(`page never became ready: ${(e as Error).message}\n${logs.join('\n')}`);
    });
  }
  return {
    page,
    browser,
    url,
    logs,
    close: () => closeAll(browser, server, xvfb.proc, root),
  };
}

async function closeAll(browser: Browser, server: Server, xvfb: ChildProcess, _root: string): Promise<void> {
  await browser.close().catch(() => {});
  server.close();
  xvfb.kill();
}

export function removeDir(dir: string): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** RGB of a PNG screenshot as [H, W, 3] floats in [0, 1]. */
export async function pngToRgb(png: Uint8Array): Promise<{ width: number; height: number; rgb: Float32Array }> {
  const img = await decodeImage(png, 'screenshot.png');
  const n = img.width * img.height;
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c] / 255;
  return { width: img.width, height: img.height, rgb };
}

/** Fraction of pixels whose RGB differs from the first pixel by more than 8/255 (0 = a flat image). */
export function nonFlatFraction(rgb: Float32Array): number {
  const n = rgb.length / 3;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(rgb[i * 3] - rgb[0]) + Math.abs(rgb[i * 3 + 1] - rgb[1]) + Math.abs(rgb[i * 3 + 2] - rgb[2]) > 8 / 255) count++;
  }
  return count / n;
}
