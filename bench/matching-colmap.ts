/**
 * COLMAP (CPU SIFT, exhaustive matching, incremental mapper) on a photo subset, as the
 * classical peer in bench/matching.ts. Intrinsics are fixed to the reference ones so
 * the comparison is about matching and registration, not calibration.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readColmapModel } from '../engine/io/dataset/colmap-read.js';
import { quatToRotation } from '../engine/io/dataset/colmap-model.js';

export interface ColmapRun {
  /** name -> world-to-camera rotation (row-major 9) of each registered image */
  rotations: Map<string, number[]>;
  wallMs: number;
  error?: string;
}

export function colmapAvailable(): boolean {
  return spawnSync('colmap', ['help'], { encoding: 'utf8' }).status === 0;
}

function run(args: string[], timeoutMs: number): void {
  const r = spawnSync('colmap', args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`colmap ${args[0]} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
}

export function runColmap(imagePaths: string[], intr: { f: number; cx: number; cy: number }, timeoutMs = 600_000): ColmapRun {
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-colmap-'));
  const images = join(dir, 'images');
  const sparse = join(dir, 'sparse');
  mkdirSync(images);
  mkdirSync(sparse);
  for (const p of imagePaths) copyFileSync(p, join(images, basename(p)));
  const db = join(dir, 'db.db');
  const t0 = performance.now();
  const rotations = new Map<string, number[]>();
  try {
    run(['feature_extractor', '--database_path', db, '--image_path', images, '--ImageReader.single_camera', '1',
      '--ImageReader.camera_model', 'SIMPLE_PINHOLE', '--ImageReader.camera_params', `${intr.f},${intr.cx},${intr.cy}`,
      '--SiftExtraction.use_gpu', '0', '--SiftExtraction.num_threads', '2'], timeoutMs);
    run(['exhaustive_matcher', '--database_path', db, '--SiftMatching.use_gpu', '0', '--SiftMatching.num_threads', '2'], timeoutMs);
    run(['mapper', '--database_path', db, '--image_path', images, '--output_path', sparse, '--Mapper.num_threads', '2',
      '--Mapper.ba_refine_focal_length', '0', '--Mapper.ba_refine_principal_point', '0', '--Mapper.ba_refine_extra_params', '0'], timeoutMs);
    // Several disconnected models are possible: keep the largest.
    let best: ReturnType<typeof readColmapModel> | null = null;
    for (const m of existsSync(sparse) ? readdirSync(sparse) : []) {
      const model = readColmapModel(join(sparse, m));
      if (!best || model.images.length > best.images.length) best = model;
    }
    for (const im of best?.images ?? []) rotations.set(im.name, quatToRotation(im.q));
    return { rotations, wallMs: performance.now() - t0 };
  } catch (e) {
    return { rotations, wallMs: performance.now() - t0, error: (e as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
