#!/usr/bin/env node
/**
 * Bundles the headless CLI (electron/headless/cli.ts and the engine code it imports) into
 * plain JavaScript in dist/cli/, so `sparrow` starts without tsx compiling TypeScript on
 * every run (~0.3-0.5 s of every command's start-up; bench/poses-cold.ts measures it).
 * npm packages stay external (resolved from node_modules as usual); command modules stay
 * separate chunks, loaded when their command runs.
 *
 * dist/cli/inputs.json lists every source file in the bundle and the time the build
 * started: bin/sparrow.mjs uses the bundle only while none of them is newer (an edited
 * source falls back to tsx, never to stale code).
 *
 *   node scripts/build-cli.mjs [--outdir DIR]      (npm run build:cli; scripts/setup.sh runs it)
 */
import { build } from 'esbuild';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--outdir');
const outdir = resolve(root, i >= 0 ? process.argv[i + 1] : 'dist/cli');
// Taken before reading any source: a file saved during the build counts as newer.
const builtAt = Date.now();
const tmp = `${outdir}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
try {
  const result = await build({
    absWorkingDir: root,
    // host-node is its own entry: engine/gpu/acquire.ts imports './host-node.js' through a
    // variable (so the browser build never sees it), which a bundler cannot follow; as an entry
    // it lands at dist/cli/host-node.js, where that import finds it from any chunk.
    entryPoints: { 'sparrow-cli': 'electron/headless/cli.ts', 'host-node': 'engine/gpu/host-node.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    packages: 'external',
    outdir: tmp,
    chunkNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p))).sort();
  writeFileSync(join(tmp, 'inputs.json'), JSON.stringify({ builtAt, inputs }, null, 1));
  // Swap in the new bundle whole: a CLI starting meanwhile sees the old one or the new one.
  const old = `${outdir}.old-${process.pid}`;
  try {
    renameSync(outdir, old);
  } catch {
    // no previous bundle
  }
  renameSync(tmp, outdir);
  rmSync(old, { recursive: true, force: true });
  console.log(`CLI bundled: ${relative(root, outdir)}/ from ${inputs.length} source files`);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build-cli: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
