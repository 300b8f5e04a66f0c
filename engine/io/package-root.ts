/**
 * Sparrow's package folder (the one with package.json and shaders/), found by walking up
 * from a module's URL. Node only. The answer is the same whether the module runs from its
 * source file (engine/gpu/host-node.ts) or from the bundled CLI (dist/cli/*.js, whose
 * chunks sit at another depth), so paths to shaders/ and models/ do not depend on layout.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRootFrom(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'shaders'))) return dir;
    if (dirname(dir) === dir) throw new Error(`${start}: no folder above it holds Sparrow's package.json and shaders/ (is the install complete?)`);
  }
}
