/**
 * The whole pose stage on real photos: fern's 3-view sparse split (AKAZE + brute
 * force), with a duplicate and a photo of another scene mixed in, then the export
 * read back by the dataset loaders (COLMAP text and transforms.json).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readColmapModel } from '../../engine/io/dataset/colmap-read.js';
import { quatToRotation } from '../../engine/io/dataset/colmap-model.js';
import { loadTransformsFrames } from '../../engine/io/dataset/transforms.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses, PoseInputError, type PoseEstimate } from '../../engine/pose/estimate-poses.js';
import { writePoseOutputs } from '../../engine/pose/export.js';
import { loadDataset } from '../../engine/io/dataset/load.js';
import { rotationAngleDeg } from '../../engine/pose/linalg.js';
import { createOrbBackend } from '../../engine/pose/orb.js';
import { cameraFromOpenGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';
import { hasSharedData } from '../util/shared-data.js';

const FERN = resolve('../shared/data/fern');
const files = ['images/001.png', 'images/010.png', 'images/019.png'].map((f) => join(FERN, f));
// Bad-input cases only need some real photo: the bundled sample.
const SAMPLE_PHOTO = resolve('assets/sample/photos/fern_001.jpg');
const lego = resolve('../shared/data/lego/images/train_000.png');
const meta = hasSharedData ? JSON.parse(readFileSync(join(FERN, 'transforms.json'), 'utf8')) : { frames: [] };
const reference = (name: string): Camera => {
  const fr = meta.frames.find((f: { file_path: string }) => f.file_path === name);
  return cameraFromOpenGlCameraToWorld(fr.transform_matrix, { width: meta.w, height: meta.h, fx: meta.fl_x, fy: meta.fl_y, cx: meta.cx, cy: meta.cy });
};

describe.skipIf(!hasSharedData)('estimatePoses on fern (3 views) with a duplicate and an unrelated photo', () => {
  let est: PoseEstimate;
  const events: SparrowEvent[] = [];
  let out: string;
  const paths = [...files, files[0], lego];
  beforeAll(async () => {
    const photos = paths.map((p, i) => ({ name: i === 3 ? 'copy-of-001.png' : p.split('/').slice(-2).join('/'), bytes: new Uint8Array(readFileSync(p)) }));
    est = await estimatePoses(photos, { backend: createOrbBackend({ detector: 'akaze' }), onEvent: (e) => events.push(e) });
    out = mkdtempSync(join(tmpdir(), 'sparrow-poses-'));
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('registers the three fern views with sub-degree rotation error', () => {
    const reg = est.views.slice(0, 3);
    expect(reg.every((v) => v.registered)).toBe(true);
    const err = poseErrors(reg.map((v) => v.camera!), ['images/001.png', 'images/010.png', 'images/019.png'].map(reference));
    // Measured ~0.4° mean (COLMAP on the same photos: ~0.5°); 1° is the target.
    expect(err.pairwiseRotationMeanDeg).toBeLessThan(1);
    expect(err.ateFraction).toBeLessThan(0.1);
    for (const v of reg) {
      expect(v.rmsErrorPx).toBeLessThan(1.5);
      expect(['initial-pair', 'pnp']).toContain(v.method);
      expect(v.confidence).toBe('high');
    }
    // The focal length started from the 60° default (436 px) and is refined towards 407.6.
    expect(Math.abs(reg[0].camera!.fx / meta.fl_x - 1)).toBeLessThan(0.05);
  });

  it('reports the duplicate and the unrelated photo by name with a reason', () => {
    expect(est.views[3].registered).toBe(false);
    expect(est.views[3].reason).toMatch(/duplicate of images\/001\.png/);
    expect(est.views[4].registered).toBe(false);
    expect(est.views[4].reason).toMatch(/no verified matches/);
    expect(est.views[4].confidence).toBe('none');
    const warned = events.filter((e) => e.type === 'warning').map((e) => (e as { file?: string }).file);
    expect(warned).toContain('copy-of-001.png');
    expect(warned).toContain('train_000.png'.replace(/^/, 'images/'));
  });

  it('gives points with colours and track lengths >= 2, and progress events', () => {
    const P = est.points.length / 3;
    expect(P).toBeGreaterThan(100);
    expect(est.colors.length).toBe(3 * P);
    expect(est.trackLengths.every((l) => l >= 2)).toBe(true);
    expect(events.some((e) => e.type === 'step' && e.stage === 'matching')).toBe(true);
    expect(events.some((e) => e.type === 'stage' && e.stage === 'poses' && e.status === 'done')).toBe(true);
  });

  it('exports a COLMAP model and transforms.json that read back to the same cameras', async () => {
    writePoseOutputs(est, out, paths);
    const model = readColmapModel(join(out, 'sparse', '0'));
    expect(model.images.length).toBe(3);
    for (const im of model.images) {
      const v = est.views[im.id - 1];
      expect(im.name).toBe(v.name);
      expect(rotationAngleDeg(quatToRotation(im.q), v.camera!.R)).toBeLessThan(1e-4); // acos near 1 resolves ~1e-6°
      expect(Math.hypot(im.t[0] - v.camera!.t[0], im.t[1] - v.camera!.t[1], im.t[2] - v.camera!.t[2])).toBeLessThan(1e-9);
      // Every observed 3D point exists and its track names this image.
      const ids = Array.from(im.points2D.point3DIds).filter((p) => p >= 0n);
      expect(ids.length).toBe(v.observations);
    }
    expect(model.points.length).toBe(est.points.length / 3);
    const tf = await loadTransformsFrames(join(out, 'transforms.json'));
    expect(tf.frames.length).toBe(3);
    tf.frames.forEach((fr, k) => {
      const v = est.views[k];
      expect(rotationAngleDeg(fr.camera.R, v.camera!.R)).toBeLessThan(1e-4); // acos near 1 resolves ~1e-6°
      expect(fr.camera.fx).toBeCloseTo(v.camera!.fx, 6);
    });
    const json = JSON.parse(readFileSync(join(out, 'transforms.json'), 'utf8'));
    expect(json.sparrow_unregistered.map((u: { file: string }) => u.file)).toEqual(['copy-of-001.png', 'images/train_000.png']);
    // Opened as a dataset (sparrow depth/train), every registered photo trains: none held out.
    const ds = await loadDataset(out);
    expect(ds.split.train).toEqual([0, 1, 2]);
    expect(ds.split.test).toEqual([]);
    // ... and its initial points are the SfM points (sparse_pc.ply, named by ply_file_path).
    expect(json.ply_file_path).toBe('sparse_pc.ply');
    expect(ds.points!.count).toBe(est.points.length / 3);
    for (let i = 0; i < est.points.length; i++) expect(ds.points!.xyz[i]).toBe(Math.fround(est.points[i]));
    for (let i = 0; i < est.colors.length; i++) expect(Math.round(ds.points!.rgb[i] * 255)).toBe(est.colors[i]);
  });
});

describe('estimatePoses bad input', () => {
  it('rejects fewer than 2 photos and all-identical photos', async () => {
    const one = [{ name: 'a.png', bytes: new Uint8Array(readFileSync(SAMPLE_PHOTO)) }];
    await expect(estimatePoses(one, { backend: createOrbBackend() })).rejects.toThrow(PoseInputError);
    await expect(estimatePoses([...one, { ...one[0], name: 'b.png' }], { backend: createOrbBackend() })).rejects.toThrow(/2 distinct photos/);
  });

  it('names the file that cannot be decoded', async () => {
    const photos = [{ name: 'good.png', bytes: new Uint8Array(readFileSync(SAMPLE_PHOTO)) }, { name: 'broken.jpg', bytes: new Uint8Array([1, 2, 3, 4]) }];
    await expect(estimatePoses(photos, { backend: createOrbBackend() })).rejects.toThrow(/broken\.jpg/);
  });
});
