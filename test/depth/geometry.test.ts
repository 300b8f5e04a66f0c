/** Plane-sweep geometry: warps agree with projection, neighbour choice, depth ranges. */
import { describe, expect, it } from 'vitest';
import { chooseNeighbours, depthRangeFromCameras, depthRangeFromPoints, inverseDepthPlanes, relativePose, sweepWarp } from '../../engine/depth/geometry.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { rng } from '../util/close.js';

function project(c: Camera, X: number[]): [number, number, number] {
  const x = c.R[0] * X[0] + c.R[1] * X[1] + c.R[2] * X[2] + c.t[0];
  const y = c.R[3] * X[0] + c.R[4] * X[1] + c.R[5] * X[2] + c.t[1];
  const z = c.R[6] * X[0] + c.R[7] * X[1] + c.R[8] * X[2] + c.t[2];
  return [(c.fx * x) / z + c.cx, (c.fy * y) / z + c.cy, z];
}

describe('depth geometry', () => {
  const intr = { width: 80, height: 60, fx: 70, fy: 72, cx: 41, cy: 29 };
  const a = lookAtCamera([0.3, -0.2, -4], [0, 0, 0], [0, -1, 0], intr);
  const b = lookAtCamera([-0.8, 0.4, -3.5], [0.1, 0, 0.2], [0, -1, 0], intr);

  it('the plane warp maps a pixel at inverse depth rho to where its 3-D point projects', () => {
    const rand = rng(1);
    const w = sweepWarp(a, b);
    for (let k = 0; k < 20; k++) {
      const X = [rand() - 0.5, rand() - 0.5, rand() - 0.5];
      const [u, v, z] = project(a, X);
      const rho = 1 / z;
      const h = [0, 1, 2].map((r) => w[r * 3] * u + w[r * 3 + 1] * v + w[r * 3 + 2] + rho * w[9 + r]);
      const [ub, vb] = project(b, X);
      expect(h[0] / h[2]).toBeCloseTo(ub, 9);
      expect(h[1] / h[2]).toBeCloseTo(vb, 9);
    }
  });

  it('relative pose composes: from a to b and back is the identity', () => {
    const ab = relativePose(a, b);
    const ba = relativePose(b, a);
    const p = [0.3, -1.2, 2.5];
    const q = [0, 1, 2].map((r) => ab.R[r * 3] * p[0] + ab.R[r * 3 + 1] * p[1] + ab.R[r * 3 + 2] * p[2] + ab.t[r]);
    const back = [0, 1, 2].map((r) => ba.R[r * 3] * q[0] + ba.R[r * 3 + 1] * q[1] + ba.R[r * 3 + 2] * q[2] + ba.t[r]);
    back.forEach((v, i) => expect(v).toBeCloseTo(p[i], 10));
  });

  it('planes are uniform in inverse depth from far to near', () => {
    const planes = inverseDepthPlanes({ near: 2, far: 10 }, 5);
    expect(Array.from(planes)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5].map((x) => expect.closeTo(x, 12)));
    expect(() => inverseDepthPlanes({ near: 3, far: 2 }, 5)).toThrow(/0 < near < far/);
  });

  it('neighbours: closest viewing directions first, no zero-baseline or back-facing views', () => {
    const ring = Array.from({ length: 8 }, (_, i) => {
      const t = (i / 8) * 2 * Math.PI;
      return lookAtCamera([4 * Math.cos(t), 0, 4 * Math.sin(t)], [0, 0, 0], [0, -1, 0], intr);
    });
    ring.push({ ...ring[0] }); // a duplicate of view 0: no baseline
    expect(chooseNeighbours(ring, 0, 2).sort()).toEqual([1, 7]);
    const all = chooseNeighbours(ring, 0, 10);
    expect(all).not.toContain(8);
    expect(all).not.toContain(4); // opposite side, facing the other way
  });

  it('depth range from a ring of cameras brackets the centre; from points, their depths', () => {
    const ring = Array.from({ length: 6 }, (_, i) => {
      const t = (i / 6) * 2 * Math.PI;
      return lookAtCamera([4 * Math.cos(t), 1, 4 * Math.sin(t)], [0, 0, 0], [0, -1, 0], intr);
    });
    const r = depthRangeFromCameras(ring);
    const d = Math.hypot(4, 1);
    expect(r.near).toBeCloseTo(0.4 * d, 6);
    expect(r.far).toBeCloseTo(2.5 * d, 6);
    const pts: number[] = [];
    for (let k = 0; k < 100; k++) pts.push(0, 0, -1 + (2 * k) / 99); // z-depth 3..5 from a camera at z=-4
    const c = lookAtCamera([0, 0, -4], [0, 0, 0], [0, -1, 0], intr);
    const pr = depthRangeFromPoints(c, pts)!;
    expect(pr.near).toBeGreaterThan(3 / 1.2 - 0.05);
    expect(pr.near).toBeLessThan(3.1 / 1.2);
    expect(pr.far).toBeGreaterThan(4.9 * 1.2);
    expect(depthRangeFromPoints(c, [0, 0, 0])).toBeUndefined();
  });
});
