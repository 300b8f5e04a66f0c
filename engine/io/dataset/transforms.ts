/**
 * Load a nerfstudio / instant-ngp `transforms.json`: OpenGL camera-to-world
 * `transform_matrix` per frame; intrinsics at the top level (shared) or per frame
 * (`fl_x, fl_y, cx, cy, w, h`, or `camera_angle_x[/y]`); optional OPENCV
 * distortion `k1, k2, p1, p2` (undistorted on decode); optional per-frame `time`;
 * optional `train_filenames` / `test_filenames` / `sparse_train_filenames`; optional
 * `ply_file_path` (nerfstudio: a coloured point cloud in the same world frame, e.g. the
 * SfM points `sparrow poses` writes), used as the initial points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cameraFromOpenGlCameraToWorld } from '../../splat/camera.js';
import { readImageSize } from './image-size.js';
import { DatasetError, type Frame, type SparsePoints } from './types.js';
import { decodePointCloudPly } from '../point-cloud-ply.js';
import { FormatError } from '../format-error.js';

type Json = Record<string, unknown>;

export interface TransformsFrames {
  frames: Frame[];
  /** Split lists as the file gives them (already matched to frame indices). */
  train?: number[];
  test?: number[];
  sparseTrain?: number[];
  hasAlpha: boolean;
  /** From `near_far` (LLFF) when present. */
  depthRange?: [number, number];
  /** From `ply_file_path` when present. */
  points?: SparsePoints;
}

const SUPPORTED_MODELS = ['PINHOLE', 'OPENCV', 'SIMPLE_PINHOLE'];

export function parseJsonLenient(file: string): Json {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    // Python's json writes NaN/Infinity; read them as null so the pose check names the frame.
    try {
      return JSON.parse(text.replace(/-?\bInfinity\b|\bNaN\b/g, 'null')) as Json;
    } catch {
      throw new DatasetError(file, `invalid JSON (${(e as Error).message})`);
    }
  }
}

