/**
 * Float64 reference of the projection pass (shaders/splat/project_forward.wgsl) and its
 * backward (project_backward_geometry.wgsl + project_backward_appearance.wgsl).
 * Plain loops over Gaussians, the same cut-offs as the GPU (engine/splat/constants.ts).
 *
 * Per Gaussian: p = R m + t (camera space, OpenCV axes); Sigma3 = (Rq S)(Rq S)^T;
 * Sigma2 = J R Sigma3 R^T J^T + LOW_PASS * I with the EWA Jacobian J at p (x/z, y/z clamped
 * to the widened frustum, as gsplat); conic = Sigma2^-1; extent = ceil(3 sqrt(diag Sigma2));
 * colour = max(SH(dir) + 0.5, 0) with dir = normalize(m - cameraCentre).
 *
 * Camera-pose gradient: for the left perturbation [R|t] <- exp([omega]x)[R|t] + (0, tau),
 * i.e. p <- p + omega x p + tau (the camera centre moves by -R^T tau, not with omega),
 * vPose = dL/d(omega, tau) at 0.
 */
import type { Camera } from '../camera.js';
import { cameraCenter } from '../camera.js';
import { FRUSTUM_MARGIN, LOW_PASS, NEAR_PLANE, SIGMA_EXTENT, TILE_SIZE, tileGrid } from '../constants.js';
import { cross3, mul3, mulVec3, quatToMat3, quatToMat3Backward, transpose3, type M3 } from './mat3.js';
import { shBasisGradRef, shBasisRef } from './sh-ref.js';

/** Gaussian parameters as plain number arrays (float32 or float64), layouts as GaussianScene. */
export interface SceneArrays {
  count: number;
  shDegree: number;
  means: ArrayLike<number>; // [N, 3]
  logScales: ArrayLike<number>; // [N, 3]
  quats: ArrayLike<number>; // [N, 4] wxyz, any norm
  opacityLogits: ArrayLike<number>; // [N]
  sh: ArrayLike<number>; // [N, K, 3]
}

export interface Projected2D {
  count: number;
  visible: Uint8Array; // [N] 1 if the splat touches at least one tile
  xy: Float64Array; // [N, 2] pixel coordinates of the mean (pixel i's centre is at i + 0.5)
  conic: Float64Array; // [N, 3] (a, b, c) of the inverse 2-D covariance [[a, b], [b, c]]
  opacity: Float64Array; // [N] sigmoid(logit)
  depth: Float64Array; // [N] camera-space z
  color: Float64Array; // [N, 3]
  radii: Int32Array; // [N, 2] extent in pixels along x and y (0 when culled)
  tileRect: Int32Array; // [N, 4] tiles [x0, y0, x1, y1) touched
}

/** Gradients with respect to the projected quantities (what the rasterizer backward produces). */
export interface Projected2DGrads {
  vXy: Float64Array; // [N, 2]
  vConic: Float64Array; // [N, 3]
  vOpacity: Float64Array; // [N] d/d opacity (not the logit)
  vDepth: Float64Array; // [N]
  vColor: Float64Array; // [N, 3]
}

export interface SceneGradsRef {
  vMeans: Float64Array; // [N, 3]
  vLogScales: Float64Array; // [N, 3]
  vQuats: Float64Array; // [N, 4]
  vOpacityLogits: Float64Array; // [N]
  vSh: Float64Array; // [N, K, 3]
  /** dL/d(omega, tau), [6] */
  vPose: Float64Array;
}

/** Everything one visible Gaussian's projection computed, kept for the backward. */
interface ProjectionTrace {
  p: number[];
  q: number[]; // unit quaternion
  qNorm: number;
  s: number[]; // exp(logScales)
  Rq: M3;
  M: M3; // Rq * diag(s)
  Sigma3: M3;
  SigmaCam: M3;
  J: number[]; // [2][3] row-major
  clampX: boolean;
  clampY: boolean;
  tx: number;
  ty: number;
  A: number;
  B: number;
  C: number;
  det: number;
  dir: number[]; // unit view direction
  dirLen: number;
  colorRaw: number[]; // SH(dir) + 0.5 before the clamp
  Y: number[];
}

