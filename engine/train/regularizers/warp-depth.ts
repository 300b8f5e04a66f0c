/**
 * Forward-warp of a depth map into another camera (z-buffered), on the GPU, with its
 * float64 reference. Used to carry a training view's depth prior into pseudo views.
 */
import type { Gpu } from '../../gpu/acquire.js';
import { createStorage, createUniform, uploadStorage, writeBuffer } from '../../gpu/buffers.js';
import { kernel } from '../../gpu/kernel.js';
import type { Camera } from '../../splat/camera.js';

/** target-from-source rigid transform rows [R | t] (3 x 4). */
export function relativePose(src: Camera, dst: Camera): number[][] {
  const Rs = src.R, Rd = dst.R;
  // x_dst = Rd (Rs^T (x_src - ts)) + td = (Rd Rs^T) x_src + (td - Rd Rs^T ts)
  const M: number[][] = [0, 1, 2].map((r) => [0, 1, 2].map((c) => Rd[r * 3] * Rs[c * 3] + Rd[r * 3 + 1] * Rs[c * 3 + 1] + Rd[r * 3 + 2] * Rs[c * 3 + 2]));
  const t = [0, 1, 2].map((r) => dst.t[r] - (M[r][0] * src.t[0] + M[r][1] * src.t[1] + M[r][2] * src.t[2]));
  return M.map((row, r) => [...row, t[r]]);
}

export function warpDepthRef(srcDepth: ArrayLike<number>, src: Camera, dst: Camera): Float64Array {
  const out = new Float64Array(dst.width * dst.height).fill(Infinity);
  const T = relativePose(src, dst);
  for (let y = 0; y < src.height; y++)
    for (let x = 0; x < src.width; x++) {
      const z = srcDepth[y * src.width + x];
      if (!Number.isFinite(z) || z <= 0) continue;
      const p = [((x + 0.5 - src.cx) / src.fx) * z, ((y + 0.5 - src.cy) / src.fy) * z, z];
      const q = T.map((r) => r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + r[3]);
      if (q[2] <= 1e-6) continue;
      const px = (dst.fx * q[0]) / q[2] + dst.cx;
      const py = (dst.fy * q[1]) / q[2] + dst.cy;
      if (px < 0 || py < 0 || px >= dst.width || py >= dst.height) continue;
      const i = Math.floor(py) * dst.width + Math.floor(px);
      out[i] = Math.min(out[i], q[2]);
    }
  return out.map((v) => (v === Infinity ? 0 : v));
}

export class DepthWarper {
  private readonly uniforms: GPUBuffer;

  constructor(private readonly gpu: Gpu) {
    this.uniforms = createUniform(gpu, new Uint8Array(112), 'warp-depth/uniforms');
  }

  /** Records the warp of `srcDepth` (src camera) into `outDepth` [dst.height, dst.width]. */
  encode(encoder: GPUCommandEncoder, srcDepth: GPUBuffer, src: Camera, dst: Camera, outDepth: GPUBuffer): void {
    const n = dst.width * dst.height;
    const zbuf = createStorage(this.gpu, n * 4, 'warp-depth/zbuf');
    const T = relativePose(src, dst);
    const u = new ArrayBuffer(112);
    new Uint32Array(u, 0, 4).set([src.width, src.height, dst.width, dst.height]);
    new Float32Array(u, 16, 24).set([src.fx, src.fy, src.cx, src.cy, dst.fx, dst.fy, dst.cx, dst.cy, ...T.flat()]);
    writeBuffer(this.gpu, this.uniforms, new Uint8Array(u));
    const count = uploadStorage(this.gpu, new Uint32Array([n]));
    const fill = uploadStorage(this.gpu, new Uint32Array(n).fill(0xffffffff));
    encoder.copyBufferToBuffer(fill, 0, zbuf, 0, n * 4);
    const warp = kernel(this.gpu, { shader: 'train/warp_depth' });
    const resolve = kernel(this.gpu, { shader: 'train/warp_depth_resolve' });
    const pass = encoder.beginComputePass({ label: 'warp-depth' });
    warp.dispatch(pass, [warp.bind([srcDepth, zbuf, this.uniforms])], Math.ceil(src.width / 16), Math.ceil(src.height / 16));
    resolve.dispatch1d(pass, [resolve.bind([zbuf, outDepth, count])], n, 128);
    pass.end();
    // The temporaries are released once the queue has used them.
    void this.gpu.device.queue.onSubmittedWorkDone().then(() => {
      zbuf.destroy();
      fill.destroy();
      count.destroy();
    });
  }

  dispose(): void {
    this.uniforms.destroy();
  }
}
