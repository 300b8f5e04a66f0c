/**
 * A Gaussian-splat scene on the host, structure of arrays, float32.
 * This is the exchange type between the engine, the formats (engine/io) and the app;
 * GPU-side buffers mirror it (engine/splat/gpu-scene.ts).
 *
 * Conventions (see engine/io/README.md):
 * - World frame: OpenCV/COLMAP-style right-handed world as given by the cameras.
 * - means:          [N, 3]  world position
 * - logScales:      [N, 3]  natural log of the per-axis standard deviation
 * - quats:          [N, 4]  rotation quaternion (w, x, y, z), not necessarily normalized
 * - opacityLogits:  [N]     opacity = sigmoid(logit)
 * - sh:             [N, K, 3] real SH coefficients, K = (shDegree+1)^2, coefficient-major
 *                   per Gaussian: sh[(i*K + k)*3 + c]. k = 0 is the DC term; colour =
 *                   0.5 + C0 * sh0 + ... (the INRIA 3DGS convention, C0 = 0.28209479).
 */
export interface GaussianScene {
  count: number;
  shDegree: number;
  means: Float32Array;
  logScales: Float32Array;
  quats: Float32Array;
  opacityLogits: Float32Array;
  sh: Float32Array;
}

export const SH_C0 = 0.28209479177387814;

export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}

export function createScene(count: number, shDegree: number): GaussianScene {
  if (!Number.isInteger(count) || count < 0) throw new Error(`scene count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(shDegree) || shDegree < 0 || shDegree > 3) throw new Error(`SH degree must be 0..3, got ${shDegree}`);
  const K = shCoeffCount(shDegree);
  const quats = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) quats[i * 4] = 1;
  return {
    count,
    shDegree,
    means: new Float32Array(count * 3),
    logScales: new Float32Array(count * 3),
    quats,
    opacityLogits: new Float32Array(count),
    sh: new Float32Array(count * K * 3),
  };
}

/** RGB in [0,1] -> DC SH coefficient. */
export function rgbToShDc(rgb: number): number {
  return (rgb - 0.5) / SH_C0;
}

export function shDcToRgb(dc: number): number {
  return dc * SH_C0 + 0.5;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
}

/** A copy with SH truncated or zero-extended to `degree`. */
export function withShDegree(scene: GaussianScene, degree: number): GaussianScene {
  const out = createScene(scene.count, degree);
  out.means.set(scene.means);
  out.logScales.set(scene.logScales);
  out.quats.set(scene.quats);
  out.opacityLogits.set(scene.opacityLogits);
  const Kin = shCoeffCount(scene.shDegree);
  const Kout = shCoeffCount(degree);
  const K = Math.min(Kin, Kout);
  for (let i = 0; i < scene.count; i++) {
    out.sh.set(scene.sh.subarray(i * Kin * 3, (i * Kin + K) * 3), i * Kout * 3);
  }
  return out;
}
