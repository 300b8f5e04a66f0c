/** Recent files, most recent first, de-duplicated and bounded; persisted atomically as JSON. */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { PROJECT_SUFFIX, type MenuCommand } from './ipc-contract.js';

export const MAX_RECENT = 10;

export function addRecent(list: string[], path: string): string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, MAX_RECENT);
}

export function loadRecent(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(data) ? data.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return []; // A corrupt recent-files list is not worth failing startup for.
  }
}

export function saveRecent(file: string, list: string[]): void {
  writeFileAtomic(file, JSON.stringify(list, null, 2));
}

/** The command an Open Recent entry sends: projects reopen as projects, everything else as a scene. */
export function recentCommand(path: string): MenuCommand {
  return path.toLowerCase().endsWith(PROJECT_SUFFIX) ? 'open-project' : 'open-scene';
}
