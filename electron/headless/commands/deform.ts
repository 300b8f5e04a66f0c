/**
 * `sparrow deform <in> <out> --edit <spec.json> [--control-points N] [--frames N] [--json]`:
 * ARAP-edit a splat scene through SC-GS control points (engine/deform) and write the result.
 * The spec pins and drags control points selected by spheres (see parseEditSpec):
 *   { "pin": [{ "center": [x,y,z], "radius": r }],
 *     "drag": [{ "center": [x,y,z], "radius": r, "offset": [dx,dy,dz] }],
 *     "controlPoints": 512, "iterations": 30 }
 * With --frames N, <out> is a folder and the edit is written as an N-frame sequence from
 * rest to the edit (frame_0000.<ext>, ...; --format picks the format, default ply).
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { SceneFormat } from '../../../engine/io/scene-codec.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { createProgressSink } from '../progress.js';
import { SCENE_FORMATS } from '../../../engine/io/scene-format-names.js';

interface DeformFlags {
  edit: string;
  controlPoints?: string;
  frames?: string;
  format?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('deform')
    .description('Drag parts of a splat scene (ARAP over SC-GS control points) and write the edited scene or an animation of it')
    .argument('<in>', 'input scene (.ply, .spz, ...)')
    .argument('<out>', 'output scene file, or a folder with --frames')
    .requiredOption('--edit <spec.json>', 'pins and drags as JSON (see `sparrow deform --help` in the README)')
    .option('--control-points <n>', 'control points by farthest-point sampling (default: the spec\'s, else 512)')
    .option('--frames <n>', 'write an N-frame sequence from rest to the edit into the <out> folder')
    .option('--format <format>', `frame format with --frames: ${SCENE_FORMATS.join('|')}`, 'ply')
    .option('--json', 'progress as JSON lines on stdout')
    .action(async (input: string, output: string, flags: DeformFlags) => {
      const [{ applyEditSpec, exportDynamicFrames, motionToEdit, parseEditSpec }, { formatFromExtension, readSceneFile, writeSceneFile }] = await Promise.all([
        import('../../../engine/deform/export.js'),
        import('../../../engine/io/scene-file.js'),
      ]);
      let specJson: unknown;
      try {
        specJson = JSON.parse(readFileSync(flags.edit, 'utf8'));
      } catch (e) {
        throw new UserError(`${flags.edit}: cannot read the edit spec (${(e as Error).message})`, ExitCode.badInput, flags.edit);
      }
      let spec;
      try {
        spec = parseEditSpec(specJson, flags.edit);
      } catch (e) {
        throw new UserError((e as Error).message, ExitCode.badInput, flags.edit);
      }
      if (flags.controlPoints !== undefined) {
        const n = Number(flags.controlPoints);
        if (!Number.isInteger(n) || n < 4) throw new UserError(`--control-points must be an integer ≥ 4, got '${flags.controlPoints}'`, ExitCode.usage);
        spec.controlPoints = n;
      }
      const frames = flags.frames === undefined ? 0 : Number(flags.frames);
      if (flags.frames !== undefined && (!Number.isInteger(frames) || frames < 2)) throw new UserError(`--frames must be an integer ≥ 2, got '${flags.frames}'`, ExitCode.usage);
      const frameFormat = flags.format as SceneFormat;
      if (!SCENE_FORMATS.includes(frameFormat)) throw new UserError(`--format must be one of ${SCENE_FORMATS.join(', ')}, got '${flags.format}'`, ExitCode.usage);
      if (!frames && !formatFromExtension(output)) throw new UserError(`cannot tell the output format from '${output}'; use one of ${SCENE_FORMATS.join(', ')}`, ExitCode.usage);

      const { sink, stop } = createProgressSink({ json: Boolean(flags.json) });
      try {
        let t0 = performance.now();
        sink({ type: 'stage', stage: 'load', status: 'start', message: input });
        const scene = await readSceneFile(input);
        sink({ type: 'stage', stage: 'load', status: 'done', elapsedMs: performance.now() - t0, message: `${scene.count} splats` });
        t0 = performance.now();
        sink({ type: 'stage', stage: 'deform', status: 'start', message: `${spec.controlPoints ?? 512} control points` });
        let result;
        try {
          result = applyEditSpec(scene, spec, { onEvent: sink });
        } catch (e) {
          throw new UserError(`${flags.edit}: ${(e as Error).message}`, ExitCode.badInput, flags.edit);
        }
        sink({ type: 'stage', stage: 'deform', status: 'done', elapsedMs: performance.now() - t0, message: `${result.dragged} dragged, ${result.pinned} pinned, ARAP energy ${result.energy.toExponential(2)}` });
        t0 = performance.now();
        sink({ type: 'stage', stage: 'export', status: 'start', message: output });
        const outputs: Record<string, string> = {};
        if (frames) {
          mkdirSync(output, { recursive: true });
          const times = Array.from({ length: frames }, (_, f) => f / (frames - 1));
          const scenes = exportDynamicFrames(scene, result.rest, motionToEdit(result.edited), times, { onEvent: sink });
          for (let f = 0; f < frames; f++) {
            const path = join(output, `frame_${String(f).padStart(4, '0')}.${frameFormat === 'compressed-ply' ? 'compressed.ply' : frameFormat}`);
            await writeSceneFile(path, scenes[f], frameFormat);
            outputs[`frame${f}`] = path;
          }
        } else {
          await writeSceneFile(output, result.scene);
          outputs.scene = output;
        }
        sink({ type: 'stage', stage: 'export', status: 'done', elapsedMs: performance.now() - t0 });
        sink({ type: 'done', outputs, report: { dragged: result.dragged, pinned: result.pinned, arapEnergy: result.energy, controlPoints: result.rest.count } });
      } finally {
        stop();
      }
    });
}
