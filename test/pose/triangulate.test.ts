import { describe, expect, it } from 'vitest';
import { depthIn, triangulateChecked, triangulateDlt, triangulateMidpoint, twoViewDepths } from '../../engine/pose/triangulate.js';
import { expectAllClose } from '../util/close.js';
import { addNoise, normalize, syntheticScene } from './synthetic.js';

describe('triangulation', () => {
  const scene = syntheticScene({ nCams: 3, nPoints: 50, arcDeg: 30, seed: 2 });
  const visible = [...Array(50).keys()].filter((i) => scene.pixels.every((p) => Number.isFinite(p[2 * i])));

  it('DLT recovers exact points from exact observations (2 and 3 views)', () => {
    const norm = scene.cameras.map((c, k) => normalize(c, scene.pixels[k]));
    for (const i of visible) {
      const X = [scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]];
      const obs = norm.map((n) => [n[2 * i], n[2 * i + 1]]);
      // float64 SVD of a well-conditioned 4-column system: ~1e-12 relative.
      expectAllClose(`X${i} 3 views`, triangulateDlt(scene.cameras, obs)!, X, 1e-9, 0);
      expectAllClose(`X${i} 2 views`, triangulateDlt(scene.cameras.slice(0, 2), obs.slice(0, 2))!, X, 1e-9, 0);
      expectAllClose(`X${i} midpoint`, triangulateMidpoint(scene.cameras[0], obs[0], scene.cameras[2], obs[2])!, X, 1e-9, 0);
    }
  });

  it('with 0.5 px noise DLT and midpoint agree and the checks accept', () => {
    const norm = scene.cameras.map((c, k) => normalize(c, addNoise(scene.pixels[k].slice(), 0.5, 10 + k)));
    let accepted = 0;
    for (const i of visible) {
      const obs = norm.map((n) => [n[2 * i], n[2 * i + 1]]);
      const a = triangulateDlt(scene.cameras, obs)!;
      const X = [scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]];
      // 0.5 px at f=500, depth ~6, 30° baseline: a few hundredths of a unit.
      expectAllClose(`noisy X${i}`, a, X, 0.08, 0);
      if (triangulateChecked(scene.cameras, obs, [500, 500, 500], { minAngleDeg: 2, maxErrorPx: 2 })) accepted++;
    }
    expect(accepted).toBe(visible.length);
  });

  it('rejects a point behind a camera and a near-zero-angle pair', () => {
    const cams = scene.cameras.slice(0, 2);
    // Observations consistent only with a point behind both cameras: mirror a visible one.
    const i = visible[0];
    const X = [scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]];
    const obs = cams.map((c) => {
      const p = [0, 1, 2].map((r) => c.R[3 * r] * X[0] + c.R[3 * r + 1] * X[1] + c.R[3 * r + 2] * X[2] + c.t[r]);
      return [p[0] / p[2], p[1] / p[2]];
    });
    expect(triangulateChecked(cams, obs, [500, 500], { minAngleDeg: 2, maxErrorPx: 2 })).not.toBeNull();
    expect(triangulateChecked(cams, obs, [500, 500], { minAngleDeg: 60, maxErrorPx: 2 })).toBeNull();
    const flipped = cams.map((c) => ({ R: c.R.map((v) => -v), t: c.t.map((v) => -v) }));
    expect(triangulateChecked(flipped, obs, [500, 500], { minAngleDeg: 2, maxErrorPx: 2 })).toBeNull();
  });
});

describe('two-view depths', () => {
  it('match the depths of the true point in both cameras', () => {
    const s = syntheticScene({ nCams: 2, nPoints: 30, arcDeg: 20, seed: 4 });
    const [a, b] = s.cameras;
    // Relative pose of b w.r.t. a, and observations normalized.
    const R = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => b.R[i * 3] * a.R[j * 3] + b.R[i * 3 + 1] * a.R[j * 3 + 1] + b.R[i * 3 + 2] * a.R[j * 3 + 2]));
    const Rta = [0, 1, 2].map((i) => R[i * 3] * a.t[0] + R[i * 3 + 1] * a.t[1] + R[i * 3 + 2] * a.t[2]);
    const t = [b.t[0] - Rta[0], b.t[1] - Rta[1], b.t[2] - Rta[2]];
    const na = normalize(a, s.pixels[0]);
    const nb = normalize(b, s.pixels[1]);
    for (let i = 0; i < 30; i++) {
      if (!Number.isFinite(na[2 * i]) || !Number.isFinite(nb[2 * i])) continue;
      const X = [s.points[3 * i], s.points[3 * i + 1], s.points[3 * i + 2]];
      const d = twoViewDepths(R, t, [na[2 * i], na[2 * i + 1]], [nb[2 * i], nb[2 * i + 1]])!;
      expectAllClose(`depths ${i}`, d, [depthIn(a, X), depthIn(b, X)], 1e-9, 1e-9);
    }
  });
});
