/**
 * Image size from the file header (PNG IHDR, JPEG SOF marker, EXIF orientation
 * swap), so a loader can validate hundreds of photos without decoding them.
 */
import { readFileSync } from 'node:fs';
import { sniffImageKind } from '../image.js';
import { DatasetError } from './types.js';

/** Upright size of a PNG/JPEG file; throws DatasetError naming the file when it is not one. */
export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'image file does not exist' : `cannot read image (${(e as Error).message})`);
  }
  const kind = sniffImageKind(bytes);
  if (kind === 'png') {
    if (bytes.length < 24) throw new DatasetError(file, 'truncated PNG header');
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return checked(file, v.getUint32(16), v.getUint32(20));
  }
  if (kind === 'jpeg') {
    const size = jpegSize(bytes);
    if (!size) throw new DatasetError(file, 'corrupt JPEG (no frame header found)');
    let orientation = 1;
    try {
      const exifr = (await import('exifr')).default;
      orientation = (await exifr.orientation(bytes)) ?? 1;
    } catch {
      orientation = 1;
    }
    return orientation >= 5 ? checked(file, size.height, size.width) : checked(file, size.width, size.height);
  }
  throw new DatasetError(file, 'not a PNG or JPEG image');
}

function checked(file: string, width: number, height: number) {
  if (width <= 0 || height <= 0) throw new DatasetError(file, `image header says ${width}x${height}`);
  return { width, height };
}

/** Walk JPEG markers to the first SOFn (baseline, progressive, ...) and read its size. */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    // Standalone markers carry no length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = (b[i + 2] << 8) | b[i + 3];
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    if (marker === 0xda || len < 2) return undefined;
    i += 2 + len;
  }
  return undefined;
}
