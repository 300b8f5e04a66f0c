/**
 * Float64 CPU reference of the control-point warp (SC-GS linear blend skinning) and its
 * backward. The GPU kernels (shaders/deform/warp_forward.wgsl, warp_backward.wgsl) are
 * tested against these; the backward here is tested against central finite differences.
 *
 * For Gaussian i with neighbours c_1..c_K (nbr[i]):
 *   d_k  = x - p_k,  e_k = -|d_k|² / (2 r_k²),  r_k = exp(logRadius_k)
 *   w    = softmax(e)                    (= normalized RBF weights; the max-shift makes a
 *                                          Gaussian far from all its neighbours still get
 *                                          finite weights instead of 0/0)
 *   q̂_k  = q_k / |q_k|,  R_k = R(q̂_k)
 *   x'   = Σ_k w_k (R_k d_k + p_k + t_k)
 *   q'   = normalize(Σ_k w_k q̂_k) ⊗ q    (quaternion blend; assumes the q̂_k of one Gaussian's
 *                                          neighbours lie in one hemisphere, true for the
 *                                          small relative rotations between neighbours)
 * Scales are not warped (rigid transforms keep them).
 */
import type { ControlPoints } from './control-points.js';
import { quatMul, quatMulVjp, quatNormalize, quatNormalizeVjp, quatToMat, quatToMatVjp } from './quat.js';

export interface WarpInputs {
  means: ArrayLike<number>; // [N, 3]
  quats: ArrayLike<number>; // [N, 4]
  nbr: ArrayLike<number>; // [N, K] control-point indices
  K: number;
  ctrl: ControlPoints<Float32Array | Float64Array>;
}

export interface WarpOutputs {
  means: Float64Array; // [N, 3]
  quats: Float64Array; // [N, 4]
}

export interface WarpGrads {
  vMeans: Float64Array; // [N, 3]
  vQuats: Float64Array; // [N, 4]
  vCtrlPositions: Float64Array; // [M, 3]
  vCtrlLogRadius: Float64Array; // [M]
  vCtrlQuats: Float64Array; // [M, 4]
  vCtrlTrans: Float64Array; // [M, 3]
}

/** Per-Gaussian intermediate values shared by forward and backward. */
export interface Local {
  c: number[];
  d: number[][];
  d2: number[];
  r2inv: number[];
  w: number[];
  qh: number[][];
  R: number[][];
  y: number[][];
  s: number[];
  n: number[];
}

function local(inp: WarpInputs, i: number): Local {
  const { means, nbr, K, ctrl } = inp;
  const L: Local = { c: [], d: [], d2: [], r2inv: [], w: [], qh: [], R: [], y: [], s: [0, 0, 0, 0], n: [] };
  const e: number[] = [];
  for (let k = 0; k < K; k++) {
    const c = nbr[i * K + k];
    const d = [0, 1, 2].map((a) => means[i * 3 + a] - ctrl.positions[c * 3 + a]);
    const d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const r2inv = Math.exp(-2 * ctrl.logRadius[c]);
    const qh = quatNormalize(ctrl.quats.subarray(c * 4, c * 4 + 4));
    const R = quatToMat(qh[0], qh[1], qh[2], qh[3], new Array<number>(9)) as number[];
    const y = [0, 1, 2].map((a) => R[a * 3] * d[0] + R[a * 3 + 1] * d[1] + R[a * 3 + 2] * d[2] + ctrl.positions[c * 3 + a] + ctrl.trans[c * 3 + a]);
    L.c.push(c); L.d.push(d); L.d2.push(d2); L.r2inv.push(r2inv); L.qh.push(qh); L.R.push(R); L.y.push(y);
    e.push(-0.5 * d2 * r2inv);
  }
  const emax = Math.max(...e);
  let sum = 0;
  for (let k = 0; k < K; k++) { L.w.push(Math.exp(e[k] - emax)); sum += L.w[k]; }
  for (let k = 0; k < K; k++) {
    L.w[k] /= sum;
    for (let a = 0; a < 4; a++) L.s[a] += L.w[k] * L.qh[k][a];
  }
  L.n = quatNormalize(L.s);
  return L;
}

/**
 * Forward warp. Pass `saved` (an empty array) to keep the per-Gaussian locals for a
 * following warpBackwardRef on the same inputs (halves the cost of a fit step).
 */
