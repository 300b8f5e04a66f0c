import { hasSharedData } from '../util/shared-data.js';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../engine/io/dataset/load.js';
import { writeColmapModel } from '../../engine/io/dataset/colmap-write.js';
import { readColmapModel } from '../../engine/io/dataset/colmap-read.js';
import { quatToRotation, rotationToQuat } from '../../engine/io/dataset/colmap-model.js';
import { FrameImages, prepareFrameImage } from '../../engine/io/dataset/images.js';
import { sceneExtent } from '../../engine/io/dataset/extent.js';
import { encodePointCloudPly } from '../../engine/io/point-cloud-ply.js';
import { lookAtCamera, openGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';
import { expectAllClose } from '../util/close.js';
import { colmapModelOf, ringCameras, tmpDir, transformsJsonOf, writePhoto, writePhotos } from './dataset-fixtures.js';

const W = 24;
const H = 16;

function expectCamerasClose(got: Camera, ref: Camera, tol: number) {
  expect([got.width, got.height]).toEqual([ref.width, ref.height]);
  // Intrinsics and poses pass through double-precision text/binary: only rounding of the
  // quaternion<->matrix conversion (~1e-15) separates them.
  expectAllClose('intrinsics', [got.fx, got.fy, got.cx, got.cy], [ref.fx, ref.fy, ref.cx, ref.cy], tol, 0);
  expectAllClose('R', got.R, ref.R, tol, 0);
  expectAllClose('t', got.t, ref.t, tol, 0);
}

function colmapDataset(format: 'txt' | 'bin', n = 9, model: 'PINHOLE' | 'OPENCV' = 'PINHOLE') {
  const root = tmpDir(`colmap-${format}`);
  const cams = ringCameras(n, W, H);
  const m = colmapModelOf(cams, 5, model);
  writeColmapModel(join(root, 'sparse', '0'), m, format);
  writePhotos(join(root, 'images'), cams, (i) => `img_${i}.png`);
  return { root, cams, model: m };
}

describe('COLMAP models', () => {
  it('quaternion <-> rotation round trip', () => {
    for (const c of ringCameras(7, W, H)) expectAllClose('R', quatToRotation(rotationToQuat(c.R)), c.R, 1e-12, 0);
  });

  for (const format of ['txt', 'bin'] as const) {
    it(`${format}: writer -> reader round trip keeps every field`, () => {
      const { root, model } = colmapDataset(format);
      const back = readColmapModel(join(root, 'sparse', '0'));
      expect([...back.cameras.values()]).toEqual([...model.cameras.values()]);
      expect(back.images.map((i) => [i.id, i.q, i.t, i.cameraId, i.name])).toEqual(model.images.map((i) => [i.id, i.q, i.t, i.cameraId, i.name]));
      expect(Array.from(back.images[3].points2D.xy)).toEqual(Array.from(model.images[3].points2D.xy));
      expect(Array.from(back.images[3].points2D.point3DIds)).toEqual(Array.from(model.images[3].points2D.point3DIds));
      expect(back.points.map((p) => [p.id, p.xyz, p.rgb, p.error, Array.from(p.track)])).toEqual(model.points.map((p) => [p.id, p.xyz, p.rgb, p.error, Array.from(p.track)]));
    });

    it(`${format}: dataset has the cameras, points, every-8th split and extent`, async () => {
      const { root, cams } = colmapDataset(format);
      const ds = await loadDataset(root);
      expect(ds.kind).toBe('colmap');
      expect(ds.frames.map((f) => f.name)).toEqual(cams.map((_, i) => `img_${i}.png`));
      ds.frames.forEach((f, i) => expectCamerasClose(f.camera, cams[i], 1e-12));
      expect(ds.split).toMatchObject({ train: [1, 2, 3, 4, 5, 6, 7], test: [0, 8], source: 'every-8th' });
      expect(ds.points!.count).toBe(5);
      expectAllClose('points xyz', ds.points!.xyz.subarray(0, 3), [0, 0, 0.3], 1e-7, 0);
      expectAllClose('points rgb', ds.points!.rgb.subarray(3, 6), [10 / 255, 254 / 255, 7 / 255], 1e-7, 0);
      // Ring of radius 4: the median centre of 7 ring cameras is off the ring's centre by < 1.
      expect(ds.extent).toBeGreaterThan(1.1 * 3);
      expect(ds.extent).toBeLessThan(1.1 * 5);
    });
  }

  it('the model folder itself can be given, and the photos decode lazily', async () => {
    const { root } = colmapDataset('bin');
    const ds = await loadDataset(join(root, 'sparse', '0'));
    expect(ds.root).toBe(root);
    const images = new FrameImages(ds.frames, { cacheBytes: 2 * W * H * 3 * 4 });
    for (let i = 0; i < ds.frames.length; i++) await images.get(i);
    // The LRU holds what its byte budget allows, not the whole set.
    expect(images.cachedCount).toBe(2);
    const img = await images.get(2);
    expect(img.rgb[0]).toBeCloseTo(((2 * 31) & 255) / 255, 6);
  });

  it('OPENCV photos are undistorted to the pinhole camera', async () => {
    const { root } = colmapDataset('txt', 2, 'OPENCV');
    const ds = await loadDataset(root);
    const f = ds.frames[0];
    const d = f.distortion!;
    expect([d.k1, d.k2, d.p1, d.p2]).toEqual([0.05, -0.01, 0.001, -0.002]);
    // A photo whose value at each distorted pixel is a smooth function of the undistorted
    // normalized coordinates; after undistortion it must be that function on the pinhole grid.
    const w = 48, h = 32;
    const cam = { ...f.camera, width: w, height: h, cx: 24, cy: 16 };
    const frame = { ...f, camera: cam, imageSize: [w, h] as [number, number], distortion: { ...d, k1: 0.2, source: cam } };
    const g = (u: number, v: number) => 0.5 + 0.3 * u + 0.2 * v;
    const data = new Uint8Array(w * h * 4).fill(255);
    // Invert the distortion per source pixel by fixed-point iteration.
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const ud = (x + 0.5 - cam.cx) / cam.fx, vd = (y + 0.5 - cam.cy) / cam.fy;
      let u = ud, v = vd;
      for (let it = 0; it < 50; it++) {
        const r2 = u * u + v * v, rad = 0.2 * r2 + d.k2 * r2 * r2;
        u = ud - (u * rad + 2 * d.p1 * u * v + d.p2 * (r2 + 2 * u * u));
        v = vd - (v * rad + 2 * d.p2 * u * v + d.p1 * (r2 + 2 * v * v));
      }
      for (let c = 0; c < 3; c++) data[(y * w + x) * 4 + c] = Math.round(g(u, v) * 255);
    }
    const out = prepareFrameImage(frame, { width: w, height: h, data }, 'mask', [0, 0, 0]);
    const got: number[] = [], ref: number[] = [];
    for (let y = 4; y < h - 4; y++) for (let x = 4; x < w - 4; x++) {
      got.push(out.rgb[(y * w + x) * 3]);
      ref.push(g((x + 0.5 - cam.cx) / cam.fx, (y + 0.5 - cam.cy) / cam.fy));
    }
    // 8-bit quantization (2e-3) plus bilinear interpolation of a linear function (exact up to quantization).
    expectAllClose('undistorted', got, ref, 4e-3, 0);
  });
});

