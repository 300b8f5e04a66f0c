/**
 * `sparrow render [scene] --out <dir>`: render a splat scene (default: the bundled sample
 * scene, engine/splat/sample-scene.ts) from orbit cameras to PNG files and print where they are.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

interface RenderFlags {
  out: string;
  views: string;
  width: string;
  height: string;
  shDegree?: string;
  background: string;
  json?: boolean;
}

function intFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name} must be an integer in ${min}..${max}, got '${value}'`, ExitCode.usage);
  return n;
}

function parseBackground(value: string): number[] {
  const parts = value.split(',').map(Number);
  if (parts.length !== 3 || parts.some((v) => !(v >= 0 && v <= 1))) {
    throw new UserError(`--background must be three numbers in 0..1 like 0,0,0 - got '${value}'`, ExitCode.usage);
  }
  return parts;
}

export function register(program: Command): void {
  program
    .command('render')
    .description('Render a splat scene (default: the bundled sample scene) from orbit cameras to PNG files')
    .argument('[scene]', 'scene file (.ply, .compressed.ply, .spz, .splat, .glb); default: the bundled sample scene')
    .option('-o, --out <dir>', 'folder for the PNG files', 'sparrow-render')
    .option('--views <n>', 'number of orbit views', '4')
    .option('--width <px>', 'image width', '640')
    .option('--height <px>', 'image height', '480')
    .option('--sh-degree <n>', 'SH degree to evaluate (default: the scene\'s)')
    .option('--background <r,g,b>', 'background colour, components in 0..1', '0,0,0')
    .option('--json', 'progress as JSON lines on stdout')
    .action(async (scenePath: string | undefined, flags: RenderFlags) => {
      const views = intFlag('views', flags.views, 1, 360);
      const width = intFlag('width', flags.width, 1, 8192);
      const height = intFlag('height', flags.height, 1, 8192);
      const shDegree = flags.shDegree === undefined ? undefined : intFlag('sh-degree', flags.shDegree, 0, 3);
      const background = parseBackground(flags.background);
      const [{ writeFileAtomic }, { encodePng }, { readSceneFile }, { renderOrbitViews }, { buildSampleScene }] = await Promise.all([
        import('../../../engine/io/atomic-write.js'),
        import('../../../engine/io/image.js'),
        import('../../../engine/io/scene-file.js'),
        import('../../../engine/splat/render-views.js'),
        import('../../../engine/splat/sample-scene.js'),
      ]);
      const scene = scenePath ? await readSceneFile(scenePath) : buildSampleScene();
      await runCommandSession(flags, async ({ sink, signal }) => {
        const gpu = await acquireLoggedGpu(sink, 'render');
        const rendered = await renderOrbitViews(gpu, scene, { views, width, height, background, shDegree, onEvent: sink, signal });
        const outDir = resolve(flags.out);
        const outputs: Record<string, string> = {};
        rendered.forEach((v, k) => {
          const file = join(outDir, `view-${String(k).padStart(2, '0')}.png`);
          writeFileAtomic(file, encodePng(v.image));
          outputs[`view${k}`] = file;
        });
        sink({ type: 'done', stage: 'render', message: `wrote ${rendered.length} PNG files to ${outDir}`, outputs });
        if (!flags.json) for (const f of Object.values(outputs)) process.stdout.write(`${f}\n`);
      });
    });
}
