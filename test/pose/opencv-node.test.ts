import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { decodeImage } from '../../engine/io/image.js';
import { GLUE_PATCHES, loadOpenCvNode, splitOpenCvBundle } from '../../engine/pose/opencv-node.js';
import { toGray } from '../../engine/pose/orb.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const require = createRequire(import.meta.url);

/** AKAZE keypoints and descriptors of a gray image, straight from an OpenCV instance. */
function akaze(cv: any, gray: Uint8Array, width: number, height: number) {
  const mat = new cv.Mat(height, width, cv.CV_8UC1);
  const mask = new cv.Mat();
  const kps = new cv.KeyPointVector();
  const des = new cv.Mat();
  const det = new cv.AKAZE();
  try {
    mat.data.set(gray);
    det.detectAndCompute(mat, mask, kps, des);
    const xy = Array.from({ length: kps.size() }, (_, i) => [kps.get(i).pt.x, kps.get(i).pt.y, kps.get(i).response]).flat();
    return { xy, descriptors: Array.from(des.data as Uint8Array) };
  } finally {
    for (const m of [mat, mask, kps, des, det]) m.delete();
  }
}

describe('opencv.js loaded from its wasm bytes (opencv-node.ts)', () => {
  it('splits the bundle into a valid wasm binary and glue without the data URI', () => {
    const parts = splitOpenCvBundle(readFileSync(require.resolve('@techstark/opencv-js')))!;
    expect(parts).not.toBeNull();
    expect(Array.from(parts.wasm.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    expect(WebAssembly.validate(parts.wasm)).toBe(true);
    expect(parts.glue).not.toContain('data:application/octet-stream;base64,A');
    expect(parts.glue.length).toBeLessThan(400_000);
    expect(splitOpenCvBundle(new TextEncoder().encode('no wasm in here'))).toBeNull();
  });

  it('applies the embind start-up patches to the installed bundle (each original found exactly once)', () => {
    const bundle = readFileSync(require.resolve('@techstark/opencv-js'), 'latin1');
    const { glue } = splitOpenCvBundle(readFileSync(require.resolve('@techstark/opencv-js')))!;
    for (const p of GLUE_PATCHES) {
      expect(bundle.split(p.from).length - 1, p.name).toBe(1);
      expect(glue.includes(p.from), p.name).toBe(false);
      expect(glue.split(p.to).length - 1, p.name).toBe(1);
    }
  });

  it('gives the same AKAZE features as the package loaded by require(), and leaves no process handlers', async () => {
    const handlers = ['uncaughtException', 'unhandledRejection'].map((e) => process.listeners(e as 'uncaughtException').length);
    const { cv } = await loadOpenCvNode();
    expect(['uncaughtException', 'unhandledRejection'].map((e) => process.listeners(e as 'uncaughtException').length)).toEqual(handlers);
    // The stock load installs Emscripten's process handlers: removed again so that they do not outlive the test.
    const before = ['uncaughtException', 'unhandledRejection'].map((e) => new Set(process.listeners(e as 'uncaughtException')));
    const stock = require('@techstark/opencv-js');
    ['uncaughtException', 'unhandledRejection'].forEach((e, k) => {
      for (const l of process.listeners(e as 'uncaughtException')) if (!before[k].has(l)) process.removeListener(e, l);
    });
    if (!stock.Mat) await new Promise<void>((resolve) => (stock.onRuntimeInitialized = () => resolve()));
    const img = await decodeImage(new Uint8Array(readFileSync('assets/sample/photos/fern_001.jpg')));
    const gray = toGray(img);
    const got = akaze(cv, gray, img.width, img.height);
    const want = akaze(stock, gray, img.width, img.height);
    expect(got.xy.length).toBeGreaterThan(300);
    expect(got.xy).toEqual(want.xy);
    expect(got.descriptors).toEqual(want.descriptors);
  });

  it('starts the wasm compile synchronously, so that it runs while the caller decodes photos', async () => {
    // The pose stage calls prepare() and then decodes: the compile must already be under
    // way when loadOpenCvNode returns (node >= 20.16 has process.getBuiltinModule).
    const compile = vi.spyOn(WebAssembly, 'compile');
    try {
      const loading = loadOpenCvNode();
      if ('getBuiltinModule' in process) expect(compile).toHaveBeenCalledTimes(1);
      const { cv } = await loading;
      expect(compile).toHaveBeenCalledTimes(1);
      const m = new cv.Mat(2, 3, cv.CV_8UC1);
      expect([m.rows, m.cols]).toEqual([2, 3]);
      m.delete();
    } finally {
      compile.mockRestore();
    }
  });
});