describe('transforms.json', () => {
  const names = (i: number) => `images/f_${i}.png`;
  function transformsDataset(extra: Record<string, unknown> = {}, alpha = false) {
    const root = tmpDir('transforms');
    const cams = ringCameras(6, W, H);
    writePhotos(root, cams, names, alpha);
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(transformsJsonOf(cams, names, extra)));
    return { root, cams };
  }

  it('OpenGL c2w round trip, time, split from the file', async () => {
    const { root, cams } = transformsDataset({ train_filenames: ['./images/f_1.png', 'images/f_2.png', 'images/f_4.png'], test_filenames: ['images/f_0.png'], sparse_train_filenames: ['images/f_2.png'] });
    const ds = await loadDataset(join(root, 'transforms.json'));
    ds.frames.forEach((f, i) => expectCamerasClose(f.camera, cams[i], 1e-12));
    expect(ds.frames[3].time).toBeCloseTo(0.5, 12);
    expect(ds.split).toEqual({ train: [1, 2, 4], test: [0], sparseTrain: [2], source: 'file' });
    expect(ds.points).toBeUndefined();
  });

  it('ply_file_path: initial points from a point cloud (binary uchar or ASCII float colours); bad ones named', async () => {
    const xyz = Float32Array.from([0.5, -1, 2, 3.25, 0, -0.75]);
    const rgb = Float32Array.from([1, 0, 0.2, 0, 1, 0.6]);
    const { root } = transformsDataset({ ply_file_path: 'pc/sparse.ply' });
    mkdirSync(join(root, 'pc'));
    writeFileSync(join(root, 'pc/sparse.ply'), encodePointCloudPly(xyz, rgb));
    const ds = await loadDataset(root);
    expect(ds.points!.count).toBe(2);
    expect(Array.from(ds.points!.xyz)).toEqual(Array.from(xyz));
    expect(Array.from(ds.points!.rgb, (v) => Math.round(v * 255))).toEqual(Array.from(rgb, (v) => Math.round(v * 255)));
    // ASCII with float colours in [0, 1] (as other tools write them).
    writeFileSync(join(root, 'pc/sparse.ply'), 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nproperty float red\nproperty float green\nproperty float blue\nend_header\n1 2 3 0.25 0.5 1\n');
    const ascii = await loadDataset(root);
    expect(Array.from(ascii.points!.xyz)).toEqual([1, 2, 3]);
    expect(Array.from(ascii.points!.rgb)).toEqual([0.25, 0.5, 1]);
    // No x/y/z, a missing file: errors that name transforms.json and the point file.
    writeFileSync(join(root, 'pc/sparse.ply'), 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float a\nend_header\n1\n');
    await expect(loadDataset(root)).rejects.toThrow(/transforms\.json: ply_file_path 'pc\/sparse\.ply': .*sparse\.ply.*no 'x' property/);
    rmSync(join(root, 'pc/sparse.ply'));
    await expect(loadDataset(root)).rejects.toThrow(/transforms\.json: ply_file_path names 'pc\/sparse\.ply', which does not exist/);
  });

  it('camera_angle_x, per-frame intrinsics with mixed sizes, downscale', async () => {
    const root = tmpDir('transforms-perframe');
    const cams = ringCameras(3, W, H);
    cams[2] = { ...cams[2], width: 2 * W, height: 2 * H };
    writePhotos(root, cams, names);
    const json = {
      camera_angle_x: 1.2,
      frames: cams.map((c, i) => ({ file_path: names(i), transform_matrix: openGlCameraToWorld(c), ...(i === 2 ? { fl_x: 80, w: 2 * W, h: 2 * H } : {}) })),
    };
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(json));
    const ds = await loadDataset(root, { downscale: 2 });
    const fx = (0.5 * W) / Math.tan(0.6);
    expect(ds.frames[0].camera).toMatchObject({ width: W / 2, height: H / 2, cx: W / 4, cy: H / 4 });
    expect(ds.frames[0].camera.fx).toBeCloseTo(fx / 2, 10);
    expect(ds.frames[2].camera).toMatchObject({ width: W, height: H, fx: 40, fy: 40 });
    const img = await new FrameImages(ds.frames).get(0);
    expect([img.width, img.height]).toEqual([W / 2, H / 2]);
    // Box filter: output pixel (0,0) is the mean of the 2x2 block (red = (7i + 31 seed) & 255).
    const red = [0, 1, W, W + 1].map((i) => ((i * 7) & 255) / 255);
    expect(img.rgb[0]).toBeCloseTo(red.reduce((a, b) => a + b) / 4, 5);
  });

  it('alpha composited on the background or kept as a mask', async () => {
    const { root } = transformsDataset({ background: 'transparent (RGBA)' }, true);
    const ds = await loadDataset(root);
    expect(ds.hasAlpha).toBe(true);
    const comp = await new FrameImages(ds.frames, { background: [1, 0.5, 0] }).get(1);
    expect(Array.from(comp.rgb.subarray(0, 3))).toEqual([1, 0.5, 0]);
    const masked = await new FrameImages(ds.frames, { alpha: 'mask' }).get(1);
    expect(masked.alpha![0]).toBe(0);
    expect(masked.alpha![W - 1]).toBe(1);
  });

  it('no split in the file: every 8th view is test', async () => {
    const root = tmpDir('transforms-8th');
    const cams = ringCameras(17, W, H);
    writePhotos(root, cams, names);
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(transformsJsonOf(cams, names)));
    const ds = await loadDataset(root);
    expect(ds.split.test).toEqual([0, 8, 16]);
    expect(ds.split.train.length).toBe(14);
  });
});

