/**
 * Paths inside a project file, resolved in the page (no node:path here): a stored path is
 * relative to the project file's folder unless it is absolute (POSIX `/…`, Windows `C:\…`
 * or `\\server\…`). The main process resolves symlinks and checks the result again before
 * reading (electron/ipc-validate.ts), so this only has to be right, not safe.
 */

const isWindowsAbsolute = (p: string) => /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || isWindowsAbsolute(p);
}

/** The last component of a path with either separator. */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** The folder of `file` ('' for a bare name). */
export function dirName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  if (i < 0) return '';
  return i === 0 ? file[0] : file.slice(0, i);
}

/** `stored` (as written in project file `projectFile`) as a path to read, '.' and '..' folded. */
export function resolveProjectPath(projectFile: string, stored: string): string {
  const windows = isWindowsAbsolute(projectFile) || isWindowsAbsolute(stored) || (projectFile.includes('\\') && !projectFile.includes('/'));
  const sep = windows ? '\\' : '/';
  const joined = isAbsolutePath(stored) ? stored : dirName(projectFile) ? `${dirName(projectFile)}${sep}${stored}` : stored;
  const root = joined.startsWith('\\\\') ? '\\\\' : /^[a-zA-Z]:[\\/]/.test(joined) ? joined.slice(0, 3).replace('/', '\\') : joined.startsWith('/') ? '/' : '';
  const parts: string[] = [];
  for (const part of joined.slice(root.length).split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && root) continue; // above the root stays at the root
    else parts.push(part);
  }
  return root + parts.join(sep);
}
