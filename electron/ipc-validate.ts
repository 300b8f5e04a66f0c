/**
 * Validation of every IPC argument that crosses from the (untrusted) renderer to
 * the main process. Each function returns the checked value or throws an
 * IpcValidationError that says what was wrong.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { FOLDER_OUTPUT_EXTENSIONS, MAX_FILE_BYTES, MAX_PROJECT_BYTES, MAX_SAVE_BYTES, PHOTO_EXTENSIONS, PROJECT_SUFFIX, SCENE_EXTENSIONS } from './ipc-contract.js';

export class IpcValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpcValidationError';
  }
}

export function expectString(value: unknown, what: string, maxLength = 4096): string {
  if (typeof value !== 'string') throw new IpcValidationError(`${what} must be a string`);
  if (value.length === 0) throw new IpcValidationError(`${what} must not be empty`);
  if (value.length > maxLength) throw new IpcValidationError(`${what} is longer than ${maxLength} characters`);
  if (value.includes('\0')) throw new IpcValidationError(`${what} contains a NUL character`);
  return value;
}

export function expectBytes(value: unknown, what: string, maxBytes = MAX_SAVE_BYTES): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new IpcValidationError(`${what} must be a Uint8Array`);
  if (value.byteLength > maxBytes) throw new IpcValidationError(`${what} is larger than ${maxBytes} bytes`);
  return value;
}

/**
 * A path the renderer asks us to read: absolute, resolved through symlinks, a
 * regular file (not a device, socket or folder), with an allowed extension and
 * a bounded size.
 */
export function checkReadablePath(value: unknown, allowed: readonly string[] = [...PHOTO_EXTENSIONS, ...SCENE_EXTENSIONS]): string {
  const raw = expectString(value, 'path');
  if (!isAbsolute(raw)) throw new IpcValidationError(`path must be absolute: ${raw}`);
  let real: string;
  try {
    real = realpathSync(resolve(raw));
  } catch {
    throw new IpcValidationError(`no such file: ${raw}`);
  }
  const st = lstatSync(real);
  if (!st.isFile()) throw new IpcValidationError(`not a regular file: ${raw}`);
  const ext = extname(real).toLowerCase();
  if (!allowed.includes(ext)) throw new IpcValidationError(`unsupported file type '${ext || '(none)'}': ${raw}`);
  if (st.size > MAX_FILE_BYTES) throw new IpcValidationError(`file is larger than ${MAX_FILE_BYTES} bytes: ${raw}`);
  return real;
}

/** A file name suggested by the renderer for a save dialog: a bare name with an allowed extension. */
export function checkSuggestedName(value: unknown): string {
  const name = expectString(value, 'file name', 255);
  if (basename(name) !== name || name === '.' || name === '..') throw new IpcValidationError(`file name must not contain a folder: ${name}`);
  const ext = extname(name).toLowerCase();
  const allowed = [...SCENE_EXTENSIONS, '.png', '.txt', '.zip'];
  if (!allowed.includes(ext)) throw new IpcValidationError(`cannot save files of type '${ext || '(none)'}'`);
  return name;
}

/** A project file the renderer asks us to read: a readable `*.sparrow.json` (after symlinks) of bounded size. */
export function checkProjectPath(value: unknown): string {
  const real = checkReadablePath(value, ['.json']);
  if (!basename(real).toLowerCase().endsWith(PROJECT_SUFFIX)) throw new IpcValidationError(`not a Sparrow project (*${PROJECT_SUFFIX}): ${String(value)}`);
  if (statSync(real).size > MAX_PROJECT_BYTES) throw new IpcValidationError(`project file is larger than ${MAX_PROJECT_BYTES} bytes: ${String(value)}`);
  return real;
}

/**
 * A folder the renderer asks to write into: it must be one the user chose in a folder dialog
 * this session (`granted`, resolved paths), and still be a folder. The renderer cannot name
 * any other place.
 */
export function checkGrantedFolder(value: unknown, granted: ReadonlySet<string>): string {
  const raw = expectString(value, 'folder');
  if (!isAbsolute(raw)) throw new IpcValidationError(`folder must be absolute: ${raw}`);
  let real: string;
  try {
    real = realpathSync(resolve(raw));
  } catch {
    throw new IpcValidationError(`no such folder: ${raw}`);
  }
  if (!granted.has(real)) throw new IpcValidationError(`folder was not chosen by the user: ${raw}`);
  if (!statSync(real).isDirectory()) throw new IpcValidationError(`not a folder: ${raw}`);
  return real;
}

/** A file name to create inside a granted folder: a plain name (letters, digits, . _ -) with an allowed extension. */
export function checkOutputName(value: unknown, allowed: readonly string[] = FOLDER_OUTPUT_EXTENSIONS): string {
  const name = expectString(value, 'file name', 128);
  if (basename(name) !== name || /[\\/]/.test(name)) throw new IpcValidationError(`file name must not contain a folder: ${name}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new IpcValidationError(`file name may hold only letters, digits, '.', '_' and '-', and not start with '.': ${name}`);
  const ext = extname(name).toLowerCase();
  if (!allowed.includes(ext)) throw new IpcValidationError(`cannot write files of type '${ext || '(none)'}' here`);
  return name;
}