describe('scene extent', () => {
  it('is robust to one outlier camera', () => {
    const cams = ringCameras(12, W, H);
    const base = sceneExtent(cams).extent;
    const outlier = lookAtCamera([400, 0, 0], [0, 0, 0], [0, -1, 0], { width: W, height: H, fx: 40, fy: 40 });
    const withOutlier = sceneExtent([...cams, outlier]).extent;
    expect(Math.abs(withOutlier - base) / base).toBeLessThan(0.05);
  });
});

describe('bad input: one error naming the file', () => {
  it('COLMAP model naming a photo that does not exist', async () => {
    const { root } = colmapDataset('txt', 3);
    rmSync(join(root, 'images', 'img_1.png'));
    await expect(loadDataset(root)).rejects.toThrow(/images\.txt: names image 'img_1\.png', which does not exist/);
  });

  it('zero registered images', async () => {
    const root = tmpDir('colmap-empty');
    writeColmapModel(join(root, 'sparse', '0'), { cameras: new Map(), images: [], points: [] }, 'bin');
    await expect(loadDataset(root)).rejects.toThrow(/images\.bin: zero registered images/);
  });

  it('NaN in a COLMAP pose (text) and a transforms.json pose', async () => {
    const { root, model } = colmapDataset('txt', 2);
    model.images[1].t[2] = Number.NaN;
    writeColmapModel(join(root, 'sparse', '0'), model, 'txt');
    await expect(loadDataset(root)).rejects.toThrow(/images\.txt: line \d+: 'NaN' is not a finite number/);
    const r2 = tmpDir('transforms-nan');
    const cams = ringCameras(2, W, H);
    writePhotos(r2, cams, (i) => `p${i}.png`);
    const text = JSON.stringify(transformsJsonOf(cams, (i) => `p${i}.png`)).replace(/("transform_matrix":\[\[)[-0-9.e]+/, '$1NaN');
    writeFileSync(join(r2, 'transforms.json'), text);
    await expect(loadDataset(r2)).rejects.toThrow(/transforms\.json: frame 0 \(p0\.png\): transform_matrix has NaN/);
  });

  it('NaN in a COLMAP pose (binary)', async () => {
    const { root, model } = colmapDataset('bin', 2);
    model.images[0].q[1] = Number.NaN;
    writeColmapModel(join(root, 'sparse', '0'), model, 'bin');
    await expect(loadDataset(root)).rejects.toThrow(/images\.bin: image 1 \(img_0\.png\): pose has NaN/);
  });

  it('truncated binary model', async () => {
    const { root } = colmapDataset('bin', 2);
    const f = join(root, 'sparse', '0', 'cameras.bin');
    const { readFileSync } = await import('node:fs');
    writeFileSync(f, readFileSync(f).subarray(0, 30));
    await expect(loadDataset(root)).rejects.toThrow(/cameras\.bin: (truncated at byte|count 2 at byte 0 exceeds the file size)/);
  });

  it('corrupt image: header at load, body at decode', async () => {
    const { root } = colmapDataset('txt', 2);
    writeFileSync(join(root, 'images', 'img_0.png'), 'not an image');
    await expect(loadDataset(root)).rejects.toThrow(/img_0\.png: not a PNG or JPEG image/);
    const r2 = colmapDataset('txt', 2).root;
    const ds = await loadDataset(r2);
    const { readFileSync } = await import('node:fs');
    const p = join(r2, 'images', 'img_1.png');
    writeFileSync(p, readFileSync(p).subarray(0, 40)); // valid header, truncated data
    await expect(new FrameImages(ds.frames).get(1)).rejects.toThrow(/img_1\.png: cannot decode image/);
  });

  it('mixed image sizes with shared intrinsics', async () => {
    const root = tmpDir('transforms-mixed');
    const cams = ringCameras(3, W, H);
    writePhotos(root, cams, (i) => `p${i}.png`);
    writePhoto(join(root, 'p2.png'), W + 2, H, 2);
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(transformsJsonOf(cams, (i) => `p${i}.png`)));
    await expect(loadDataset(root)).rejects.toThrow(/p2\.png: image is 26x16 but .*transforms\.json says 24x16/);
    // Without w/h in the file the first frame sets the size.
    const j = transformsJsonOf(cams, (i) => `p${i}.png`);
    delete j.w;
    delete j.h;
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(j));
    await expect(loadDataset(root)).rejects.toThrow(/p2\.png: image is 26x16, the first frame is 24x16: mixed image sizes/);
  });

  it('split naming an unknown frame, missing image, and a path that is no dataset', async () => {
    const root = tmpDir('transforms-badsplit');
    const cams = ringCameras(2, W, H);
    writePhotos(root, cams, (i) => `p${i}.png`);
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(transformsJsonOf(cams, (i) => `p${i}.png`, { test_filenames: ['nope.png'] })));
    await expect(loadDataset(root)).rejects.toThrow(/transforms\.json: test_filenames names 'nope\.png'/);
    writeFileSync(join(root, 'transforms.json'), JSON.stringify(transformsJsonOf(cams, (i) => `q${i}.png`)));
    await expect(loadDataset(root)).rejects.toThrow(/transforms\.json: frame 0 \(q0\.png\): image .*q0\.png does not exist/);
    const empty = tmpDir('nodataset');
    mkdirSync(join(empty, 'x'));
    await expect(loadDataset(empty)).rejects.toThrow(/not a dataset/);
  });
});

describe.skipIf(!hasSharedData)('shared data', () => {
  it('fern and lego load with the file split', async () => {
    const fern = await loadDataset('../shared/data/fern');
    expect([fern.frames.length, fern.split.train.length, fern.split.test.length, fern.split.sparseTrain?.length]).toEqual([20, 17, 3, 3]);
    expect(fern.frames[0].camera).toMatchObject({ width: 504, height: 378 });
    const lego = await loadDataset('../shared/data/lego');
    expect([lego.frames.length, lego.split.train.length, lego.split.test.length]).toEqual([70, 50, 20]);
    expect(lego.hasAlpha).toBe(true);
    // Lego cameras sit on a sphere of radius ~4 around the object.
    expect(lego.extent).toBeGreaterThan(3);
    expect(lego.extent).toBeLessThan(5);
  });
});
