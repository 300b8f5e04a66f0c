/** Photos of a reconstruction job: the image files of a folder, sorted by name. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PHOTO_RE = /\.(jpe?g|png)$/i;

export class PhotoFolderError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DatasetError';
  }
}

export function listPhotos(dir: string): string[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new PhotoFolderError(root, 'no such folder');
  if (!statSync(root).isDirectory()) throw new PhotoFolderError(root, 'not a folder of photos');
  const direct = readdirSync(root).filter((n) => PHOTO_RE.test(n)).sort();
  const inImages = direct.length === 0 && existsSync(join(root, 'images')) ? readdirSync(join(root, 'images')).filter((n) => PHOTO_RE.test(n)).sort().map((n) => join('images', n)) : [];
  const names = direct.length ? direct : inImages;
  if (names.length === 0) throw new PhotoFolderError(root, 'no photos (.jpg, .jpeg, .png) in this folder');
  return names.map((n) => join(root, n));
}

export function readPhotos(paths: string[]): { name: string; bytes: Uint8Array; path: string }[] {
  return paths.map((p) => {
    try {
      return { name: p.split('/').pop()!, bytes: new Uint8Array(readFileSync(p)), path: p };
    } catch (e) {
      throw new PhotoFolderError(p, `cannot read (${(e as Error).message})`);
    }
  });
}
