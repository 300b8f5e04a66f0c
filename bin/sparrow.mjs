#!/usr/bin/env node
// Runs the CLI in this one process. From the prebuilt bundle (dist/cli/, `npm run build:cli`,
// which scripts/setup.sh runs) when it is current: plain JavaScript starts ~0.3-0.5 s sooner.
// Otherwise from the TypeScript sources through tsx (its ESM and CJS loader hooks registered here,
// as `node --import tsx` does), so no build step is ever required and edited sources are never
// shadowed by a stale bundle. SPARROW_FROM_SOURCE=1 forces the tsx path.
// Exit codes and Ctrl-C: electron/headless/cli.ts.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshCliBundle } from './cli-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = process.env.SPARROW_FROM_SOURCE === '1' ? null : freshCliBundle(root);
let entry = bundle;
if (!entry) {
  const { register: registerEsm } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  registerEsm();
  registerCjs();
  entry = join(root, 'electron/headless/cli.ts');
}
const { runAndExit } = await import(pathToFileURL(entry).href);
await runAndExit();
