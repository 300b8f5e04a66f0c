/**
 * PlayCanvas SOG, version 2 ("spatially ordered Gaussians"): a `.sog` zip holding
 * meta.json and lossless WebP images, one pixel per splat (row-major, index i at
 * pixel i), images at least `count` pixels:
 *   means_l / means_u  RGB = low / high byte of a 16-bit unorm of sign(x)*ln(|x|+1) per
 *                      axis within meta.means.mins..maxs
 *   quats              RGB = the three smaller components of the unit quaternion (w,x,y,z)
 *                      with the largest made positive, byte = (v*sqrt2/2 + 0.5)*255;
 *                      A = 252 + index of the largest component
 *   scales             RGB = indices into meta.scales.codebook (log scales)
 *   sh0                RGB = indices into meta.sh0.codebook (SH DC), A = sigmoid(opacity)*255
 *   shN_labels         RG = 16-bit palette index (optional, SH degree > 0)
 *   shN_centroids      width 64*C (C = coefficients per channel), palette entry p at row p/64,
 *                      columns (p%64)*C + j: RGB = indices into meta.shN.codebook of
 *                      coefficient j of red, green, blue
 * No frame conversion (SOG keeps the PLY's axes). The writer fits 256-entry codebooks
 * by 1-D k-means; the SH palette has one entry per splat up to 65536 splats and is a
 * product-quantized palette (palette.ts) above.
 */
import { unzipSync, zipSync } from 'fflate';
import { createScene, logit, shCoeffCount, sigmoid, type GaussianScene } from '../splat/scene.js';
import { fitCodebook, labelValues } from './codebook.js';
import { productPalette } from './palette.js';
import { FormatError, MAX_SPLATS, ensure, ensureFinite } from './format-error.js';
import { decodeWebp, encodeWebpLossless, webpSize } from './webp.js';

/** The SH palette index is 16 bits: up to this many splats each get their own entry. */
const MAX_PALETTE = 65536;
const DEFLATE_MAX_RATIO = 1032;

interface SogMeta {
  version: number;
  count: number;
  means: { mins: number[]; maxs: number[]; files: string[] };
  scales: { codebook: number[]; files: string[] };
  quats: { files: string[] };
  sh0: { codebook: number[]; files: string[] };
  shN?: { count: number; bands: number; codebook: number[]; files: string[] };
}

const logTransform = (x: number) => Math.sign(x) * Math.log(Math.abs(x) + 1);
const invLogTransform = (v: number) => (v < 0 ? -(Math.exp(-v) - 1) : Math.exp(v) - 1);
const padCodebook = (c: Float64Array) => Array.from({ length: 256 }, (_, i) => c[Math.min(i, c.length - 1)]);

