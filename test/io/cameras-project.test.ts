import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColmapText, writeTransformsJson, type PosedView } from '../../engine/io/cameras-out.js';
import { colmapFrameCamera } from '../../engine/io/dataset/colmap-model.js';
import { readColmapModel } from '../../engine/io/dataset/colmap-read.js';
import { loadTransformsFrames } from '../../engine/io/dataset/transforms.js';
import { encodePng } from '../../engine/io/image.js';
import { readProject, writeProject } from '../../engine/io/project.js';
import { readSceneFile, writeSceneFile } from '../../engine/io/scene-file.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { expectAllClose } from '../util/close.js';
import { randomScene } from './scenes.js';

let dir = '';
let views: PosedView[] = [];
let photos: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-cams-'));
  mkdirSync(join(dir, 'photos'));
  views = [0, 1, 2, 3].map((i) => ({
    name: `photos/view_${i}.png`,
    camera: lookAtCamera([3 * Math.cos(i), 0.5 * i - 1, 3 * Math.sin(i)], [0.1, 0.2, -0.3], [0, -1, 0], { width: 16, height: 12, fx: 20 + i, fy: 21 + i, cx: 8.25, cy: 5.75 }),
  }));
  photos = views.map((v) => join(dir, v.name));
  for (const p of photos) writeFileSync(p, encodePng({ width: 16, height: 12, data: new Uint8Array(16 * 12 * 4).fill(128) }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameCamera(name: string, got: Camera, ref: Camera, atol: number) {
  expect([got.width, got.height]).toEqual([ref.width, ref.height]);
  expectAllClose(`${name} intrinsics`, [got.fx, got.fy, got.cx, got.cy], [ref.fx, ref.fy, ref.cx, ref.cy], atol, 0);
  expectAllClose(`${name} R`, got.R, ref.R, atol, 0);
  expectAllClose(`${name} t`, got.t, ref.t, atol, 0);
}

describe('camera export', () => {
  it('COLMAP text model reads back (through the dataset reader) to the same cameras', () => {
    const out = join(dir, 'sparse');
    writeColmapText(out, views, { xyz: [0, 1, 2, -1, 0.5, 3], rgb: [1, 0, 0, 0.5, 0.5, 0.5] });
    const model = readColmapModel(out);
    expect(model.images.map((im) => im.name)).toEqual(views.map((v) => v.name));
    expect(model.points.map((p) => p.rgb)).toEqual([[255, 0, 0], [128, 128, 128]]);
    model.images.forEach((im, i) => {
      const { camera, distortion } = colmapFrameCamera(im, model.cameras.get(im.cameraId)!);
      expect(distortion).toBeUndefined();
      // Quaternion <-> rotation in float64 and full-precision text: round-off only.
      expectSameCamera(`view ${i}`, camera, views[i].camera, 1e-12);
    });
  });

  it('transforms.json (OpenGL c2w) reads back (through the dataset reader) to the same cameras', async () => {
    const file = join(dir, 'transforms.json');
    writeTransformsJson(file, views, photos);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.frames[0].file_path).toBe('photos/view_0.png');
    // GL camera looks along -z: the third column of c2w is minus our viewing direction (third row of R).
    const c2w = json.frames[0].transform_matrix;
    expectAllClose('view dir', [-c2w[0][2], -c2w[1][2], -c2w[2][2]], views[0].camera.R.slice(6, 9), 1e-12, 0);
    const loaded = await loadTransformsFrames(file);
    loaded.frames.forEach((f, i) => expectSameCamera(`frame ${i}`, f.camera, views[i].camera, 1e-12));
  });
});

describe('project file', () => {
  it('reopens: photos, cameras, settings and the scene it points to', async () => {
    const scenePath = join(dir, 'out', 'scene.spz');
    const scene = randomScene(50, 1, 8);
    await writeSceneFile(scenePath, scene);
    const file = join(dir, 'my.sparrow.json');
    writeProject(file, {
      photos: photos.map((p, i) => ({ path: p, ...(i < 3 ? { camera: views[i].camera } : {}) })),
      settings: { iterations: 7000, shDegree: 1, name: 'garden' },
      scene: { path: scenePath, format: 'spz' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '',
    });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"path": "photos/view_0.png"'); // stored relative
    expect(text).toContain('"path": "out/scene.spz"');
    const back = readProject(file);
    expect(back.photos.map((p) => p.path)).toEqual(photos);
    expect(back.photos[3].camera).toBeUndefined();
    for (let i = 0; i < 3; i++) expectSameCamera(`photo ${i}`, back.photos[i].camera!, views[i].camera, 0);
    expect(back.settings).toEqual({ iterations: 7000, shDegree: 1, name: 'garden' });
    expect(back.scene).toEqual({ path: scenePath, format: 'spz' });
    const reopened = await readSceneFile(back.scene!.path);
    expect(reopened.count).toBe(50);
  });

  it('rejects other files and versions with a message naming the file', () => {
    const file = join(dir, 'bad.sparrow.json');
    writeFileSync(file, JSON.stringify({ format: 'sparrow-project', version: 2, photos: [], settings: {} }));
    expect(() => readProject(file)).toThrow(`${file}: unknown project version 2`);
    writeFileSync(file, JSON.stringify({ format: 'sparrow-project', version: 1, photos: [{ path: 'a.jpg', camera: { width: 1 } }], settings: {} }));
    expect(() => readProject(file)).toThrow(/photos\[0\]: camera.height must be a finite number/);
    writeFileSync(file, '{"format": "something-else"}');
    expect(() => readProject(file)).toThrow(/not a Sparrow project/);
  });
});
