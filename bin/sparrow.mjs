#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so no build step is needed: tsx's loader hooks are registered
// in this process (ESM and CJS, as `node --import tsx` does) and the CLI runs here, not in a second
// node process, whose start-up every command used to pay. Exit codes and Ctrl-C: electron/headless/cli.ts.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

registerEsm();
registerCjs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runAndExit } = await import(pathToFileURL(join(root, 'electron/headless/cli.ts')).href);
await runAndExit();
