/**
 * Binocular stereo consistency (Binocular3DGS, Han et al., NeurIPS 2024): a self-supervised
 * term that needs no depth model. For a training view, a virtual camera is shifted along the
 * view's x axis by a random baseline; its render is warped back into the training view through
 * the training view's rendered depth and compared with the training photo (L1). A wrong depth
 * warps the wrong pixels, so the term corrects geometry from the photo itself; the gradient
 * reaches the shifted render (its splats' colours and positions) and the training view's depth.
 * GPU kernel: shaders/train/binocular_warp.wgsl; reference: reference/binocular-ref.ts.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, createUniform, readF32, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';
import { cameraCenter, type Camera } from '../../splat/camera.js';

/**
 * The camera moved by `baseline` (world units) along its own x axis: same rotation and
 * intrinsics, centre C + baseline * (camera x axis). x_cam' = x_cam - (baseline, 0, 0).
 */
export function shiftedCamera(cam: Camera, baseline: number): Camera {
  return { ...cam, R: [...cam.R], t: [cam.t[0] - baseline, cam.t[1], cam.t[2]] };
}

/** Mean distance from each camera to its nearest other camera (the scale of the baselines). */
export function neighbourSpacing(cams: Camera[]): number {
  if (cams.length < 2) return 0;
  const c = cams.map(cameraCenter);
  let sum = 0;
  for (let i = 0; i < c.length; i++) {
    let best = Infinity;
    for (let j = 0; j < c.length; j++) {
      if (j !== i) best = Math.min(best, Math.hypot(c[i][0] - c[j][0], c[i][1] - c[j][1], c[i][2] - c[j][2]));
    }
    sum += best;
  }
  return sum / c.length;
}

export interface BinocularParams {
  /** fx (pixels) * baseline (world units), signed. */
  fxb: number;
  weight: number;
  /** Pixels whose rendered alpha is below this carry no depth and are skipped. */
  minAlpha: number;
}

export class BinocularConsistency {
  private readonly uniforms: GPUBuffer;
  private readonly rowLoss: GPUBuffer;

  constructor(private readonly gpu: Gpu, readonly width: number, readonly height: number) {
    this.uniforms = createUniform(gpu, new Uint8Array(32), 'binocular/uniforms');
    this.rowLoss = createStorage(gpu, height * 4, 'binocular/row-loss');
  }

  /**
   * Records the loss: writes vShifted [H, W, 3] (the cotangent of the shifted render), adds into
   * vDepth and vAlpha [H, W] (cotangents of the training view's depth and alpha outputs).
   */
  encode(
    encoder: GPUCommandEncoder,
    buffers: { shifted: GPUBuffer; target: GPUBuffer; depth: GPUBuffer; alpha: GPUBuffer; vShifted: GPUBuffer; vDepth: GPUBuffer; vAlpha: GPUBuffer },
    prm: BinocularParams,
  ): void {
    const { width: W, height: H } = this;
    const u = new ArrayBuffer(32);
    new Uint32Array(u, 0, 2).set([W, H]);
    new Float32Array(u, 8, 3).set([prm.fxb, prm.weight / (3 * W * H), prm.minAlpha]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const k = kernel(this.gpu, { shader: 'train/binocular_warp' });
    const pass = encoder.beginComputePass({ label: 'binocular' });
    const b = buffers;
    k.dispatch1d(pass, [k.bind([b.shifted, b.target, b.depth, b.alpha, b.vShifted, b.vDepth, b.vAlpha, this.rowLoss, this.uniforms])], H, 64);
    pass.end();
  }

  /** The loss of the last encode (reads back; for tests and logging). */
  async readLoss(): Promise<number> {
    return (await readF32(this.gpu, this.rowLoss, this.height)).reduce((s, v) => s + v, 0);
  }

  dispose(): void {
    this.uniforms.destroy();
    this.rowLoss.destroy();
  }
}