export function warpForwardRef(inp: WarpInputs, saved?: Local[]): WarpOutputs {
  const n = inp.means.length / 3;
  const out: WarpOutputs = { means: new Float64Array(n * 3), quats: new Float64Array(n * 4) };
  for (let i = 0; i < n; i++) {
    const L = local(inp, i);
    if (saved) saved[i] = L;
    for (let k = 0; k < inp.K; k++) for (let a = 0; a < 3; a++) out.means[i * 3 + a] += L.w[k] * L.y[k][a];
    const q = [0, 1, 2, 3].map((a) => inp.quats[i * 4 + a]);
    out.quats.set(quatMul(L.n, q), i * 4);
  }
  return out;
}

/** Backward of warpForwardRef given the cotangents vOutMeans [N, 3] and vOutQuats [N, 4] (and optionally its saved locals). */
export function warpBackwardRef(inp: WarpInputs, vOutMeans: ArrayLike<number>, vOutQuats: ArrayLike<number>, saved?: Local[]): WarpGrads {
  const n = inp.means.length / 3;
  const m = inp.ctrl.count;
  const g: WarpGrads = {
    vMeans: new Float64Array(n * 3),
    vQuats: new Float64Array(n * 4),
    vCtrlPositions: new Float64Array(m * 3),
    vCtrlLogRadius: new Float64Array(m),
    vCtrlQuats: new Float64Array(m * 4),
    vCtrlTrans: new Float64Array(m * 3),
  };
  for (let i = 0; i < n; i++) {
    const L = saved?.[i] ?? local(inp, i);
    const vX = [0, 1, 2].map((a) => vOutMeans[i * 3 + a]);
    const vQ = [0, 1, 2, 3].map((a) => vOutQuats[i * 4 + a]);
    const q = [0, 1, 2, 3].map((a) => inp.quats[i * 4 + a]);
    const [vn, vq] = quatMulVjp(L.n, q, vQ);
    g.vQuats.set(vq, i * 4);
    const vs = quatNormalizeVjp(L.s, vn);
    // dL/dw_k, then through the softmax to dL/de_k.
    const gw = L.y.map((y, k) => vX[0] * y[0] + vX[1] * y[1] + vX[2] * y[2] + vs[0] * L.qh[k][0] + vs[1] * L.qh[k][1] + vs[2] * L.qh[k][2] + vs[3] * L.qh[k][3]);
    let wgw = 0;
    for (let k = 0; k < inp.K; k++) wgw += L.w[k] * gw[k];
    for (let k = 0; k < inp.K; k++) {
      const c = L.c[k];
      const R = L.R[k];
      const d = L.d[k];
      const vy = vX.map((v) => v * L.w[k]);
      const Rtvy = [0, 1, 2].map((a) => R[a] * vy[0] + R[3 + a] * vy[1] + R[6 + a] * vy[2]);
      const ge = L.w[k] * (gw[k] - wgw);
      for (let a = 0; a < 3; a++) {
        g.vCtrlTrans[c * 3 + a] += vy[a];
        g.vMeans[i * 3 + a] += Rtvy[a] - ge * L.r2inv[k] * d[a];
        g.vCtrlPositions[c * 3 + a] += vy[a] - Rtvy[a] + ge * L.r2inv[k] * d[a];
      }
      g.vCtrlLogRadius[c] += ge * L.d2[k] * L.r2inv[k];
      const G = [0, 1, 2].flatMap((r) => [vy[r] * d[0], vy[r] * d[1], vy[r] * d[2]]);
      const vqh = quatToMatVjp(L.qh[k][0], L.qh[k][1], L.qh[k][2], L.qh[k][3], G);
      for (let a = 0; a < 4; a++) vqh[a] += L.w[k] * vs[a];
      const vqc = quatNormalizeVjp(inp.ctrl.quats.subarray(c * 4, c * 4 + 4), vqh);
      for (let a = 0; a < 4; a++) g.vCtrlQuats[c * 4 + a] += vqc[a];
    }
  }
  return g;
}

/** Normalized blend weights [N, K] of every Gaussian over its neighbours (the w of the warp). */
export function blendWeightsRef(means: ArrayLike<number>, nbr: ArrayLike<number>, K: number, ctrl: ControlPoints<Float32Array | Float64Array>): Float64Array {
  const n = means.length / 3;
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    let emax = -Infinity;
    for (let k = 0; k < K; k++) {
      const c = nbr[i * K + k];
      let d2 = 0;
      for (let a = 0; a < 3; a++) d2 += (means[i * 3 + a] - ctrl.positions[c * 3 + a]) ** 2;
      out[i * K + k] = -0.5 * d2 * Math.exp(-2 * ctrl.logRadius[c]);
      emax = Math.max(emax, out[i * K + k]);
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += (out[i * K + k] = Math.exp(out[i * K + k] - emax));
    for (let k = 0; k < K; k++) out[i * K + k] /= sum;
  }
  return out;
}
