/**
 * The float64 reference backward against central finite differences of the reference forward,
 * for L = <cotangent, (color, alpha, depth)> with a random cotangent. Every mean, log-scale,
 * quaternion and opacity logit of a small scene is checked, all 16 degree-3 SH coefficients of
 * two splats (and the DC term of every splat), plus the 6-DoF camera pose.
 *
 * Smoothness: the forward has cut-offs (alpha < 1/255 skipped, integer pixel extents, tile
 * rectangles, transmittance stop). The scene keeps every splat well inside the image and the
 * step (1e-6) is so small that crossing one of them at this seed is vanishingly unlikely; if a
 * crossing happened the test would fail loudly at that one parameter rather than pass wrongly.
 */
import { describe, expect, it } from 'vitest';
import type { Camera } from '../../engine/splat/camera.js';
import { renderBackwardRef, renderRef } from '../../engine/splat/reference/render-ref.js';
import { projectRef, type SceneArrays } from '../../engine/splat/reference/project-ref.js';
import { expectAllClose } from '../util/close.js';
import { randomArray, randomScene, testCamera } from './scenes.js';

const W = 40;
const H = 30;
const BG = [0.2, 0.4, 0.7];

function toF64(s: SceneArrays): SceneArrays & { [k: string]: unknown } {
  return {
    count: s.count,
    shDegree: s.shDegree,
    means: Float64Array.from(s.means),
    logScales: Float64Array.from(s.logScales),
    quats: Float64Array.from(s.quats),
    opacityLogits: Float64Array.from(s.opacityLogits),
    sh: Float64Array.from(s.sh),
  };
}

/** exp([w]x) R, exp([w]x) t + tau (Rodrigues). */
export function perturbPose(cam: Camera, xi: number[]): Camera {
  const [wx, wy, wz] = xi;
  const th = Math.hypot(wx, wy, wz);
  const K = [0, -wz, wy, wz, 0, -wx, -wy, wx, 0];
  const K2 = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) K2[i * 3 + j] += K[i * 3 + k] * K[k * 3 + j];
  const a = th > 1e-12 ? Math.sin(th) / th : 1;
  const b = th > 1e-12 ? (1 - Math.cos(th)) / (th * th) : 0.5;
  const E = [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => v + a * K[i] + b * K2[i]);
  const R = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) R[i * 3 + j] += E[i * 3 + k] * cam.R[k * 3 + j];
  const t = [0, 1, 2].map((i) => E[i * 3] * cam.t[0] + E[i * 3 + 1] * cam.t[1] + E[i * 3 + 2] * cam.t[2] + xi[3 + i]);
  return { ...cam, R, t };
}

function setup(seed: number, offscreen = false) {
  const scene = toF64(
    randomScene(seed, { count: 7, shDegree: 3, spread: 0.55, logScale: [-2.0, 0.25], opacity: [0.35, 0.85], shScale: 0.25 }),
  );
  if (offscreen) {
    // Splat 0: centre right of the image, past the widened frustum (x/z > (W - cx)/fx + 0.15 W/fx),
    // so the EWA Jacobian uses the clamped x; wide enough that its footprint still reaches the image.
    (scene.means as Float64Array).set([3.3, 0.1, 0.2], 0);
    (scene.logScales as Float64Array).set([-0.6, -0.9, -0.8], 0);
  }
  const cam = testCamera(W, H, seed);
  const n = W * H;
  const cot = { vColor: randomArray(seed + 1, n * 3), vAlpha: randomArray(seed + 2, n), vDepth: randomArray(seed + 3, n, 0.3) };
  return { scene, cam, cot };
}

function loss(scene: SceneArrays, cam: Camera, cot: { vColor: Float64Array; vAlpha?: Float64Array; vDepth?: Float64Array }): number {
  const out = renderRef(scene, cam, { background: BG });
  let L = 0;
  for (let i = 0; i < out.color.length; i++) L += out.color[i] * cot.vColor[i];
  if (cot.vAlpha) for (let i = 0; i < out.alpha.length; i++) L += out.alpha[i] * cot.vAlpha[i];
  if (cot.vDepth) for (let i = 0; i < out.depth.length; i++) L += out.depth[i] * cot.vDepth[i];
  return L;
}