export function isFiniteAll(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

function traceOne(scene: SceneArrays, i: number, cam: Camera, shDegree: number): ProjectionTrace | null {
  const { R, t, fx, fy, cx, cy, width, height } = cam;
  const m = [scene.means[i * 3], scene.means[i * 3 + 1], scene.means[i * 3 + 2]];
  const p = mulVec3(R, m).map((v, k) => v + t[k]);
  if (!isFiniteAll(p) || !(p[2] >= NEAR_PLANE)) return null;
  const qr = [scene.quats[i * 4], scene.quats[i * 4 + 1], scene.quats[i * 4 + 2], scene.quats[i * 4 + 3]];
  const qNorm = Math.hypot(qr[0], qr[1], qr[2], qr[3]);
  if (!(qNorm > 0) || !Number.isFinite(qNorm)) return null;
  const q = qr.map((v) => v / qNorm);
  const s = [0, 1, 2].map((k) => Math.exp(scene.logScales[i * 3 + k]));
  const Rq = quatToMat3(q[0], q[1], q[2], q[3]);
  const M = Rq.map((v, k) => v * s[k % 3]);
  const Sigma3 = mul3(M, transpose3(M));
  const SigmaCam = mul3(mul3(R, Sigma3), transpose3(R));
  const [x, y, z] = p;
  const limXPos = (width - cx) / fx + FRUSTUM_MARGIN * (0.5 * width / fx);
  const limXNeg = cx / fx + FRUSTUM_MARGIN * (0.5 * width / fx);
  const limYPos = (height - cy) / fy + FRUSTUM_MARGIN * (0.5 * height / fy);
  const limYNeg = cy / fy + FRUSTUM_MARGIN * (0.5 * height / fy);
  const ux = x / z, uy = y / z;
  const clampX = ux > limXPos || ux < -limXNeg;
  const clampY = uy > limYPos || uy < -limYNeg;
  const tx = z * Math.min(limXPos, Math.max(-limXNeg, ux));
  const ty = z * Math.min(limYPos, Math.max(-limYNeg, uy));
  const J = [fx / z, 0, (-fx * tx) / (z * z), 0, fy / z, (-fy * ty) / (z * z)];
  // Sigma2 = J SigmaCam J^T
  const JS = [0, 1].map((r) => [0, 1, 2].map((c) => J[r * 3] * SigmaCam[c] + J[r * 3 + 1] * SigmaCam[3 + c] + J[r * 3 + 2] * SigmaCam[6 + c]));
  const A = JS[0][0] * J[0] + JS[0][1] * J[1] + JS[0][2] * J[2] + LOW_PASS;
  const B = JS[0][0] * J[3] + JS[0][1] * J[4] + JS[0][2] * J[5];
  const C = JS[1][0] * J[3] + JS[1][1] * J[4] + JS[1][2] * J[5] + LOW_PASS;
  const det = A * C - B * B;
  if (!(det > 0) || !Number.isFinite(det)) return null;
  const centre = cameraCenter(cam);
  const d = [m[0] - centre[0], m[1] - centre[1], m[2] - centre[2]];
  const dirLen = Math.hypot(d[0], d[1], d[2]);
  const dir = dirLen > 0 ? d.map((v) => v / dirLen) : [0, 0, 1];
  const Y = shBasisRef(shDegree, dir[0], dir[1], dir[2]);
  const K = (scene.shDegree + 1) ** 2;
  const colorRaw = [0.5, 0.5, 0.5];
  for (let k = 0; k < Y.length; k++) for (let c = 0; c < 3; c++) colorRaw[c] += Y[k] * scene.sh[(i * K + k) * 3 + c];
  if (!isFiniteAll(colorRaw) || !Number.isFinite(scene.opacityLogits[i])) return null;
  return { p, q, qNorm, s, Rq, M, Sigma3, SigmaCam, J, clampX, clampY, tx, ty, A, B, C, det, dir, dirLen, colorRaw, Y };
}

export function projectRef(scene: SceneArrays, cam: Camera, shDegree = scene.shDegree): Projected2D {
  const N = scene.count;
  const out: Projected2D = {
    count: N,
    visible: new Uint8Array(N),
    xy: new Float64Array(N * 2),
    conic: new Float64Array(N * 3),
    opacity: new Float64Array(N),
    depth: new Float64Array(N),
    color: new Float64Array(N * 3),
    radii: new Int32Array(N * 2),
    tileRect: new Int32Array(N * 4),
  };
  const { tilesX, tilesY } = tileGrid(cam.width, cam.height);
  for (let i = 0; i < N; i++) {
    const tr = traceOne(scene, i, cam, Math.min(shDegree, scene.shDegree));
    if (!tr) continue;
    const u = (cam.fx * tr.p[0]) / tr.p[2] + cam.cx;
    const v = (cam.fy * tr.p[1]) / tr.p[2] + cam.cy;
    const rx = Math.ceil(SIGMA_EXTENT * Math.sqrt(tr.A));
    const ry = Math.ceil(SIGMA_EXTENT * Math.sqrt(tr.C));
    const x0 = clampInt(Math.floor((u - rx) / TILE_SIZE), 0, tilesX);
    const x1 = clampInt(Math.ceil((u + rx) / TILE_SIZE), 0, tilesX);
    const y0 = clampInt(Math.floor((v - ry) / TILE_SIZE), 0, tilesY);
    const y1 = clampInt(Math.ceil((v + ry) / TILE_SIZE), 0, tilesY);
    if (!(x1 > x0 && y1 > y0)) continue;
    out.visible[i] = 1;
    out.xy.set([u, v], i * 2);
    out.conic.set([tr.C / tr.det, -tr.B / tr.det, tr.A / tr.det], i * 3);
    out.opacity[i] = 1 / (1 + Math.exp(-scene.opacityLogits[i]));
    out.depth[i] = tr.p[2];
    out.color.set(tr.colorRaw.map((c) => Math.max(c, 0)), i * 3);
    out.radii.set([rx, ry], i * 2);
    out.tileRect.set([x0, y0, x1, y1], i * 4);
  }
  return out;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Number.isFinite(v) ? Math.min(Math.max(v, lo), hi) : v > 0 ? hi : lo;
}

/** Chain the 2-D gradients back to the Gaussian parameters and the camera pose. */
export function projectBackwardRef(
  scene: SceneArrays,
  cam: Camera,
  proj: Projected2D,
  g: Projected2DGrads,
  shDegree = scene.shDegree,
): SceneGradsRef {
  const N = scene.count;
  const K = (scene.shDegree + 1) ** 2;
  const deg = Math.min(shDegree, scene.shDegree);
  const out: SceneGradsRef = {
    vMeans: new Float64Array(N * 3),
    vLogScales: new Float64Array(N * 3),
    vQuats: new Float64Array(N * 4),
    vOpacityLogits: new Float64Array(N),
    vSh: new Float64Array(N * K * 3),
    vPose: new Float64Array(6),
  };
  const { R, fx, fy } = cam;
  const Rt = transpose3(R);
  for (let i = 0; i < N; i++) {
    if (!proj.visible[i]) continue;
    const tr = traceOne(scene, i, cam, deg)!;
    const [x, y, z] = tr.p;
    // --- opacity
    const o = proj.opacity[i];
    out.vOpacityLogits[i] = g.vOpacity[i] * o * (1 - o);
    // --- colour -> SH coefficients and view direction
    const vDir = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const vc = tr.colorRaw[c] > 0 ? g.vColor[i * 3 + c] : 0;
      if (vc === 0) continue;
      for (let k = 0; k < tr.Y.length; k++) out.vSh[(i * K + k) * 3 + c] = tr.Y[k] * vc;
      const dY = shBasisGradRef(deg, tr.dir[0], tr.dir[1], tr.dir[2]);
      for (let k = 0; k < dY.length; k++) {
        const coef = scene.sh[(i * K + k) * 3 + c] * vc;
        for (let a = 0; a < 3; a++) vDir[a] += dY[k][a] * coef;
      }
    }
    // dir = d / |d|, d = m - centre: vD = (I - dir dir^T) vDir / |d|; the centre gets -vD.
    const dotDir = tr.dir[0] * vDir[0] + tr.dir[1] * vDir[1] + tr.dir[2] * vDir[2];
    const vD = vDir.map((v, a) => (tr.dirLen > 0 ? (v - tr.dir[a] * dotDir) / tr.dirLen : 0));
    for (let a = 0; a < 3; a++) out.vMeans[i * 3 + a] += vD[a];
    // centre = -R^T t; under the perturbation it moves by -R^T tau, so
    // dL/dtau = -R vCentre = R vD (vCentre = -vD).
    const RvD = mulVec3(R, vD);
    for (let a = 0; a < 3; a++) out.vPose[3 + a] += RvD[a];
    // --- conic -> Sigma2 (A, B, C)
    const { A, B, C, det } = tr;
    const d2 = det * det;
    const [va, vb, vc] = [g.vConic[i * 3], g.vConic[i * 3 + 1], g.vConic[i * 3 + 2]];
    const vA = va * (-C * C / d2) + vb * (B * C / d2) + vc * (-B * B / d2);
    const vB = va * (2 * B * C / d2) + vb * (-(A * C + B * B) / d2) + vc * (2 * A * B / d2);
    const vC = va * (-B * B / d2) + vb * (A * B / d2) + vc * (-A * A / d2);
    // Sigma2 = J Sc J^T: vSc = J^T G2 J, vJ = 2 G2 J Sc, G2 = [[vA, vB/2], [vB/2, vC]]
    const G2 = [vA, vB / 2, vB / 2, vC];
    const J = tr.J;
    const Sc = tr.SigmaCam;
    const vSc = new Array<number>(9).fill(0);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++)
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) vSc[r * 3 + c] += J[a * 3 + r] * G2[a * 2 + b] * J[b * 3 + c];
    const vJ = new Array<number>(6).fill(0);
    for (let a = 0; a < 2; a++)
      for (let c = 0; c < 3; c++)
        for (let b = 0; b < 2; b++) for (let k = 0; k < 3; k++) vJ[a * 3 + c] += 2 * G2[a * 2 + b] * J[b * 3 + k] * Sc[k * 3 + c];
    // --- p (camera space) from the mean, the Jacobian and the depth output
    const vp = [0, 0, 0];
    vp[0] += (fx / z) * g.vXy[i * 2];
    vp[2] += (-fx * x / (z * z)) * g.vXy[i * 2];
    vp[1] += (fy / z) * g.vXy[i * 2 + 1];
    vp[2] += (-fy * y / (z * z)) * g.vXy[i * 2 + 1];
    vp[2] += g.vDepth[i];
    vp[2] += (-fx / (z * z)) * vJ[0] + (-fy / (z * z)) * vJ[4];
    // J02 = -fx tx / z^2, tx = x (free) or z * limit (clamped)
    if (!tr.clampX) vp[0] += (-fx / (z * z)) * vJ[2];
    vp[2] += ((2 * fx * tr.tx) / (z * z * z) - (tr.clampX ? (fx * tr.tx) / (z * z * z) : 0)) * vJ[2];
    if (!tr.clampY) vp[1] += (-fy / (z * z)) * vJ[5];
    vp[2] += ((2 * fy * tr.ty) / (z * z * z) - (tr.clampY ? (fy * tr.ty) / (z * z * z) : 0)) * vJ[5];
    // p = R m + t
    const vm = mulVec3(Rt, vp);
    for (let a = 0; a < 3; a++) out.vMeans[i * 3 + a] += vm[a];
    const w = cross3(tr.p, vp);
    for (let a = 0; a < 3; a++) {
      out.vPose[a] += w[a];
      out.vPose[3 + a] += vp[a];
    }
    // Sc = R S3 R^T: vS3 = R^T vSc R; omega: <vSc, [w]x Sc - Sc [w]x> = <[w]x, vSc Sc - Sc vSc>
    const AM = mul3(vSc, Sc).map((v, k) => v - mul3(Sc, vSc)[k]);
    out.vPose[0] += AM[7] - AM[5];
    out.vPose[1] += AM[2] - AM[6];
    out.vPose[2] += AM[3] - AM[1];
    const vS3 = mul3(mul3(Rt, vSc), R);
    // S3 = M M^T: vM = (vS3 + vS3^T) M
    const vS3sym = vS3.map((v, k) => v + vS3[(k % 3) * 3 + Math.floor(k / 3)]);
    const vM = mul3(vS3sym, tr.M);
    // M = Rq diag(s)
    const vRq = vM.map((v, k) => v * tr.s[k % 3]);
    for (let c = 0; c < 3; c++) {
      let vs = 0;
      for (let r = 0; r < 3; r++) vs += vM[r * 3 + c] * tr.Rq[r * 3 + c];
      out.vLogScales[i * 3 + c] = vs * tr.s[c];
    }
    const vqUnit = quatToMat3Backward(tr.q[0], tr.q[1], tr.q[2], tr.q[3], vRq);
    const dq = tr.q[0] * vqUnit[0] + tr.q[1] * vqUnit[1] + tr.q[2] * vqUnit[2] + tr.q[3] * vqUnit[3];
    for (let a = 0; a < 4; a++) out.vQuats[i * 4 + a] = (vqUnit[a] - tr.q[a] * dq) / tr.qNorm;
  }
  return out;
}
