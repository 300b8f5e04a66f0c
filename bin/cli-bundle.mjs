// Whether the bundled CLI (scripts/build-cli.mjs, dist/cli/) may run: it exists and none of the
// source files it was built from has changed since. Plain JavaScript: it runs before tsx is loaded.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The bundle's entry file when it is current, else null (then the CLI runs from source through tsx). */
export function freshCliBundle(root, dir = join(root, 'dist/cli')) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8'));
  } catch {
    return null;
  }
  if (!Number.isFinite(manifest.builtAt) || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return null;
  for (const file of manifest.inputs) {
    try {
      if (statSync(join(root, file)).mtimeMs > manifest.builtAt) return null;
    } catch {
      return null; // a source file was removed or renamed
    }
  }
  return join(dir, 'sparrow-cli.js');
}