export async function encodeSog(scene: GaussianScene): Promise<Uint8Array> {
  const n = scene.count;
  const K = shCoeffCount(scene.shDegree);
  const width = Math.max(4, Math.ceil(Math.sqrt(n) / 4) * 4);
  const height = Math.max(1, Math.ceil(n / width));
  const image = () => new Uint8Array(width * height * 4).fill(255);
  const files: Record<string, Uint8Array> = {};
  const put = async (name: string, rgba: Uint8Array, w = width, h = height) => {
    files[name] = await encodeWebpLossless(rgba, w, h);
  };

  // Means: 16-bit unorm of the log-transformed coordinate.
  const mins = [Infinity, Infinity, Infinity];
  const maxs = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) {
    const l = logTransform(scene.means[i * 3 + a]);
    mins[a] = Math.min(mins[a], l);
    maxs[a] = Math.max(maxs[a], l);
  }
  if (n === 0) mins.fill(0), maxs.fill(0);
  const lo = image(), hi = image(), quats = image(), scales = image(), sh0 = image();
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const r = maxs[a] - mins[a];
      const q = r > 0 ? Math.round(((logTransform(scene.means[i * 3 + a]) - mins[a]) / r) * 65535) : 0;
      lo[i * 4 + a] = q & 0xff;
      hi[i * 4 + a] = q >> 8;
    }
    const q = Array.from(scene.quats.subarray(i * 4, i * 4 + 4));
    const len = Math.hypot(...q);
    const u = len > 0 ? q.map((v) => v / len) : [1, 0, 0, 0];
    let m = 0;
    for (let k = 1; k < 4; k++) if (Math.abs(u[k]) > Math.abs(u[m])) m = k;
    const sign = u[m] < 0 ? -1 : 1;
    let c = 0;
    for (let k = 0; k < 4; k++) if (k !== m) quats[i * 4 + c++] = Math.round((sign * u[k] * Math.SQRT1_2 + 0.5) * 255);
    quats[i * 4 + 3] = 252 + m;
    sh0[i * 4 + 3] = Math.round(sigmoid(scene.opacityLogits[i]) * 255);
  }
  const scaleBook = fitCodebook(scene.logScales);
  const scaleLabels = labelValues(scene.logScales, scaleBook);
  const dc = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) dc[i * 3 + c] = scene.sh[i * K * 3 + c];
  const dcBook = fitCodebook(dc);
  const dcLabels = labelValues(dc, dcBook);
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) {
    scales[i * 4 + a] = scaleLabels[i * 3 + a];
    sh0[i * 4 + a] = dcLabels[i * 3 + a];
  }
  await put('means_l.webp', lo);
  await put('means_u.webp', hi);
  await put('quats.webp', quats);
  await put('scales.webp', scales);
  await put('sh0.webp', sh0);
  const meta: SogMeta & { asset: { generator: string } } = {
    version: 2,
    asset: { generator: 'Sparrow' },
    count: n,
    means: { mins, maxs, files: ['means_l.webp', 'means_u.webp'] },
    scales: { codebook: padCodebook(scaleBook), files: ['scales.webp'] },
    quats: { files: ['quats.webp'] },
    sh0: { codebook: padCodebook(dcBook), files: ['sh0.webp'] },
  };
  if (scene.shDegree > 0) {
    const C = K - 1;
    const rest = new Float32Array(n * C * 3); // [N, C, 3]
    for (let i = 0; i < n; i++) rest.set(scene.sh.subarray((i * K + 1) * 3, (i * K + K) * 3), i * C * 3);
    // Up to 65536 splats every splat is its own palette entry; above, a product-quantized palette.
    const { labels: paletteOf, palette, count } = n <= MAX_PALETTE
      ? { labels: Uint32Array.from({ length: n }, (_, i) => i), palette: rest, count: n }
      : productPalette(rest, n, C);
    const book = fitCodebook(palette);
    const labels = labelValues(palette, book);
    const cw = 64 * C, ch = Math.max(1, Math.ceil(count / 64));
    const centroids = new Uint8Array(cw * ch * 4).fill(255);
    for (let p = 0; p < count; p++) {
      const row = Math.floor(p / 64), col = (p % 64) * C;
      for (let j = 0; j < C; j++) for (let c = 0; c < 3; c++) centroids[(row * cw + col + j) * 4 + c] = labels[(p * C + j) * 3 + c];
    }
    const paletteLabels = image();
    for (let i = 0; i < n; i++) {
      paletteLabels[i * 4] = paletteOf[i] & 0xff;
      paletteLabels[i * 4 + 1] = paletteOf[i] >> 8;
      paletteLabels[i * 4 + 2] = 0;
    }
    await put('shN_centroids.webp', centroids, cw, ch);
    await put('shN_labels.webp', paletteLabels);
    meta.shN = { count, bands: scene.shDegree, codebook: padCodebook(book), files: ['shN_centroids.webp', 'shN_labels.webp'] };
  }
  files['meta.json'] = new TextEncoder().encode(JSON.stringify(meta));
  return zipSync(files, { level: 0 });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkMeta(m: SogMeta, file: string): void {
  ensure(typeof m === 'object' && m !== null, file, 'SOG meta.json is not an object');
  ensure(m.version === 2, file, `unknown SOG version ${String(m.version)} (this reader knows version 2)`);
  ensure(Number.isInteger(m.count) && m.count >= 0 && m.count <= MAX_SPLATS, file, `SOG count ${String(m.count)} is not a valid splat count`);
  const files = (o: { files?: unknown } | undefined, k: number, what: string) =>
    ensure(Array.isArray(o?.files) && o!.files.length === k && o!.files.every((f) => typeof f === 'string'), file, `SOG ${what}.files must list ${k} file name(s)`);
  const book = (c: unknown, what: string) =>
    ensure(Array.isArray(c) && c.length >= 1 && c.length <= 256 && c.every(isNum), file, `SOG ${what}.codebook must be 1-256 finite numbers`);
  files(m.means, 2, 'means');
  ensure([m.means.mins, m.means.maxs].every((v) => Array.isArray(v) && v.length === 3 && v.every(isNum)), file, 'SOG means.mins/maxs must be 3 finite numbers each');
  files(m.scales, 1, 'scales');
  book(m.scales.codebook, 'scales');
  files(m.quats, 1, 'quats');
  files(m.sh0, 1, 'sh0');
  book(m.sh0.codebook, 'sh0');
  if (m.shN !== undefined) {
    files(m.shN, 2, 'shN');
    book(m.shN.codebook, 'shN');
    ensure([1, 2, 3].includes(m.shN.bands), file, `SOG shN.bands ${String(m.shN.bands)} must be 1, 2 or 3`);
    ensure(Number.isInteger(m.shN.count) && m.shN.count >= 1 && m.shN.count <= MAX_PALETTE, file, `SOG shN.count ${String(m.shN.count)} must be 1..${MAX_PALETTE}`);
  }
}