const H_STEP = 1e-6;
const GROUPS = ['means', 'logScales', 'quats', 'opacityLogits', 'sh'] as const;
const GRAD_NAME = { means: 'vMeans', logScales: 'vLogScales', quats: 'vQuats', opacityLogits: 'vOpacityLogits', sh: 'vSh' } as const;

function checkAll(seed: number, which: { alpha: boolean; depth: boolean; color: boolean }, offscreen = false) {
  const { scene, cam, cot: full } = setup(seed, offscreen);
  if (offscreen) {
    const p = [0, 1, 2].map((r) => cam.R[r * 3] * scene.means[0] + cam.R[r * 3 + 1] * scene.means[1] + cam.R[r * 3 + 2] * scene.means[2] + cam.t[r]);
    const limX = (cam.width - cam.cx) / cam.fx + 0.3 * (0.5 * cam.width) / cam.fx;
    expect(p[0] / p[2]).toBeGreaterThan(limX);
    expect(projectRef(scene, cam).visible[0]).toBe(1);
  }
  const cot = {
    vColor: which.color ? full.vColor : new Float64Array(full.vColor.length),
    vAlpha: which.alpha ? full.vAlpha : undefined,
    vDepth: which.depth ? full.vDepth : undefined,
  };
  const grads = renderBackwardRef(scene, cam, { background: BG }, cot);
  // Non-trivial: the splats are visible and the loss depends on them.
  let visible = 0;
  for (let i = 0; i < scene.count; i++) if (grads.vOpacityLogits[i] !== 0) visible++;
  expect(visible).toBeGreaterThanOrEqual(5);
  const K = (scene.shDegree + 1) ** 2;
  for (const group of GROUPS) {
    const arr = scene[group] as Float64Array;
    // Every parameter, except SH: all 16 coefficients (x3 channels) of two splats plus the DC
    // term of every splat, which covers every basis function at a fraction of the cost.
    const checked = [...arr.keys()].filter((idx) => group !== 'sh' || Math.floor(idx / (K * 3)) < 2 || Math.floor(idx / 3) % K === 0);
    const fd: number[] = [];
    for (const i of checked) {
      const v = arr[i];
      arr[i] = v + H_STEP;
      const lp = loss(scene, cam, cot);
      arr[i] = v - H_STEP;
      const lm = loss(scene, cam, cot);
      arr[i] = v;
      fd.push((lp - lm) / (2 * H_STEP));
    }
    // Central differences in float64 at h = 1e-6: truncation ~h^2 * |f'''| and cancellation
    // ~1e-16 * |L| / h ~ 1e-8 for |L| ~ 100; gradients are O(1..1e3).
    const analytic = grads[GRAD_NAME[group]];
    expectAllClose(`${group} (seed ${seed})`, checked.map((i) => analytic[i]), fd, 2e-6, 1e-5);
  }
  const fdPose = new Float64Array(6);
  for (let k = 0; k < 6; k++) {
    const xi = [0, 0, 0, 0, 0, 0];
    xi[k] = H_STEP;
    const lp = loss(scene, perturbPose(cam, xi), cot);
    xi[k] = -H_STEP;
    const lm = loss(scene, perturbPose(cam, xi), cot);
    fdPose[k] = (lp - lm) / (2 * H_STEP);
  }
  expectAllClose(`pose (seed ${seed})`, grads.vPose, fdPose, 2e-6, 1e-5);
}

describe('reference rasterizer gradients vs finite differences', () => {
  it('colour + alpha + depth cotangents, SH degree 3, pose', () => checkAll(11, { color: true, alpha: true, depth: true }));
  it('colour cotangent only', () => checkAll(12, { color: true, alpha: false, depth: false }));
  it('alpha cotangent only', () => checkAll(13, { color: false, alpha: true, depth: false }));
  it('depth cotangent only', () => checkAll(14, { color: false, alpha: false, depth: true }));
  it('splat centre outside the frustum (clamped projection Jacobian)', () => checkAll(15, { color: true, alpha: true, depth: true }, true));
});
