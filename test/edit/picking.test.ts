import { describe, expect, it } from 'vitest';
import { lookAtCamera } from '../../engine/splat/camera.js';
import { pickPoint, pointDepth, projectPoint, screenDeltaToWorld } from '../../renderer/edit/picking.js';
import { expectAllClose } from '../util/close.js';

// Camera at (0, 0, -10) looking at the origin, y down: world x maps to +u, world y to +v.
const cam = lookAtCamera([0, 0, -10], [0, 0, 0], [0, -1, 0], { width: 200, height: 100, fx: 100, fy: 100 });

describe('edit-mode picking', () => {
  it('projects with the engine convention', () => {
    const p = projectPoint(cam, [1, 0.5, 0], 0);
    // u = fx x / z + cx = 100 * 1 / 10 + 100, v = 100 * 0.5 / 10 + 50.
    expect(p.u).toBeCloseTo(110, 9);
    expect(p.v).toBeCloseTo(55, 9);
    expect(p.depth).toBeCloseTo(10, 9);
  });

  it('picks the point under the cursor within the screen radius, the nearest one in depth first', () => {
    const points = [
      1, 0.5, 0, // 0: pixel (110, 55), depth 10
      2, 1, 10, // 1: pixel (110, 55) too, depth 20 (behind 0 on the same ray)
      -3, 0, 0, // 2: pixel (70, 50)
      0, 0, -20, // 3: behind the camera
    ];
    expect(pickPoint(cam, points, 111, 56, 4)).toBe(0);
    expect(pickPoint(cam, points, 72, 51, 4)).toBe(2);
    // Outside the radius: nothing (2 is 5 px away).
    expect(pickPoint(cam, points, 75, 50, 4)).toBe(-1);
    expect(pickPoint(cam, points, 75, 50, 6)).toBe(2);
    // The point behind the camera projects to the centre (u = cx at x = 0) but must not be picked.
    expect(pickPoint(cam, points, 100, 50, 3)).toBe(-1);
    // Without point 0 the one behind it on the ray is found.
    expect(pickPoint(cam, points.slice(3), 111, 56, 4)).toBe(0);
  });

  it('turns a pixel drag into a world move in the camera plane that follows the cursor', () => {
    const points = [1.5, -0.7, 3];
    const before = projectPoint(cam, points, 0);
    const depth = pointDepth(cam, points, 0);
    const d = screenDeltaToWorld(cam, depth, 17, -9);
    const moved = [0, 1, 2].map((a) => points[a] + d[a]);
    const after = projectPoint(cam, moved, 0);
    expectAllClose('pixel after drag', [after.u, after.v, after.depth], [before.u + 17, before.v - 9, before.depth], 1e-9, 0);
  });
});
