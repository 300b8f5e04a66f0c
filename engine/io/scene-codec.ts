/**
 * Scene codecs by format, with no file-system access so the app's page and workers
 * use the same code as the CLI: detect the format (by content, then by extension),
 * decode, encode. engine/io/scene-file.ts adds reading and atomic writing in Node.
 */
import { throwIfCancelled } from '../pipeline/events.js';
import { withShDegree, type GaussianScene } from '../splat/scene.js';
import { decodeCompressedPly, encodeCompressedPly, isCompressedPly } from './compressed-ply.js';
import { FormatError } from './format-error.js';
import { decodeGlb, encodeGlb } from './gltf.js';
import { decodePly, encodePly } from './ply.js';
import { isPly, parsePlyHeader } from './ply-header.js';
import { decodeSog, encodeSog } from './sog.js';
import { decodeSplat, encodeSplat } from './splat.js';
import { SPZ_MAGIC, decodeSpz, encodeSpz } from './spz.js';
import { MAX_SH_DEGREE, type SceneFormat } from './scene-format-names.js';
export { SCENE_FORMATS, MAX_SH_DEGREE, type SceneFormat } from './scene-format-names.js';

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function formatFromExtension(path: string): SceneFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.compressed.ply')) return 'compressed-ply';
  if (name.endsWith('.ply')) return 'ply';
  if (name.endsWith('.spz')) return 'spz';
  if (name.endsWith('.splat')) return 'splat';
  if (name.endsWith('.glb')) return 'glb';
  if (name.endsWith('.sog')) return 'sog';
  return undefined;
}

/** Format by content where the file says it (magic bytes), else by extension. */
export function detectFormat(bytes: Uint8Array, file: string): SceneFormat {
  if (isPly(bytes)) return isCompressedPly(parsePlyHeader(bytes, file)) ? 'compressed-ply' : 'ply';
  if (bytes.length >= 4) {
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    if (magic === SPZ_MAGIC) return 'spz';
    if (magic === 0x46546c67) return 'glb';
    if (magic === 0x04034b50) return 'sog'; // zip local file header "PK\3\4"
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'spz'; // gzip: SPZ v1-3
  const ext = formatFromExtension(file);
  if (ext === 'splat') return 'splat';
  throw new FormatError(file, `unrecognised scene format (not PLY, SPZ, GLB or SOG; extension '${ext ?? 'none'}')`);
}

export async function decodeScene(bytes: Uint8Array, file: string, format?: SceneFormat): Promise<GaussianScene> {
  switch (format ?? detectFormat(bytes, file)) {
    case 'ply': return decodePly(bytes, file);
    case 'compressed-ply': return decodeCompressedPly(bytes, file);
    case 'spz': return decodeSpz(bytes, file);
    case 'splat': return decodeSplat(bytes, file);
    case 'glb': return decodeGlb(bytes, file);
    case 'sog': return decodeSog(bytes, file);
  }
}

export interface EncodeOptions {
  /** Truncate (or zero-extend) SH to this degree, capped by the format. */
  shDegree?: number;
  /** SPZ version to write (default 3: the version current web viewers such as Spark 2.2 read; v4 is zstd). */
  spzVersion?: 2 | 3 | 4;
  /**
   * Checked before encoding and again before the file is written (the encoders are
   * synchronous passes of a few seconds at most); a cancelled export writes nothing.
   */
  signal?: AbortSignal;
}

export async function encodeScene(scene: GaussianScene, format: SceneFormat, opts: EncodeOptions = {}): Promise<Uint8Array> {
  throwIfCancelled(opts.signal);
  const degree = Math.min(opts.shDegree ?? scene.shDegree, MAX_SH_DEGREE[format]);
  const s = degree === scene.shDegree ? scene : withShDegree(scene, degree);
  switch (format) {
    case 'ply': return encodePly(s);
    case 'compressed-ply': return encodeCompressedPly(s);
    case 'spz': return encodeSpz(s, { version: opts.spzVersion ?? 3 });
    case 'splat': return encodeSplat(s);
    case 'glb': return encodeGlb(s);
    case 'sog': return encodeSog(s);
  }
}

