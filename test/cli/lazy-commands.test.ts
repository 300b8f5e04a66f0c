/**
 * `sparrow` must start without loading the engine: every command module's `register(program)`
 * defines flags and help only, and the command's action imports what it runs. A fresh node process
 * (tsx hooks with an import log) loads the CLI and prints `--help`; what it loaded is checked here.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Engine modules the CLI may load at start: one file each, no imports of their own beyond these. */
const ENGINE_AT_START = ['engine/gpu/acquire.ts', 'engine/pipeline/events.ts', 'engine/io/scene-format-names.ts'];
/** Packages the CLI may load at start (tsx and esbuild are the TypeScript loader itself). */
const PACKAGES_AT_START = ['commander', 'tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'];

// Registers tsx with an import log (ESM) and reads require.cache (CJS) after `sparrow --help`.
const CHILD = `
import { register } from 'tsx/esm/api';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const urls = [];
register({ onImport: (url) => urls.push(url) });
const { main } = await import(pathToFileURL(process.cwd() + '/electron/headless/cli.ts').href);
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
const code = await main(['node', 'sparrow', '--help']);
await new Promise((r) => setTimeout(r, 100)); // the import log comes from tsx's loader thread
const cjs = Object.keys(createRequire(import.meta.url).cache).map((f) => pathToFileURL(f).href);
write(JSON.stringify({ code, urls: [...urls, ...cjs] }));
`;

function loadedAtStart(): { code: number; files: string[]; packages: string[] } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: process.cwd(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const { code, urls } = JSON.parse(r.stdout) as { code: number; urls: string[] };
  const root = new URL(`file://${process.cwd()}/`).href;
  const own = urls.filter((u) => u.startsWith(root) && !u.includes('/node_modules/')).map((u) => u.slice(root.length));
  const packages = urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => Boolean(p));
  return { code, files: [...new Set(own)], packages: [...new Set(packages)] };
}

describe('sparrow start-up', () => {
  it('loads the command modules but no engine module beyond the error classes', () => {
    const { code, files, packages } = loadedAtStart();
    expect(code).toBe(0);
    // The log must see transitive imports, or an empty log would pass: every command module is in it.
    const commands = readdirSync('electron/headless/commands').filter((f) => f.endsWith('.ts'));
    for (const f of ['electron/headless/commands/index.ts', 'electron/headless/commands/poses.ts', 'electron/headless/commands/train.ts']) expect(files).toContain(f);
    const loadedCommands = files.filter((f) => f.startsWith('electron/headless/commands/'));
    // reconstruct-flags.ts holds the presets (heavy): loaded by the reconstruct/batch actions only.
    expect(loadedCommands.sort()).toEqual(commands.filter((f) => f !== 'reconstruct-flags.ts').map((f) => `electron/headless/commands/${f}`).sort());
    const engine = files.filter((f) => f.startsWith('engine/'));
    expect(engine.filter((f) => !ENGINE_AT_START.includes(f)), 'engine modules loaded at start (import them in the action)').toEqual([]);
    expect(packages.filter((p) => !PACKAGES_AT_START.includes(p)), 'packages loaded at start').toEqual([]);
  });
});