/** Decode a `.sog` zip. */
export async function decodeSog(bytes: Uint8Array, file: string): Promise<GaussianScene> {
  let entries: Record<string, Uint8Array>;
  try {
    // Only meta.json and .webp entries, each bounded by deflate's expansion ratio before inflating.
    entries = unzipSync(bytes, {
      filter: (f) => (f.name === 'meta.json' || f.name.endsWith('.webp')) && f.originalSize <= f.size * DEFLATE_MAX_RATIO + 1024,
    });
  } catch (e) {
    throw new FormatError(file, `not a valid SOG zip: ${(e as Error).message}`);
  }
  return decodeSogFiles((name) => entries[name], file);
}

/** Decode SOG from its files (zip entries or a folder's files), `get(name)` returning the bytes. */
export async function decodeSogFiles(get: (name: string) => Uint8Array | undefined, file: string): Promise<GaussianScene> {
  const metaBytes = get('meta.json');
  ensure(metaBytes !== undefined, file, 'SOG has no meta.json');
  let meta: SogMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes));
  } catch (e) {
    throw new FormatError(file, `SOG meta.json is not valid JSON: ${(e as Error).message}`);
  }
  checkMeta(meta, file);
  const n = meta.count;
  const load = async (name: string, minPixels: number, maxPixels: number, width?: number) => {
    const b = get(name);
    ensure(b !== undefined, file, `SOG is missing ${name}`);
    const size = webpSize(b);
    ensure(size !== undefined, file, `SOG ${name} is not a WebP image`);
    const [w, h] = size;
    ensure(w * h >= minPixels && w * h <= maxPixels, file, `SOG ${name} is ${w}x${h}, expected ${minPixels}..${maxPixels} pixels`);
    ensure(width === undefined || w === width, file, `SOG ${name} is ${w} pixels wide, expected ${width}`);
    let img: Awaited<ReturnType<typeof decodeWebp>>;
    try {
      img = await decodeWebp(b);
    } catch (e) {
      throw new FormatError(file, `SOG ${name} does not decode: ${(e as Error).message}`);
    }
    ensure(img.width === w && img.height === h, file, `SOG ${name} decoded to ${img.width}x${img.height}, header says ${w}x${h}`);
    return img.rgba;
  };
  // Writers use near-square images: allow generous slack, but never more than the splats need by far.
  const maxPixels = 2 * n + 65536;
  const [lo, hi, quats, scales, sh0] = await Promise.all(
    [meta.means.files[0], meta.means.files[1], meta.quats.files[0], meta.scales.files[0], meta.sh0.files[0]].map((f) => load(f, n, maxPixels)),
  );
  const degree = meta.shN ? meta.shN.bands : 0;
  const K = shCoeffCount(degree);
  const C = K - 1;
  const scene = createScene(n, degree);
  const scaleBook = meta.scales.codebook, dcBook = meta.sh0.codebook;
  const { mins, maxs } = meta.means;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    for (let a = 0; a < 3; a++) {
      const q = lo[o + a] | (hi[o + a] << 8);
      scene.means[i * 3 + a] = invLogTransform(mins[a] + (maxs[a] - mins[a]) * (q / 65535));
      scene.logScales[i * 3 + a] = scaleBook[Math.min(scales[o + a], scaleBook.length - 1)];
      scene.sh[i * K * 3 + a] = dcBook[Math.min(sh0[o + a], dcBook.length - 1)];
    }
    scene.opacityLogits[i] = logit(sh0[o + 3] / 255);
    const tag = quats[o + 3];
    ensure(tag >= 252, file, () => `SOG quats.webp alpha of splat ${i} is ${tag}, expected 252..255`);
    const m = tag - 252;
    let sum = 0, c = 0;
    for (let k = 0; k < 4; k++) {
      if (k === m) continue;
      const v = ((quats[o + c++] / 255) * 2 - 1) * Math.SQRT1_2;
      scene.quats[i * 4 + k] = v;
      sum += v * v;
    }
    scene.quats[i * 4 + m] = Math.sqrt(Math.max(0, 1 - sum));
  }
  if (meta.shN) {
    const palette = meta.shN.count;
    const rows = Math.ceil(palette / 64);
    const centroids = await load(meta.shN.files[0], 64 * C * rows, 64 * C * (rows + 1), 64 * C);
    const labels = await load(meta.shN.files[1], n, maxPixels);
    const book = meta.shN.codebook;
    for (let i = 0; i < n; i++) {
      const p = labels[i * 4] | (labels[i * 4 + 1] << 8);
      ensure(p < palette, file, () => `SOG shN label ${p} of splat ${i} is outside the palette (${palette})`);
      const row = Math.floor(p / 64), col = (p % 64) * C;
      for (let j = 0; j < C; j++) for (let c = 0; c < 3; c++) {
        scene.sh[(i * K + 1 + j) * 3 + c] = book[Math.min(centroids[(row * 64 * C + col + j) * 4 + c], book.length - 1)];
      }
    }
  }
  ensureFinite(scene.means, file, 'position', 3);
  return scene;
}