/** Normalize a file_path for matching split lists: forward slashes, no leading './'. */
export function normalizeName(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

export async function loadTransformsFrames(file: string): Promise<TransformsFrames> {
  const path = resolve(file);
  const root = dirname(path);
  const json = parseJsonLenient(path);
  const model = typeof json.camera_model === 'string' ? json.camera_model : 'PINHOLE';
  if (!SUPPORTED_MODELS.includes(model)) throw new DatasetError(path, `unsupported camera_model '${model}' (supported: ${SUPPORTED_MODELS.join(', ')})`);
  const rawFrames = json.frames;
  if (!Array.isArray(rawFrames) || rawFrames.length === 0) throw new DatasetError(path, "no 'frames'");

  const frames: Frame[] = [];
  let firstSize: [number, number] | undefined;
  for (let i = 0; i < rawFrames.length; i++) {
    const f = rawFrames[i] as Json;
    const where = `frame ${i}${typeof f.file_path === 'string' ? ` (${f.file_path})` : ''}`;
    if (typeof f.file_path !== 'string') throw new DatasetError(path, `${where}: missing file_path`);
    const imagePath = resolveImage(root, f.file_path);
    if (!imagePath) throw new DatasetError(path, `${where}: image ${join(root, f.file_path)} does not exist`);
    const size = await readImageSize(imagePath);
    const perFrame = ['fl_x', 'fl_y', 'w', 'h', 'cx', 'cy', 'camera_angle_x'].some((k) => k in f);
    const w = num(f.w) ?? (perFrame ? undefined : num(json.w));
    const h = num(f.h) ?? (perFrame ? undefined : num(json.h));
    // Without a stated size, the intrinsics describe the images as stored; with one, every image must match it.
    const width = w ?? size.width;
    const height = h ?? size.height;
    if (size.width !== width || size.height !== height) {
      throw new DatasetError(imagePath, `image is ${size.width}x${size.height} but ${path} says ${width}x${height}`);
    }
    if (!perFrame && w === undefined) {
      firstSize ??= [size.width, size.height];
      if (firstSize[0] !== size.width || firstSize[1] !== size.height) {
        throw new DatasetError(imagePath, `image is ${size.width}x${size.height}, the first frame is ${firstSize[0]}x${firstSize[1]}: mixed image sizes need per-frame intrinsics`);
      }
    }
    const intr = intrinsics(path, where, perFrame ? { ...json, ...f } : json, width, height);
    const c2w = f.transform_matrix;
    if (!isMatrix4(c2w)) throw new DatasetError(path, `${where}: transform_matrix must be a 4x4 (or 3x4) array of numbers`);
    if (!c2w.flat().every((v) => typeof v === 'number' && Number.isFinite(v))) throw new DatasetError(path, `${where}: transform_matrix has NaN or infinite values`);
    const camera = cameraFromOpenGlCameraToWorld(c2w as number[][], intr);
    const k = { k1: num(f.k1) ?? num(json.k1) ?? 0, k2: num(f.k2) ?? num(json.k2) ?? 0, p1: num(f.p1) ?? num(json.p1) ?? 0, p2: num(f.p2) ?? num(json.p2) ?? 0 };
    const distorted = k.k1 !== 0 || k.k2 !== 0 || k.p1 !== 0 || k.p2 !== 0;
    const time = num(f.time);
    frames.push({
      name: normalizeName(f.file_path),
      camera,
      imagePath,
      imageSize: [width, height],
      ...(time !== undefined ? { time } : {}),
      ...(distorted ? { distortion: { ...k, source: camera } } : {}),
    });
  }
  const byName = new Map(frames.map((fr, i) => [fr.name, i]));
  const list = (key: string): number[] | undefined => {
    const v = json[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new DatasetError(path, `${key} must be a list of file paths`);
    return v.map((n) => {
      const idx = byName.get(normalizeName(String(n)));
      if (idx === undefined) throw new DatasetError(path, `${key} names '${n}', which is not a frame's file_path`);
      return idx;
    });
  };
  const hasAlpha = typeof json.background === 'string' && /transparent|rgba/i.test(json.background);
  const nf = json.near_far;
  const depthRange = Array.isArray(nf) && nf.length === 2 && nf.every((v) => typeof v === 'number' && v > 0) && nf[0] < nf[1] ? ([nf[0], nf[1]] as [number, number]) : undefined;
  return { frames, train: list('train_filenames'), test: list('test_filenames'), sparseTrain: list('sparse_train_filenames'), hasAlpha, depthRange, ...pointsFrom(json, path, root) };
}

/** The point cloud `ply_file_path` names, read and checked (a bad one is an error naming both files). */
function pointsFrom(json: Json, path: string, root: string): { points?: SparsePoints } {
  const rel = json.ply_file_path;
  if (rel === undefined) return {};
  if (typeof rel !== 'string' || rel === '') throw new DatasetError(path, 'ply_file_path must be a file path');
  const file = join(root, rel);
  if (!existsSync(file)) throw new DatasetError(path, `ply_file_path names '${rel}', which does not exist`);
  try {
    return { points: decodePointCloudPly(new Uint8Array(readFileSync(file)), file) };
  } catch (e) {
    if (e instanceof FormatError) throw new DatasetError(path, `ply_file_path '${rel}': ${e.message}`);
    throw e;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function isMatrix4(m: unknown): m is number[][] {
  return Array.isArray(m) && (m.length === 4 || m.length === 3) && m.every((r) => Array.isArray(r) && r.length === 4);
}

/** Blender NeRF files omit the extension ("./train/r_0"). */
function resolveImage(root: string, filePath: string): string | undefined {
  const base = join(root, filePath);
  for (const cand of [base, `${base}.png`, `${base}.jpg`, `${base}.jpeg`, `${base}.PNG`, `${base}.JPG`]) if (existsSync(cand)) return cand;
  return undefined;
}

function intrinsics(file: string, where: string, src: Json, width: number, height: number) {
  let fx = num(src.fl_x);
  let fy = num(src.fl_y);
  const ax = num(src.camera_angle_x);
  const ay = num(src.camera_angle_y);
  if (fx === undefined && ax !== undefined) fx = (0.5 * width) / Math.tan(0.5 * ax);
  if (fy === undefined && ay !== undefined) fy = (0.5 * height) / Math.tan(0.5 * ay);
  fy ??= fx;
  fx ??= fy;
  if (fx === undefined || fy === undefined) throw new DatasetError(file, `${where}: no focal length (fl_x/fl_y or camera_angle_x)`);
  const cx = num(src.cx) ?? width / 2;
  const cy = num(src.cy) ?? height / 2;
  if (![fx, fy, cx, cy].every(Number.isFinite) || fx <= 0 || fy <= 0) throw new DatasetError(file, `${where}: invalid intrinsics fx=${fx} fy=${fy} cx=${cx} cy=${cy}`);
  return { width, height, fx, fy, cx, cy };
}
