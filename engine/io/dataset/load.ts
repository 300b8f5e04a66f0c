/**
 * `loadDataset(path)`: a transforms.json file or a folder holding one, or a
 * COLMAP reconstruction folder (see colmap.ts for layouts). Validates every
 * photo's header (exists, PNG/JPEG, size matches its camera) without decoding.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadColmapFrames, locateColmap } from './colmap.js';
import { downscaleFrame } from './downscale.js';
import { sceneExtent } from './extent.js';
import { loadTransformsFrames } from './transforms.js';
import { DatasetError, type Dataset, type DatasetSplit } from './types.js';

export interface LoadDatasetOptions {
  /** Integer factor to downscale photos and intrinsics by (default 1). */
  downscale?: number;
  /** Hold out every n-th view for testing when the file gives no split (default 8, the LLFF protocol). */
  holdoutEvery?: number;
}

export async function loadDataset(path: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const p = resolve(path);
  if (!existsSync(p)) throw new DatasetError(p, 'dataset path does not exist');
  const downscale = opts.downscale ?? 1;
  if (!Number.isInteger(downscale) || downscale < 1) throw new DatasetError(p, `downscale must be a positive integer, got ${downscale}`);
  const holdout = opts.holdoutEvery ?? 8;

  let dataset: Omit<Dataset, 'extent' | 'center'>;
  const transformsFile = statSync(p).isFile() ? p : existsSync(join(p, 'transforms.json')) ? join(p, 'transforms.json') : undefined;
  if (transformsFile) {
    const t = await loadTransformsFrames(transformsFile);
    const split: DatasetSplit = t.train || t.test
      ? {
          train: t.train ?? complement(t.frames.length, t.test!),
          test: t.test ?? complement(t.frames.length, t.train!),
          sparseTrain: t.sparseTrain,
          source: 'file',
        }
      : { ...everyNth(t.frames.length, holdout), sparseTrain: t.sparseTrain };
    dataset = { root: resolve(transformsFile, '..'), kind: 'transforms', frames: t.frames, split, hasAlpha: t.hasAlpha, ...(t.depthRange ? { depthRange: t.depthRange } : {}), ...(t.points ? { points: t.points } : {}) };
  } else {
    const loc = locateColmap(p);
    if (!loc) throw new DatasetError(p, 'not a dataset: no transforms.json and no COLMAP model (sparse/0/cameras.bin|txt)');
    const c = await loadColmapFrames(loc);
    dataset = { root: loc.root, kind: 'colmap', frames: c.frames, points: c.points, split: everyNth(c.frames.length, holdout), hasAlpha: false };
  }
  if (downscale > 1) dataset.frames = dataset.frames.map((f) => downscaleFrame(f, downscale));
  if (dataset.split.train.length === 0) throw new DatasetError(p, 'no training views after the split');
  const { center, extent } = sceneExtent(dataset.split.train.map((i) => dataset.frames[i].camera));
  return { ...dataset, center, extent };
}

/** Test = every n-th view starting at 0 (LLFF). With fewer than 2 views nothing is held out. */
function everyNth(count: number, n: number): DatasetSplit {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < count; i++) (n > 0 && count > 1 && i % n === 0 ? test : train).push(i);
  return { train, test, source: 'every-8th' };
}

function complement(count: number, taken: number[]): number[] {
  const s = new Set(taken);
  return Array.from({ length: count }, (_, i) => i).filter((i) => !s.has(i));
}

export { type Dataset, type Frame, DatasetError } from './types.js';
