/**
 * Model registry: which weight files Sparrow can use (models/manifest.json), where to
 * look for them, and checksum verification before use.
 *
 * Weights are not shipped in the repository. Look-up order for a models folder:
 *   1. `--models <dir>` (the CLI flag, passed in as `flagDir`)
 *   2. the `SPARROW_MODELS` environment variable
 *   3. the app's data folder (the Electron app passes `<userData>/models`)
 *   4. for development: `../shared/models` relative to the repository root
 * The first folder that holds the file wins; a file that is present but fails its
 * sha256 is reported (not silently skipped), so the user learns the copy is bad.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import manifestJson from '../../models/manifest.json';
import { packageRootFrom } from '../io/package-root.js';

export interface ModelSpec {
  id: string;
  /** Path relative to a models folder, e.g. 'xfeat/xfeat.onnx'. */
  file: string;
  bytes: number;
  sha256: string;
  format: string;
  licence: string;
  licenceFile: string;
  download: string;
  source: string;
}

export const MODEL_MANIFEST: readonly ModelSpec[] = manifestJson.models as ModelSpec[];

export function modelSpec(id: string): ModelSpec {
  const spec = MODEL_MANIFEST.find((m) => m.id === id);
  if (!spec) throw new Error(`models/manifest.json: no model with id '${id}'`);
  return spec;
}

export interface ModelSearchOptions {
  /** `--models <dir>` from the command line. */
  flagDir?: string;
  /** Environment to read SPARROW_MODELS from (default process.env). */
  env?: Record<string, string | undefined>;
  /** The app's data folder for models (Electron: <userData>/models). */
  appDataDir?: string;
  /** Include ../shared/models next to the repository (development, tests, CI). Default true. */
  includeDevDir?: boolean;
}

/** Repository root (the package folder), found from this module's location. */
export function repoRoot(): string {
  return packageRootFrom(import.meta.url);
}

/** The models folders to search, in priority order, with where each came from. */
export function modelSearchDirs(opts: ModelSearchOptions = {}): { dir: string; origin: string }[] {
  const env = opts.env ?? process.env;
  const dirs: { dir: string; origin: string }[] = [];
  if (opts.flagDir) dirs.push({ dir: resolve(opts.flagDir), origin: '--models' });
  if (env.SPARROW_MODELS) dirs.push({ dir: resolve(env.SPARROW_MODELS), origin: 'SPARROW_MODELS' });
  if (opts.appDataDir) dirs.push({ dir: resolve(opts.appDataDir), origin: 'app data folder' });
  if (opts.includeDevDir !== false) dirs.push({ dir: resolve(repoRoot(), '..', 'shared', 'models'), origin: 'development (../shared/models)' });
  return dirs;
}

/** sha256 of a file, streamed (weights can be large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

export type ModelLookup =
  | { ok: true; spec: ModelSpec; path: string; origin: string }
  | { ok: false; spec: ModelSpec; reason: string };

/** Checksums already verified in this process, keyed by path + size + mtime. */
const verified = new Map<string, string>();

/**
 * Find a model file in the search folders and verify its size and sha256.
 * Never throws for a missing or bad file: the caller decides how to fall back.
 */
export async function locateModel(id: string, opts: ModelSearchOptions = {}): Promise<ModelLookup> {
  const spec = modelSpec(id);
  const dirs = modelSearchDirs(opts);
  for (const { dir, origin } of dirs) {
    const path = join(dir, spec.file);
    if (!existsSync(path)) continue;
    const st = statSync(path);
    if (st.size !== spec.bytes) {
      return { ok: false, spec, reason: `${path}: size ${st.size} bytes, expected ${spec.bytes} (corrupt or a different version; get it from ${spec.download})` };
    }
    const key = `${path}|${st.size}|${st.mtimeMs}`;
    const digest = verified.get(key) ?? (await sha256File(path));
    if (digest !== spec.sha256) {
      return { ok: false, spec, reason: `${path}: sha256 ${digest} does not match the manifest (${spec.sha256}); get it from ${spec.download}` };
    }
    verified.set(key, digest);
    return { ok: true, spec, path, origin };
  }
  const where = dirs.map((d) => `${d.dir} (${d.origin})`).join(', ');
  return { ok: false, spec, reason: `${spec.file} not found in ${where || 'any models folder'}; download it from ${spec.download} (licence ${spec.licence}) and pass --models <dir> or set SPARROW_MODELS` };
}
