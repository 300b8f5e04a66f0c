/**
 * The display path's two draw paths (engine/splat/display/display-renderer.ts): 'instanced' (one
 * 4-vertex strip instance per splat, records as instance attributes) and 'indexed' (one indexed
 * triangle list, records read from a vertex-stage storage buffer). Which one a device gets is
 * decided by its vertex-stage storage limit; both must draw the same image.
 */
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../engine/gpu/buffers.js';
import { displayRenderRef, drawOrderRef, displayProjectRef } from '../../engine/splat/display/display-ref.js';
import { chooseDrawPath, DisplayRenderer, DRAW_ARGS_INDEXED } from '../../engine/splat/display/display-renderer.js';
import { GpuScene } from '../../engine/splat/gpu-scene.js';
import { expectAllClose } from '../util/close.js';
import { takeGpuErrors, testGpu } from '../util/gpu.js';
import { renderDisplay, vertexStorageTestGpu } from './display-helpers.js';
import { randomScene, testCamera } from './scenes.js';

const W = 64;
const H = 48;
const BG = [0.1, 0.25, 0.4];

const limits = (o: Record<string, number>) => ({ maxStorageBuffersPerShaderStage: 8, ...o }) as unknown as GPUSupportedLimits;

describe('display draw paths', () => {
  it('the vertex-stage storage limit chooses the path', async () => {
    expect(chooseDrawPath(limits({ maxStorageBuffersInVertexStage: 0 }), 'compatibility')).toBe('instanced');
    expect(chooseDrawPath(limits({ maxStorageBuffersInVertexStage: 0 }), 'core')).toBe('instanced');
    expect(chooseDrawPath(limits({ maxStorageBuffersInVertexStage: 8 }), 'compatibility')).toBe('indexed');
    // A browser that does not report the limit: core WebGPU allows vertex-stage storage.
    expect(chooseDrawPath(limits({}), 'core')).toBe('indexed');
    expect(chooseDrawPath(limits({}), 'compatibility')).toBe('instanced');
    // The real devices: acquireGpu's compat device does not ask for vertex storage; the second one does.
    expect(new DisplayRenderer(await testGpu()).drawPath).toBe('instanced');
    expect(new DisplayRenderer(await vertexStorageTestGpu()).drawPath).toBe('indexed');
  });

  it('indexed and instanced draw the same image, which matches the float64 reference', async () => {
    const scene = randomScene(91, { count: 400, shDegree: 1 });
    const cam = testCamera(W, H, 4);
    const images: Float32Array[] = [];
    for (const [gpu, drawPath] of [[await testGpu(), 'instanced'], [await vertexStorageTestGpu(), 'indexed']] as const) {
      const r = new DisplayRenderer(gpu, { drawPath });
      const gs = GpuScene.upload(gpu, scene);
      images.push(await renderDisplay(gpu, r, gs, cam, { background: BG, keyBits: 32 }));
      if (drawPath === 'indexed') {
        // The indexed arguments: 6 indices per visible splat, one instance.
        const visible = drawOrderRef(displayProjectRef(scene, cam, { background: BG, keyBits: 32 })).length;
        expect(visible).toBeGreaterThan(100);
        expect(Array.from(await readU32(gpu, r.drawArgs, 9)).slice(DRAW_ARGS_INDEXED)).toEqual([6 * visible, 1, 0, 0, 0]);
      }
      gs.dispose();
      r.dispose();
    }
    expect(await takeGpuErrors()).toEqual([]);
    // Same triangles, same order, same fragment shader; the records arrive as f16/f32 attributes
    // on one path and as the same bits unpacked from u32 on the other. Measured: identical.
    expectAllClose('indexed vs instanced', images[1], images[0], 1e-6, 0);
    // Both against the reference at the f16 colour tolerance of display-render.test.ts.
    expectAllClose('indexed vs reference', images[1], displayRenderRef(scene, cam, { background: BG, keyBits: 32 }), 2e-3, 2e-3);
    let moved = 0;
    for (let i = 0; i < images[1].length; i++) moved += Math.abs(images[1][i] - BG[i % 3]);
    expect(moved / images[1].length).toBeGreaterThan(0.05);
  });

  it('indexed: nothing visible draws nothing; a grown scene draws what a fresh renderer draws', async () => {
    const gpu = await vertexStorageTestGpu();
    const cam = testCamera(W, H, 3);
    const behind = randomScene(92, { count: 50, shDegree: 0, spread: 0.3 });
    for (let i = 0; i < behind.count; i++) behind.means[i * 3 + 2] -= 10; // testCamera sits at z = -4 looking at +z
    const r = new DisplayRenderer(gpu, { drawPath: 'indexed' });
    let gs = GpuScene.upload(gpu, behind);
    const empty = await renderDisplay(gpu, r, gs, cam, { background: BG, keyBits: 32 });
    expect(Array.from(await readU32(gpu, r.drawArgs, 9)).slice(DRAW_ARGS_INDEXED)).toEqual([0, 1, 0, 0, 0]);
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) expect(empty[p * 3 + c]).toBeCloseTo(BG[c], 6);
    gs.dispose();
    // Growing past the capacity rebuilds the index buffer too.
    gs = GpuScene.upload(gpu, randomScene(93, { count: 400, shDegree: 0 }));
    const grown = await renderDisplay(gpu, r, gs, cam, { background: BG, keyBits: 32 });
    const fresh = new DisplayRenderer(gpu, { drawPath: 'indexed' });
    expect(Array.from(grown)).toEqual(Array.from(await renderDisplay(gpu, fresh, gs, cam, { background: BG, keyBits: 32 })));
    expect(await takeGpuErrors()).toEqual([]);
    fresh.dispose();
    gs.dispose();
    r.dispose();
  });
});
