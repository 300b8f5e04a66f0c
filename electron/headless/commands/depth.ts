/**
 * `sparrow depth <dataset> --out <dir>`: dense depth for the input views (multi-view
 * stereo on the GPU; optionally a monocular ONNX model aligned to it) and the initial
 * Gaussians placed from it. Writes depth maps, confidences, previews, the initial point
 * cloud and a report (engine/depth/write-outputs.ts lists the files).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { DepthFileFormat } from '../../../engine/depth/write-outputs.js';
import { describeAdapter } from '../../../engine/gpu/acquire.js';
import { CancelledError } from '../../../engine/pipeline/events.js';
import { ExitCode, UserError } from '../exit-codes.js';
import { acquireLoggedGpu, runCommandSession } from '../session.js';

interface DepthFlags {
  out: string;
  views: string;
  maxSide: string;
  planes: string;
  near?: string;
  far?: string;
  depthModel?: string;
  depthModelSpec?: string;
  stride: string;
  initCount: string;
  format: string;
  json?: boolean;
}

function positiveInt(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name} must be an integer >= ${min}, got '${value}'`, ExitCode.usage);
  return n;
}

export function register(program: Command): void {
  program
    .command('depth')
    .description('compute dense depth for the input views and the initial Gaussians placed from it')
    .argument('<dataset>', 'transforms.json (or its folder) or a COLMAP folder')
    .requiredOption('--out <dir>', 'output folder')
    .option('--views <which>', "'sparse' (the dataset's few-view split, else train), 'train', 'all', or frame indices like 0,4,9", 'sparse')
    .option('--max-side <px>', 'longest side of the working resolution', '384')
    .option('--planes <n>', 'inverse-depth planes of the sweep', '96')
    .option('--near <z>', 'nearest depth to sweep (with --far; default from the dataset or cameras)')
    .option('--far <z>', 'farthest depth to sweep')
    .option('--depth-model <file.onnx>', 'monocular depth model (ONNX) to fill what stereo leaves unknown; never downloaded')
    .option('--depth-model-spec <id>', 'entry of models/depth-manifest.json describing the model (default: matched by sha256)')
    .option('--stride <n>', 'pixel stride when placing Gaussians', '2')
    .option('--init-count <n>', 'at most this many initial Gaussians', '200000')
    .option('--format <f>', 'depth files: png16 (with a JSON scale sidecar) or f32', 'png16')
    .option('--json', 'progress and the report as JSON lines on stdout')
    .action(async (datasetPath: string, flags: DepthFlags) => {
      const maxSide = positiveInt('--max-side', flags.maxSide, 16);
      const planes = positiveInt('--planes', flags.planes, 3);
      const stride = positiveInt('--stride', flags.stride);
      const initCount = positiveInt('--init-count', flags.initCount);
      if (flags.format !== 'png16' && flags.format !== 'f32') throw new UserError(`--format must be png16 or f32, got '${flags.format}'`, ExitCode.usage);
      if ((flags.near === undefined) !== (flags.far === undefined)) throw new UserError('--near and --far go together', ExitCode.usage);
      let range: { near: number; far: number } | undefined;
      if (flags.near !== undefined) {
        range = { near: Number(flags.near), far: Number(flags.far) };
        if (!(range.near > 0 && range.far > range.near)) throw new UserError(`need 0 < --near < --far, got ${flags.near}..${flags.far}`, ExitCode.usage);
      }
      if (flags.depthModel && !existsSync(flags.depthModel)) throw new UserError(`${flags.depthModel}: depth model file does not exist`, ExitCode.badInput, flags.depthModel);

      const [{ loadDataset }, { DatasetError }, { runDepthStage, defaultDepthViews }, { writeDepthOutputs }] = await Promise.all([
        import('../../../engine/io/dataset/load.js'),
        import('../../../engine/io/dataset/types.js'),
        import('../../../engine/depth/stage.js'),
        import('../../../engine/depth/write-outputs.js'),
      ]);
      await runCommandSession(flags, async ({ sink, signal }) => {
        let dataset;
        try {
          dataset = await loadDataset(datasetPath);
        } catch (e) {
          if (e instanceof DatasetError) throw new UserError(e.message, ExitCode.badInput, e.file);
          throw e;
        }
        const views = selectViews(flags.views, dataset.frames.length, defaultDepthViews(dataset), dataset.split.train);
        const gpu = await acquireLoggedGpu(sink);
        let result;
        try {
          result = await runDepthStage(gpu, dataset, {
            views,
            maxSide,
            range,
            mvs: { planes },
            depthModel: flags.depthModel,
            depthModelSpec: flags.depthModelSpec,
            init: { stride, targetCount: initCount },
            onEvent: sink,
            signal,
          });
        } catch (e) {
          if (e instanceof CancelledError || e instanceof UserError) throw e;
          const msg = (e as Error).message;
          // Engine errors about the user's files name the file first.
          if (flags.depthModel && msg.startsWith(flags.depthModel)) throw new UserError(msg, ExitCode.badInput, flags.depthModel);
          if (/no confident depth|at least 2|no neighbour view/.test(msg)) throw new UserError(msg, ExitCode.stageFailed);
          throw e;
        }
        sink({ type: 'stage', stage: 'export', status: 'start', message: flags.out });
        const outputs = writeDepthOutputs(flags.out, result, flags.format as DepthFileFormat, { dataset: dataset.root, adapter: describeAdapter(gpu.report) });
        sink({ type: 'stage', stage: 'export', status: 'done' });
        const mean = result.mvs.reduce((a, s) => a + s.confidentFraction, 0) / result.mvs.length;
        sink({
          type: 'done',
          outputs,
          report: { views: result.mvs.map((s) => ({ name: s.name, confident: s.confidentFraction })), gaussians: result.scene.count },
          message: `${result.views.length} depth maps (${(100 * mean).toFixed(1)}% confident pixels), ${result.scene.count} initial Gaussians -> ${flags.out}`,
        });
      });
    });
}

function selectViews(which: string, frameCount: number, sparse: number[], train: number[]): number[] {
  if (which === 'sparse') return sparse;
  if (which === 'train') return train;
  if (which === 'all') return Array.from({ length: frameCount }, (_, i) => i);
  const list = which.split(',').map((s) => Number(s.trim()));
  if (list.some((i) => !Number.isInteger(i) || i < 0 || i >= frameCount)) throw new UserError(`--views: frame indices must be integers in 0..${frameCount - 1}, got '${which}'`, ExitCode.usage);
  if (new Set(list).size < 2) throw new UserError('--views: depth needs at least 2 different views', ExitCode.usage);
  return list;
}
