/**
 * Read a COLMAP sparse model folder (cameras/images/points3D as .bin or .txt).
 * Formats: https://colmap.github.io/format.html. Binary is little-endian.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COLMAP_MODELS,
  colmapModelById,
  isColmapModelName,
  type ColmapCamera,
  type ColmapImage,
  type ColmapModel,
  type ColmapPoint,
} from './colmap-model.js';
import { DatasetError } from './types.js';

/** Which format a model folder holds, or undefined when it holds neither. */
export function colmapFormat(dir: string): 'bin' | 'txt' | undefined {
  if (existsSync(join(dir, 'cameras.bin')) && existsSync(join(dir, 'images.bin'))) return 'bin';
  if (existsSync(join(dir, 'cameras.txt')) && existsSync(join(dir, 'images.txt'))) return 'txt';
  return undefined;
}

export function readColmapModel(dir: string): ColmapModel {
  const fmt = colmapFormat(dir);
  if (!fmt) throw new DatasetError(dir, 'no COLMAP model here (need cameras and images as .bin or .txt)');
  const file = (n: string) => join(dir, `${n}.${fmt}`);
  const pointsFile = file('points3D');
  if (fmt === 'bin') {
    return {
      cameras: readCamerasBin(file('cameras')),
      images: readImagesBin(file('images')),
      points: existsSync(pointsFile) ? readPointsBin(pointsFile) : [],
    };
  }
  return {
    cameras: readCamerasTxt(file('cameras')),
    images: readImagesTxt(file('images')),
    points: existsSync(pointsFile) ? readPointsTxt(pointsFile) : [],
  };
}

// ---------------------------------------------------------------- text

function dataLines(file: string): { line: string; no: number }[] {
  const text = readFileSync(file, 'utf8');
  const out: { line: string; no: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length > 0 && !line.startsWith('#')) out.push({ line, no: i + 1 });
  });
  return out;
}

function numbers(file: string, no: number, parts: string[]): number[] {
  return parts.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new DatasetError(file, `line ${no}: '${s}' is not a finite number`);
    return v;
  });
}

export function readCamerasTxt(file: string): Map<number, ColmapCamera> {
  const cams = new Map<number, ColmapCamera>();
  for (const { line, no } of dataLines(file)) {
    const [id, model, ...rest] = line.split(/\s+/);
    if (!isColmapModelName(model)) throw new DatasetError(file, `line ${no}: unsupported camera model '${model}' (supported: ${Object.keys(COLMAP_MODELS).join(', ')})`);
    const [cid, width, height, ...params] = numbers(file, no, [id, ...rest]);
    if (params.length !== COLMAP_MODELS[model].params) throw new DatasetError(file, `line ${no}: ${model} needs ${COLMAP_MODELS[model].params} parameters, got ${params.length}`);
    cams.set(cid, checkCamera(file, { id: cid, model, width, height, params }));
  }
  return cams;
}

export function readImagesTxt(file: string): ColmapImage[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const images: ColmapImage[] = [];
  // Each image takes two lines; the second (its 2D points) may be empty, so comments are
  // skipped but empty lines are significant after an image line.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length < 10) throw new DatasetError(file, `line ${i + 1}: expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`);
    const v = numbers(file, i + 1, parts.slice(0, 9));
    // Names may contain spaces: everything after CAMERA_ID.
    const name = line.split(/\s+/).slice(9).join(' ');
    const ptsLine = (lines[i + 1] ?? '').trim();
    i++;
    const p = ptsLine.length > 0 ? numbers(file, i + 1, ptsLine.split(/\s+/)) : [];
    if (p.length % 3 !== 0) throw new DatasetError(file, `line ${i + 1}: POINTS2D must be (X, Y, POINT3D_ID) triples`);
    const m = p.length / 3;
    const xy = new Float64Array(m * 2);
    const ids = new BigInt64Array(m);
    for (let j = 0; j < m; j++) {
      xy[j * 2] = p[j * 3];
      xy[j * 2 + 1] = p[j * 3 + 1];
      ids[j] = BigInt(p[j * 3 + 2]);
    }
    images.push(checkImage(file, { id: v[0], q: [v[1], v[2], v[3], v[4]], t: [v[5], v[6], v[7]], cameraId: v[8], name, points2D: { xy, point3DIds: ids } }));
  }
  return images;
}

export function readPointsTxt(file: string): ColmapPoint[] {
  const pts: ColmapPoint[] = [];
  for (const { line, no } of dataLines(file)) {
    const v = numbers(file, no, line.split(/\s+/));
    if (v.length < 8 || (v.length - 8) % 2 !== 0) throw new DatasetError(file, `line ${no}: expected POINT3D_ID X Y Z R G B ERROR TRACK[]`);
    pts.push({ id: v[0], xyz: [v[1], v[2], v[3]], rgb: [v[4], v[5], v[6]], error: v[7], track: Int32Array.from(v.slice(8)) });
  }
  return pts;
}

