/**
 * Initial intrinsics of each photo and which photos share one camera.
 *
 * Focal length in pixels, in order of preference:
 *  1. EXIF FocalLengthIn35mmFilm: the 35 mm equivalent is defined on the diagonal
 *     (CIPA DC-008), so f_px = f35 * diagonal_px / 43.27 mm.
 *  2. EXIF FocalLength (mm) with FocalPlaneXResolution / ResolutionUnit: the sensor's
 *     pixels per mm, scaled by (long side now / long side the EXIF describes), since
 *     photos are often resized after capture.
 *  3. Default: 60° field of view across the long side, f_px = 0.866 * long side.
 *     Phone main cameras are 24-28 mm equivalent (65-75° across the long side of a
 *     4:3 photo) and compacts/zooms narrower; 60° is off by at most ~25% for either,
 *     which the bundle adjustment's focal refinement then corrects when the views
 *     constrain it. (COLMAP's default of 1.2 x long side is 45°, too narrow for phones.)
 * The principal point starts at the image centre.
 *
 * Sharing: photos with the same make, model, upright size and focal length come
 * from one camera and get one intrinsics group (the bundle adjustment then refines
 * one focal length for them). Photos without any EXIF share a group when their
 * size matches (a folder of same-size frames is almost always one device); all
 * others get their own group.
 */
export interface CameraExif {
  make?: string;
  model?: string;
  focalLengthMm?: number;
  focalLength35mm?: number;
  focalPlaneXResolution?: number;
  /** 2 = inch, 3 = cm, 4 = mm, 5 = um */
  focalPlaneResolutionUnit?: number;
  exifImageWidth?: number;
  exifImageHeight?: number;
  orientation?: number;
}

export type FocalSource = 'exif-35mm' | 'exif-focal-plane' | 'default-fov';

export interface InitialIntrinsics {
  f: number;
  cx: number;
  cy: number;
  source: FocalSource;
}

export const DEFAULT_HFOV_DEG = 60;

/** EXIF fields that bear on intrinsics; {} when the file has none or they are unreadable. */
export async function readCameraExif(bytes: Uint8Array): Promise<CameraExif> {
  try {
    const exifr = (await import('exifr')).default;
    const t = await exifr.parse(bytes, {
      pick: ['Make', 'Model', 'FocalLength', 'FocalLengthIn35mmFormat', 'FocalPlaneXResolution', 'FocalPlaneResolutionUnit', 'ExifImageWidth', 'ExifImageHeight', 'Orientation'],
      translateValues: false,
    });
    if (!t) return {};
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
    return {
      make: typeof t.Make === 'string' ? t.Make.trim() : undefined,
      model: typeof t.Model === 'string' ? t.Model.trim() : undefined,
      focalLengthMm: num(t.FocalLength),
      focalLength35mm: num(t.FocalLengthIn35mmFormat),
      focalPlaneXResolution: num(t.FocalPlaneXResolution),
      focalPlaneResolutionUnit: num(t.FocalPlaneResolutionUnit),
      exifImageWidth: num(t.ExifImageWidth),
      exifImageHeight: num(t.ExifImageHeight),
      orientation: num(t.Orientation),
    };
  } catch {
    return {};
  }
}

const UNIT_MM: Record<number, number> = { 2: 25.4, 3: 10, 4: 1, 5: 0.001 };

/** Initial pinhole intrinsics of an upright image of the given size. */
export function initialIntrinsics(exif: CameraExif, width: number, height: number): InitialIntrinsics {
  const cx = width / 2;
  const cy = height / 2;
  const long = Math.max(width, height);
  if (exif.focalLength35mm) {
    const f = (exif.focalLength35mm * Math.hypot(width, height)) / Math.hypot(36, 24);
    return { f, cx, cy, source: 'exif-35mm' };
  }
  const unit = exif.focalPlaneResolutionUnit ? UNIT_MM[exif.focalPlaneResolutionUnit] : undefined;
  if (exif.focalLengthMm && exif.focalPlaneXResolution && unit) {
    const pxPerMm = exif.focalPlaneXResolution / unit;
    const exifLong = Math.max(exif.exifImageWidth ?? 0, exif.exifImageHeight ?? 0);
    const scale = exifLong > 0 ? long / exifLong : 1;
    const f = exif.focalLengthMm * pxPerMm * scale;
    // Some writers put nonsense here (e.g. the print DPI): accept 20°..140° fields of view only.
    const fov = (2 * Math.atan(long / 2 / f) * 180) / Math.PI;
    if (fov > 20 && fov < 140) return { f, cx, cy, source: 'exif-focal-plane' };
  }
  return { f: long / 2 / Math.tan((DEFAULT_HFOV_DEG * Math.PI) / 360), cx, cy, source: 'default-fov' };
}

/** Group index per photo (shared camera), see the module comment. */
export function cameraGroups(photos: { exif: CameraExif; width: number; height: number; f: number }[]): number[] {
  const keys = photos.map((p, i) => {
    const hasExif = Boolean(p.exif.make || p.exif.model || p.exif.focalLengthMm || p.exif.focalLength35mm);
    // Portrait and landscape shots of one camera are one sensor turned: the size is keyed
    // long side first, so they share the focal length (each keeps its own principal point,
    // SfmView.principalOffset).
    const size = `${Math.max(p.width, p.height)}x${Math.min(p.width, p.height)}`;
    if (!hasExif) return `noexif|${size}`;
    if (!p.exif.make && !p.exif.model) return `photo|${i}`;
    return `${p.exif.make ?? ''}|${p.exif.model ?? ''}|${size}|${p.f.toFixed(1)}`;
  });
  const ids = new Map<string, number>();
  return keys.map((k) => {
    if (!ids.has(k)) ids.set(k, ids.size);
    return ids.get(k)!;
  });
}

/**
 * The intrinsics of a view in its own pixels: its group's focal length, its own principal
 * point (the group's moved back by the view's principalOffset, incremental-sfm.ts SfmView).
 */
export function viewIntrinsics(intrinsics: { f: number; cx: number; cy: number }[], view: { group: number; principalOffset?: [number, number] }): { f: number; cx: number; cy: number } {
  const K = intrinsics[view.group];
  const [dx, dy] = view.principalOffset ?? [0, 0];
  return { f: K.f, cx: K.cx - dx, cy: K.cy - dy };
}
