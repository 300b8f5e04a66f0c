import { describe, expect, it } from 'vitest';
import { cameraGroups, DEFAULT_HFOV_DEG, initialIntrinsics, readCameraExif, viewIntrinsics } from '../../engine/pose/intrinsics.js';

describe('initial intrinsics', () => {
  it('uses the 35 mm equivalent on the diagonal', () => {
    // 26 mm equivalent on a 4000x3000 photo: f = 26 * 5000 / 43.27 px.
    const k = initialIntrinsics({ focalLength35mm: 26 }, 4000, 3000);
    expect(k.source).toBe('exif-35mm');
    expect(k.f).toBeCloseTo((26 * 5000) / Math.hypot(36, 24), 6);
    expect([k.cx, k.cy]).toEqual([2000, 1500]);
  });

  it('uses focal length with focal-plane resolution, scaled to the stored size', () => {
    // 4.25 mm lens, 1000 px/mm sensor described at 4032 px, photo resized to 2016 px.
    const k = initialIntrinsics({ focalLengthMm: 4.25, focalPlaneXResolution: 1000, focalPlaneResolutionUnit: 4, exifImageWidth: 4032, exifImageHeight: 3024 }, 2016, 1512);
    expect(k.source).toBe('exif-focal-plane');
    expect(k.f).toBeCloseTo(4.25 * 1000 * 0.5, 6);
  });

  it('ignores an implausible focal-plane resolution and falls back to the default field of view', () => {
    // 4 mm at "72 dpi" (a print resolution written by mistake) would be a 176° field of view.
    const k = initialIntrinsics({ focalLengthMm: 4, focalPlaneXResolution: 72, focalPlaneResolutionUnit: 2 }, 504, 378);
    expect(k.source).toBe('default-fov');
    const fov = (2 * Math.atan(252 / k.f) * 180) / Math.PI;
    expect(fov).toBeCloseTo(DEFAULT_HFOV_DEG, 6);
  });

  it('portrait and landscape photos of one camera get the same focal length', () => {
    const a = initialIntrinsics({ focalLength35mm: 28 }, 4000, 3000);
    const b = initialIntrinsics({ focalLength35mm: 28 }, 3000, 4000);
    expect(a.f).toBeCloseTo(b.f, 9);
    expect([b.cx, b.cy]).toEqual([1500, 2000]);
  });

  it('reads no EXIF from a photo without it', async () => {
    const { readFileSync } = await import('node:fs');
    expect(await readCameraExif(new Uint8Array(readFileSync('assets/sample/photos/fern_001.jpg')))).toEqual({});
  });

  it('groups photos of one device, separates others', () => {
    const phone = { make: 'Apple', model: 'iPhone 13', focalLength35mm: 26 };
    const groups = cameraGroups([
      { exif: phone, width: 4032, height: 3024, f: 3000 },
      { exif: phone, width: 4032, height: 3024, f: 3000 },
      { exif: { make: 'Canon', model: 'EOS', focalLengthMm: 35 }, width: 4032, height: 3024, f: 3000 },
      { exif: {}, width: 504, height: 378, f: 436 },
      { exif: {}, width: 504, height: 378, f: 436 },
      { exif: {}, width: 640, height: 480, f: 554 },
    ]);
    expect(groups).toEqual([0, 0, 1, 2, 2, 3]);
  });

  it('puts portrait and landscape photos of one camera in one group', () => {
    const phone = { make: 'Apple', model: 'iPhone 12', focalLength35mm: 26 };
    const groups = cameraGroups([
      { exif: phone, width: 4032, height: 3024, f: 3000 },
      { exif: phone, width: 3024, height: 4032, f: 3000 },
      { exif: {}, width: 504, height: 378, f: 436 },
      { exif: {}, width: 378, height: 504, f: 436 },
      { exif: {}, width: 378, height: 378, f: 327 },
    ]);
    expect(groups).toEqual([0, 0, 1, 1, 2]);
  });

  it('gives a view its own principal point in its own pixels', () => {
    const K = [{ f: 500, cx: 320, cy: 240 }];
    expect(viewIntrinsics(K, { group: 0 })).toEqual({ f: 500, cx: 320, cy: 240 });
    // a portrait view of the group: offset = group principal point - its own (240, 320)
    expect(viewIntrinsics(K, { group: 0, principalOffset: [80, -80] })).toEqual({ f: 500, cx: 240, cy: 320 });
  });
});