// ---------------------------------------------------------------- binary

/** Bounds-checked little-endian reader that names the file when it runs out. */
class BinReader {
  private off = 0;
  private readonly view: DataView;
  constructor(readonly file: string, readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.off + n > this.bytes.byteLength) throw new DatasetError(this.file, `truncated at byte ${this.off} (file is ${this.bytes.byteLength} bytes)`);
    const o = this.off;
    this.off += n;
    return o;
  }
  u64(): number {
    const v = this.view.getBigUint64(this.need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DatasetError(this.file, `count ${v} is implausibly large`);
    return Number(v);
  }
  i64(): bigint { return this.view.getBigInt64(this.need(8), true); }
  i32(): number { return this.view.getInt32(this.need(4), true); }
  u8(): number { return this.view.getUint8(this.need(1)); }
  f64(): number { return this.view.getFloat64(this.need(8), true); }
  cstring(): string {
    const start = this.off;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) throw new DatasetError(this.file, `unterminated image name at byte ${start}`);
    this.off = end + 1;
    return new TextDecoder().decode(this.bytes.subarray(start, end));
  }
  /** Counts come from the file: refuse ones that could not fit in what is left. */
  count(minBytesEach: number): number {
    const n = this.u64();
    if (n * minBytesEach > this.bytes.byteLength - this.off) throw new DatasetError(this.file, `count ${n} at byte ${this.off - 8} exceeds the file size`);
    return n;
  }
  get done(): boolean { return this.off === this.bytes.byteLength; }
}

export function readCamerasBin(file: string): Map<number, ColmapCamera> {
  const r = new BinReader(file, readFileSync(file));
  const cams = new Map<number, ColmapCamera>();
  const n = r.count(24);
  for (let i = 0; i < n; i++) {
    const id = r.i32();
    const modelId = r.i32();
    const model = colmapModelById(modelId);
    if (!model) throw new DatasetError(file, `camera ${id}: unsupported camera model id ${modelId} (supported: ${Object.entries(COLMAP_MODELS).map(([k, v]) => `${v.id}=${k}`).join(', ')})`);
    const width = r.u64();
    const height = r.u64();
    const params = Array.from({ length: COLMAP_MODELS[model].params }, () => r.f64());
    cams.set(id, checkCamera(file, { id, model, width, height, params }));
  }
  return cams;
}

export function readImagesBin(file: string): ColmapImage[] {
  const r = new BinReader(file, readFileSync(file));
  const n = r.count(64);
  const images: ColmapImage[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.i32();
    const q: [number, number, number, number] = [r.f64(), r.f64(), r.f64(), r.f64()];
    const t: [number, number, number] = [r.f64(), r.f64(), r.f64()];
    const cameraId = r.i32();
    const name = r.cstring();
    const m = r.count(24);
    const xy = new Float64Array(m * 2);
    const ids = new BigInt64Array(m);
    for (let j = 0; j < m; j++) {
      xy[j * 2] = r.f64();
      xy[j * 2 + 1] = r.f64();
      ids[j] = r.i64();
    }
    images.push(checkImage(file, { id, q, t, cameraId, name, points2D: { xy, point3DIds: ids } }));
  }
  if (!r.done) throw new DatasetError(file, 'trailing bytes after the last image (corrupt file?)');
  return images;
}

export function readPointsBin(file: string): ColmapPoint[] {
  const r = new BinReader(file, readFileSync(file));
  const n = r.count(51);
  const pts: ColmapPoint[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u64();
    const xyz: [number, number, number] = [r.f64(), r.f64(), r.f64()];
    const rgb: [number, number, number] = [r.u8(), r.u8(), r.u8()];
    const error = r.f64();
    const len = r.count(8);
    const track = new Int32Array(len * 2);
    for (let j = 0; j < len * 2; j++) track[j] = r.i32();
    pts.push({ id, xyz, rgb, error, track });
  }
  return pts;
}

// ---------------------------------------------------------------- checks

function checkCamera(file: string, c: ColmapCamera): ColmapCamera {
  if (!(Number.isInteger(c.width) && c.width > 0 && Number.isInteger(c.height) && c.height > 0)) throw new DatasetError(file, `camera ${c.id}: invalid size ${c.width}x${c.height}`);
  if (!c.params.every(Number.isFinite)) throw new DatasetError(file, `camera ${c.id}: non-finite parameters`);
  return c;
}

function checkImage(file: string, im: ColmapImage): ColmapImage {
  if (![...im.q, ...im.t].every(Number.isFinite)) throw new DatasetError(file, `image ${im.id} (${im.name}): pose has NaN or infinite values`);
  if (Math.hypot(...im.q) < 1e-12) throw new DatasetError(file, `image ${im.id} (${im.name}): zero rotation quaternion`);
  if (im.name.length === 0) throw new DatasetError(file, `image ${im.id}: empty name`);
  return im;
}
