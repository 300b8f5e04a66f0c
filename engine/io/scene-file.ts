/**
 * Scene files in Node: read (format detected by content, then extension; unbundled
 * SOG via its meta.json) and write atomically. The codecs themselves, shared with the
 * browser, are in scene-codec.ts.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { throwIfCancelled } from '../pipeline/events.js';
import { writeFileAtomic } from './atomic-write.js';
import { FormatError } from './format-error.js';
import type { GaussianScene } from '../splat/scene.js';
import { decodeSogFiles } from './sog.js';

export { SCENE_FORMATS, MAX_SH_DEGREE, formatFromExtension, detectFormat, decodeScene, encodeScene } from './scene-codec.js';
export type { SceneFormat, EncodeOptions } from './scene-codec.js';
import { SCENE_FORMATS, detectFormat, decodeScene, encodeScene, formatFromExtension, type EncodeOptions, type SceneFormat } from './scene-codec.js';

export async function readSceneFile(path: string, format?: SceneFormat): Promise<GaussianScene> {
  return (await readSceneFileDetailed(path, format)).scene;
}

/** The scene plus the detected format and the file size. */
export async function readSceneFileDetailed(path: string, format?: SceneFormat): Promise<{ scene: GaussianScene; format: SceneFormat; bytes: number }> {
  if (basename(path) === 'meta.json') return readSogFolder(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FormatError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const f = format ?? detectFormat(bytes, path);
  return { scene: await decodeScene(bytes, path, f), format: f, bytes: bytes.length };
}

/** Encode and write atomically; returns the bytes written. */
export async function writeSceneFile(path: string, scene: GaussianScene, format?: SceneFormat, opts: EncodeOptions = {}): Promise<number> {
  const f = format ?? formatFromExtension(path);
  if (!f) throw new FormatError(path, `cannot tell the scene format from the extension; use one of ${SCENE_FORMATS.join(', ')}`);
  const bytes = await encodeScene(scene, f, opts);
  throwIfCancelled(opts.signal);
  writeFileAtomic(path, bytes);
  return bytes.length;
}

/** Unbundled SOG: meta.json plus its WebP files in the same folder. */
async function readSogFolder(metaPath: string): Promise<{ scene: GaussianScene; format: SceneFormat; bytes: number }> {
  let total = 0;
  const get = (name: string) => {
    // Only plain file names: meta.json must not reach outside its folder.
    if (name !== basename(name)) throw new FormatError(metaPath, `SOG file name '${name}' must be a plain name in the same folder`);
    try {
      const b = readFileSync(join(dirname(metaPath), name));
      total += b.length;
      return b;
    } catch {
      return undefined;
    }
  };
  const scene = await decodeSogFiles(get, metaPath);
  return { scene, format: 'sog', bytes: total };
}
