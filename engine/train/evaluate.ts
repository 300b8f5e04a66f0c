/**
 * Held-out evaluation: render each test view, compare with its photo (PSNR, SSIM in
 * float64 on the host), optionally write "render | ground truth" PNGs. Returns the
 * per-view figures and their means, ready to be written as JSON.
 */
import { join } from 'node:path';
import { readF32 } from '../gpu/buffers.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { encodePng, rgbFloatToImage } from '../io/image.js';
import { throwIfCancelled, type EventSink } from '../pipeline/events.js';
import { imageMetrics, type ImageMetrics } from './metrics.js';
import type { Trainer } from './trainer.js';

export interface ViewMetrics extends ImageMetrics {
  frame: number;
  name: string;
  /** Side-by-side PNG written for this view, when asked for. */
  image?: string;
}

export interface EvalReport {
  step: number;
  gaussians: number;
  views: ViewMetrics[];
  psnr: number;
  ssim: number;
}

export async function evaluate(trainer: Trainer, views: number[], opts: { imagesDir?: string; onEvent?: EventSink; signal?: AbortSignal } = {}): Promise<EvalReport> {
  const out: ViewMetrics[] = [];
  for (let k = 0; k < views.length; k++) {
    throwIfCancelled(opts.signal);
    const index = views[k];
    const frame = trainer.dataset.frames[index];
    const { width, height } = frame.camera;
    const result = await trainer.render(index);
    const rendered = await readF32(trainer.gpu, result.color, width * height * 3);
    const truth = (await trainer.images.get(index)).rgb;
    const m = imageMetrics(rendered, truth, width, height);
    const v: ViewMetrics = { frame: index, name: frame.name, psnr: m.psnr, ssim: m.ssim };
    if (opts.imagesDir) {
      v.image = join(opts.imagesDir, `${String(k).padStart(3, '0')}_${frame.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(png|jpe?g)$/i, '')}.png`);
      writeFileAtomic(v.image, encodePng(sideBySide(rendered, truth, width, height)));
    }
    out.push(v);
    opts.onEvent?.({ type: 'step', stage: 'eval', step: k + 1, total: views.length, metrics: { psnr: m.psnr, ssim: m.ssim } });
  }
  const mean = (f: (v: ViewMetrics) => number) => (out.length ? out.reduce((s, v) => s + f(v), 0) / out.length : Number.NaN);
  return { step: trainer.stepCount, gaussians: trainer.gaussians, views: out, psnr: mean((v) => v.psnr), ssim: mean((v) => v.ssim) };
}

/** [H, W*2] image: render on the left, ground truth on the right. */
function sideBySide(a: ArrayLike<number>, b: ArrayLike<number>, w: number, h: number) {
  const rgb = new Float32Array(w * 2 * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        rgb[(y * 2 * w + x) * 3 + c] = a[(y * w + x) * 3 + c];
        rgb[(y * 2 * w + w + x) * 3 + c] = b[(y * w + x) * 3 + c];
      }
    }
  }
  return rgbFloatToImage(w * 2, h, rgb);
}
