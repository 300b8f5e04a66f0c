/**
 * Browser test harness: a static server for the built page on 127.0.0.1, an Xvfb
 * display, and Debian's Chromium driven by playwright-core (never a downloaded
 * browser). WebGPU runs on SwiftShader; a WebGPU canvas only reaches screenshots when
 * Chromium is headful, hence Xvfb and this exact flag set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.SPARROW_CHROMIUM ?? '/usr/bin/chromium';

const WEBGPU_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  // SwiftShader compiles the splat kernels on the CPU; on a loaded 2-core machine one
  // pipeline can take longer than the GPU watchdog allows, which then kills the GPU
  // process ("A valid external Instance reference no longer exists").
  '--disable-gpu-watchdog',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ply': 'application/octet-stream',
  '.map': 'application/json',
};

/**
 * Serve `root` on 127.0.0.1; `mounts` maps URL prefixes ('/node_modules/') to other
 * folders, so one origin can hold the built page, libraries and test scenes.
 */
export function serveStatic(root: string, mounts: Record<string, string> = {}): Promise<{ url: string; server: Server }> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const mount = Object.keys(mounts).find((m) => urlPath.startsWith(m));
    const dirBase = mount ? resolve(mounts[mount]) : base;
    const path = normalize(join(dirBase, mount ? urlPath.slice(mount.length) : urlPath));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dirBase) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server })));
}

/** Start Xvfb on a free display number; returns its DISPLAY and the process. */
export async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  for (let n = 90 + Math.floor(Math.random() * 200); ; n++) {
    if (existsSync(`/tmp/.X${n}-lock`)) continue;
    const proc = spawn('Xvfb', [`:${n}`, '-screen', '0', '1400x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    const ok = await new Promise<boolean>((resolveStart) => {
      const t = setTimeout(() => resolveStart(true), 700);
      proc.once('exit', () => {
        clearTimeout(t);
        resolveStart(false);
      });
    });
    if (ok) return { display: `:${n}`, proc };
  }
}

export async function launchChromium(display: string): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: false, args: WEBGPU_FLAGS, env: { ...process.env, DISPLAY: display } });
}
