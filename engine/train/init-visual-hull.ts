/**
 * Initial points for masked captures (photos with an alpha channel, e.g. synthetic
 * object scenes) that come without sparse points: space carving. A candidate is cast
 * through a random opaque pixel of a random view at a random depth, and kept only if
 * every other view that sees it also sees an opaque pixel there (and at least half the
 * views see it). Points therefore start
 * inside the visual hull instead of floating between the cameras and the object, where
 * they would occlude it from other views (what made lego diverge from frustum points).
 */
import type { Dataset } from '../io/dataset/types.js';
import { FrameImages } from '../io/dataset/images.js';
import { cameraCenter } from '../splat/camera.js';
import type { Rng } from '../math/random.js';

const OPAQUE = 0.5;

export async function visualHullPoints(
  dataset: Dataset,
  count: number,
  rng: Rng,
  opts: { maxViews?: number; triesPerPoint?: number; masks?: FrameImages } = {},
): Promise<{ xyz: Float32Array; rgb: Float32Array; tried: number }> {
  const train = dataset.split.train;
  const step = Math.max(1, Math.ceil(train.length / (opts.maxViews ?? 24)));
  const views = train.filter((_, i) => i % step === 0);
  const masks = opts.masks ?? new FrameImages(dataset.frames, { alpha: 'mask' });
  const imgs = await Promise.all(views.map((v) => masks.get(v)));
  const cams = views.map((v) => dataset.frames[v].camera);
  // Opaque pixels of each view, to cast from.
  const opaque = imgs.map((img) => {
    const list: number[] = [];
    if (img.alpha) for (let p = 0; p < img.alpha.length; p++) if (img.alpha[p] >= OPAQUE) list.push(p);
    return list;
  });
  const [near, far] = dataset.depthRange ?? [0.2 * dataset.extent, 2 * dataset.extent];
  const xyz: number[] = [];
  const rgb: number[] = [];
  const maxTries = count * (opts.triesPerPoint ?? 200);
  let tried = 0;
  const sources = views.map((_, k) => k).filter((k) => opaque[k].length > 0);
  if (sources.length === 0) return { xyz: new Float32Array(0), rgb: new Float32Array(0), tried };
  while (xyz.length < count * 3 && tried < maxTries) {
    tried++;
    const k = sources[Math.floor(rng.next() * sources.length)];
    const cam = cams[k];
    const p = opaque[k][Math.floor(rng.next() * opaque[k].length)];
    const px = (p % cam.width) + rng.next();
    const py = Math.floor(p / cam.width) + rng.next();
    const z = near + (far - near) * rng.next();
    const pc = [((px - cam.cx) / cam.fx) * z, ((py - cam.cy) / cam.fy) * z, z];
    const C = cameraCenter(cam);
    const R = cam.R;
    const w = [0, 1, 2].map((a) => R[a] * pc[0] + R[3 + a] * pc[1] + R[6 + a] * pc[2] + C[a]);
    let inside = true;
    let seen = 1;
    for (let j = 0; j < views.length && inside; j++) {
      if (j === k) continue;
      const c = cams[j];
      const x = c.R[0] * w[0] + c.R[1] * w[1] + c.R[2] * w[2] + c.t[0];
      const y = c.R[3] * w[0] + c.R[4] * w[1] + c.R[5] * w[2] + c.t[1];
      const zz = c.R[6] * w[0] + c.R[7] * w[1] + c.R[8] * w[2] + c.t[2];
      if (zz <= 0) continue;
      const u = Math.floor((c.fx * x) / zz + c.cx);
      const v = Math.floor((c.fy * y) / zz + c.cy);
      if (u < 0 || v < 0 || u >= c.width || v >= c.height) continue; // not seen by this view: no evidence
      seen++;
      const a = imgs[j].alpha;
      if (a && a[v * c.width + u] < OPAQUE) inside = false;
    }
    // Points right in front of one camera leave the other frusta and would pass unchallenged:
    // require the evidence of at least half the views.
    if (!inside || seen < Math.max(2, Math.ceil(views.length / 2))) continue;
    xyz.push(...w);
    // Mask-mode colours are premultiplied: divide by alpha to recover the surface colour.
    const a = imgs[k].alpha![p];
    for (let ch = 0; ch < 3; ch++) rgb.push(Math.min(1, imgs[k].rgb[p * 3 + ch] / Math.max(a, 1e-3)));
  }
  return { xyz: Float32Array.from(xyz), rgb: Float32Array.from(rgb), tried };
}
