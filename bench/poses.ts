/**
 * `npm run bench:poses [-- --features akaze,orb,xfeat] [--xfeat-subsets fern3,lego8] [--no-colmap] [--subsets fern3,fern6,fern12,lego8,lego8b,lego8t,lego8c,lego8d,lego12] [--out file.md] [--match-cache file] [--no-silhouette | --silhouette '{json options}'] [--render-placement [--render-options '{json}']] [--max-keypoints N]`
 *
 * (--xfeat-subsets limits the learned backend to some subsets: on this CPU its
 * LighterGlue matching takes ~15 s per pair, so 66 pairs of fern12 take ~20 min.)
 *
 * Pose estimation from unposed photos against the datasets' reference poses:
 * fern (LLFF; reference = the COLMAP poses of all 20 views) for the 3-view sparse
 * split and 6 / 12 views evenly spaced over the training views, lego (Blender, exact
 * poses) for its 8 sparse training views. Per subset and method: registered/total,
 * mean/max pairwise relative-rotation error (degrees), ATE after similarity alignment
 * as a fraction of the camera spread (RMS distance of the reference centres from
 * their mean), focal error, wall time. COLMAP 3.8 (CPU SIFT, exhaustive matching,
 * incremental mapper, one shared camera) runs on the same photos in this script as
 * the peer. Results go to bench/results/poses.md.
 *
 * Wall times here are not like for like: COLMAP's are its processes' (start-up included), Sparrow's are in-process
 * from the estimatePoses call, cold for the first subset and warm (opencv.js loaded, JIT warm) after it.
 * bench/poses-cold.ts times both from photo files to poses, every run in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, readdirSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readColmapModel } from '../engine/io/dataset/colmap-read.js';
import { quatToRotation } from '../engine/io/dataset/colmap-model.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { poseErrors } from '../engine/pose/align.js';
import { mul3, rotationAngleDeg, tr3 } from '../engine/pose/linalg.js';
import { estimatePoses } from '../engine/pose/estimate-poses.js';
import type { SilhouetteOptions } from '../engine/pose/silhouette-placement.js';
import { renderFallback } from '../engine/pose/render-fallback.js';
import type { RenderPlacementOptions, RenderPlacementOutcome } from '../engine/pose/render-placement.js';
import { transformCamera, umeyama } from '../engine/pose/align.js';
import { cameraCenter } from '../engine/splat/camera.js';
import { acquireGpu, describeAdapter, type Gpu } from '../engine/gpu/acquire.js';
import { chooseFeatureBackend } from '../engine/pose/feature-backends.js';
import type { FeatureBackend, Keypoints, Matches } from '../engine/pose/features.js';
import { createOrbBackend } from '../engine/pose/orb.js';
import { cameraFromOpenGlCameraToWorld, type Camera } from '../engine/splat/camera.js';

const DATA = resolve('../shared/data');

export interface Subset {
  id: string;
  scene: string;
  files: string[];
}

export function loadScene(scene: string): { meta: Record<string, unknown>; cameras: Map<string, Camera> } {
  const meta = JSON.parse(readFileSync(join(DATA, scene, 'transforms.json'), 'utf8'));
  const cameras = new Map<string, Camera>();
  for (const f of meta.frames) {
    const intr = { width: f.w ?? meta.w, height: f.h ?? meta.h, fx: f.fl_x ?? meta.fl_x, fy: f.fl_y ?? meta.fl_y, cx: f.cx ?? meta.cx, cy: f.cy ?? meta.cy };
    cameras.set(f.file_path, cameraFromOpenGlCameraToWorld(f.transform_matrix, intr));
  }
  return { meta, cameras };
}

function evenly<T>(list: T[], n: number): T[] {
  if (n >= list.length) return list.slice();
  return Array.from({ length: n }, (_, k) => list[Math.round((k * (list.length - 1)) / (n - 1))]);
}

export function subsets(): Subset[] {
  const fern = loadScene('fern').meta as { train_filenames: string[]; sparse_train_filenames: string[] };
  const lego = loadScene('lego').meta as { sparse_train_filenames: string[]; train_filenames: string[]; test_filenames: string[] };
  return [
    { id: 'fern3', scene: 'fern', files: fern.sparse_train_filenames },
    { id: 'fern6', scene: 'fern', files: evenly(fern.train_filenames, 6) },
    { id: 'fern12', scene: 'fern', files: evenly(fern.train_filenames, 12) },
    { id: 'lego8', scene: 'lego', files: lego.sparse_train_filenames },
    // Held out from every choice made on lego8 (e.g. the silhouette search's margin): 8 other
    // training views (indices 3, 9, ..., 45 of the 50) and 8 of the test views.
    { id: 'lego8b', scene: 'lego', files: Array.from({ length: 8 }, (_, k) => lego.train_filenames[3 + 6 * k]) },
    { id: 'lego8t', scene: 'lego', files: evenly(lego.test_filenames, 8) },
    // Held out from the silhouette-group placement's thresholds (chosen on the three above):
    // two more interleaved 8-view training subsets and a 12-view one.
    { id: 'lego8c', scene: 'lego', files: Array.from({ length: 8 }, (_, k) => lego.train_filenames[1 + 6 * k]) },
    { id: 'lego8d', scene: 'lego', files: Array.from({ length: 8 }, (_, k) => lego.train_filenames[5 + 6 * k]) },
    { id: 'lego12', scene: 'lego', files: evenly(lego.train_filenames, 12) },
  ];
}

export interface Row {
  subset: string;
  method: string;
  registered: number;
  total: number;
  pairMean: number;
  pairMax: number;
  ate: number;
  focalErr: number;
  seconds: number;
  note: string;
}

export function errorsFor(est: Map<string, Camera>, ref: Map<string, Camera>, files: string[]) {
  const names = files.filter((f) => est.has(f));
  if (names.length < 2) return null;
  const e = poseErrors(names.map((n) => est.get(n)!), names.map((n) => ref.get(n)!));
  // Two centres always align exactly under a similarity: ATE says nothing below 3 views.
  if (names.length < 3) e.ateFraction = NaN;
  const focalErr = Math.max(...names.map((n) => Math.abs(est.get(n)!.fx / ref.get(n)!.fx - 1)));
  return { ...e, focalErr };
}

export async function runSparrow(s: Subset, backend: FeatureBackend, ref: Map<string, Camera>, silhouette?: SilhouetteOptions | false, render?: { gpu: Gpu; options?: RenderPlacementOptions }, maxKeypoints?: number): Promise<Row> {
  const photos = s.files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DATA, s.scene, f))) }));
  const t0 = performance.now();
  const est = await estimatePoses(photos, { backend, silhouette, maxKeypoints });
  // The placement by rendering runs after the pose stage (it needs a GPU), as in the pipeline.
  let rendered: RenderPlacementOutcome | null = null;
  if (render) {
    const t1 = performance.now();
    rendered = await renderFallback({ gpu: render.gpu, est, photoBytes: photos.map((p) => p.bytes), options: render.options });
    est.timingsMs.render = performance.now() - t1;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cams = new Map<string, Camera>();
  for (const v of est.views) if (v.camera) cams.set(v.name, v.camera);
  const e = errorsFor(cams, ref, s.files);
  const failed = est.views.filter((v) => !v.registered).map((v) => `${basename(v.name)}: ${v.reason}`);
  const fallback = est.views.filter((v) => v.method === 'relative-pose').map((v) => basename(v.name));
  if (fallback.length) failed.unshift(`placed by the relative-pose fallback: ${fallback.join(', ')}`);
  // Per registered view: its method and the median relative-rotation error against the other
  // registered views (a wrongly placed view stands out; the mean would smear it over all).
  const reg = est.views.filter((v) => v.camera);
  if (reg.length >= 3) {
    const medErr = (v: (typeof est.views)[number]) => {
      const errs = reg.filter((w) => w !== v).map((w) => rotationAngleDeg(mul3(v.camera!.R, tr3(w.camera!.R)), mul3(ref.get(v.name)!.R, tr3(ref.get(w.name)!.R)))).sort((a, b) => a - b);
      return errs[errs.length >> 1];
    };
    failed.unshift(`per view (method, median rot. err. vs the others): ${reg.map((v) => `${basename(v.name)} ${v.method} ${f(medErr(v), 1)}°`).join(', ')}`);
  }
  const bySilhouette = est.views.filter((v) => v.method === 'silhouette' || v.method === 'silhouette-group' || v.method === 'render');
  if (bySilhouette.length) {
    // Per placed view: mean relative-rotation error against the other registered views.
    const errOf = (v: (typeof est.views)[number]) => {
      const others = est.views.filter((w) => w.camera && w !== v);
      const errs = others.map((w) => rotationAngleDeg(mul3(v.camera!.R, tr3(w.camera!.R)), mul3(ref.get(v.name)!.R, tr3(ref.get(w.name)!.R))));
      return errs.reduce((a, b) => a + b, 0) / errs.length;
    };
    failed.unshift(`placed by silhouettes or rendering: ${bySilhouette.map((v) => `${basename(v.name)} (rot. err. vs the others ${f(errOf(v), 1)}°; ${v.placement})`).join('; ')}`);
  }
  if (rendered && rendered.candidates.size) {
    // Every candidate the placement by rendering scored: its correlation and its rotation error
    // against the reference (brought into the estimate's frame by the registered cameras before it).
    const before = est.views.map((v, i) => (v.camera && !rendered!.placed.has(i) ? i : -1)).filter((i) => i >= 0);
    const T = umeyama(before.map((i) => cameraCenter(ref.get(s.files[i])!)), before.map((i) => cameraCenter(est.views[i].camera!)));
    const lines = [...rendered.candidates].map(([v, cands]) => {
      const gt = transformCamera(T, ref.get(s.files[v])!);
      return `${basename(s.files[v])} ${rendered!.placed.has(v) ? 'placed' : 'refused'}: ${cands.map((c) => `${f(c.correlation, 3)}@${f(rotationAngleDeg(c.camera.R, gt.R), 0)}°/${f(100 * (c.coverageLoss ?? NaN), 1)}%`).join(' ')}`;
    });
    failed.unshift(`placement by rendering, candidates (correlation@rotation error/coverage loss on re-carving): ${lines.join('; ')}`);
  }
  const dropped = est.pairs.filter((p) => p.rejected === 'loop-inconsistent' || p.rejected === 'weak-unconfirmed');
  if (dropped.length) failed.unshift(`${dropped.length} verified pair(s) not trusted by the view-graph filter: ${dropped.map((p) => `${basename(p.a)}/${basename(p.b)}`).join(', ')}`);
  const low = est.views.filter((v) => v.confidence === 'low').length;
  if (low) failed.unshift(`${low} registered view(s) flagged low confidence`);
  const t = est.timingsMs;
  failed.unshift(`stages (s): load ${f(t.load / 1000, 1)}, features ${f(t.features / 1000, 1)}, matching+verification ${f(t.matching / 1000, 1)}, SfM ${f(t.poses / 1000, 1)}${t.silhouette !== undefined ? `, silhouette search ${f(t.silhouette / 1000, 1)}` : ''}${t.render !== undefined ? `, placement by rendering ${f(t.render / 1000, 1)}` : ''}`);
  return {
    subset: s.id,
    method: `sparrow ${backend.name}`,
    registered: cams.size,
    total: s.files.length,
    pairMean: e?.pairwiseRotationMeanDeg ?? NaN,
    pairMax: e?.pairwiseRotationMaxDeg ?? NaN,
    ate: e?.ateFraction ?? NaN,
    focalErr: e?.focalErr ?? NaN,
    seconds,
    note: failed.join('; '),
  };
}

/**
 * COLMAP on the subset's photos (`photoDir`: a folder holding them under their base names,
 * instead of the dataset's files; `singleCamera` false: one camera per photo, for photos of
 * different sizes).
 */
export function runColmap(s: Subset, ref: Map<string, Camera>, opts: { photoDir?: string; singleCamera?: boolean } = {}): Row {
  const work = mkdtempSync(join(tmpdir(), `colmap-${s.id}-`));
  const images = join(work, 'images');
  mkdirSync(images);
  for (const f of s.files) symlinkSync(opts.photoDir ? join(opts.photoDir, basename(f)) : join(DATA, s.scene, f), join(images, basename(f)));
  const env = { ...process.env, QT_QPA_PLATFORM: 'offscreen' };
  const db = join(work, 'db.db');
  const run = (args: string[]) => execFileSync('colmap', args, { env, stdio: 'pipe', timeout: 600_000 });
  const t0 = performance.now();
  let note = '';
  const cams = new Map<string, Camera>();
  try {
    run(['feature_extractor', '--database_path', db, '--image_path', images, '--ImageReader.single_camera', opts.singleCamera === false ? '0' : '1', '--SiftExtraction.use_gpu', '0', '--SiftExtraction.num_threads', '2']);
    run(['exhaustive_matcher', '--database_path', db, '--SiftMatching.use_gpu', '0', '--SiftMatching.num_threads', '2']);
    mkdirSync(join(work, 'sparse'));
    run(['mapper', '--database_path', db, '--image_path', images, '--output_path', join(work, 'sparse'), '--Mapper.num_threads', '2']);
    // The mapper may split the views into several models: take the largest.
    const models = readdirSync(join(work, 'sparse')).map((d) => readColmapModel(join(work, 'sparse', d)));
    const model = models.sort((a, b) => b.images.length - a.images.length)[0];
    if (models.length > 1) note = `${models.length} separate models, largest used`;
    if (model) {
      for (const im of model.images) {
        const c = model.cameras.get(im.cameraId)!;
        const file = s.files.find((f) => basename(f) === im.name)!;
        cams.set(file, { width: c.width, height: c.height, fx: c.params[0], fy: c.params[0], cx: c.params[1], cy: c.params[2], R: quatToRotation(im.q), t: [...im.t] });
      }
    }
  } catch (e) {
    note = `colmap failed: ${String((e as Error).message).split('\n')[0].slice(0, 120)}`;
  }
  const seconds = (performance.now() - t0) / 1000;
  rmSync(work, { recursive: true, force: true });
  const e = errorsFor(cams, ref, s.files);
  if (!note && cams.size < s.files.length) note = 'mapper left views unregistered';
  return {
    subset: s.id,
    method: 'COLMAP 3.8 (CPU SIFT)',
    registered: cams.size,
    total: s.files.length,
    pairMean: e?.pairwiseRotationMeanDeg ?? NaN,
    pairMax: e?.pairwiseRotationMaxDeg ?? NaN,
    ate: e?.ateFraction ?? NaN,
    focalErr: e?.focalErr ?? NaN,
    seconds,
    note,
  };
}

/** A figure with d decimals, '—' when there is none. */
export const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');

/** `--name value` reader over the command line. */
export function flagReader(args: string[]): (name: string) => string | undefined {
  return (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
}

/**
 * --match-cache FILE: keypoints and matches of a backend kept in FILE between runs
 * (keyed by backend, image pixels / keypoint positions), so that re-running the
 * stages after matching does not redo ~2 min of LighterGlue on lego8. Dev only.
 */
const cacheStores = new Map<string, Map<string, unknown>>();
export function cachedBackend(b: FeatureBackend, file: string): FeatureBackend {
  if (!cacheStores.has(file)) cacheStores.set(file, existsSync(file) ? deserialize(readFileSync(file)) : new Map());
  const store = cacheStores.get(file)!;
  const save = () => writeFileSync(file, serialize(store));
  const hash = (bytes: ArrayLike<number>) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] & 0xff) ^ ((bytes[i] * 131) | 0), 0x01000193) >>> 0;
    return `${bytes.length}:${h.toString(16)}`;
  };
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  // Keypoints of a turned copy: also where they were described (LighterGlue reads those).
  const kpKey = (k: Keypoints) => hash(bytes(k.xy)) + (k.described ? `@${hash(bytes(k.described.xy))}` : '');
  return {
    name: b.name,
    screenMatcher: b.screenMatcher,
    extractor: {
      name: b.extractor.name,
      rotationInvariant: b.extractor.rotationInvariant,
      workingSide: b.extractor.workingSide?.bind(b.extractor),
      async extract(image, maxKeypoints) {
        const key = `${b.name}|kp|${maxKeypoints}|${image.width}x${image.height}|${hash(image.data)}`;
        if (!store.has(key)) {
          store.set(key, await b.extractor.extract(image, maxKeypoints));
          save();
        }
        return store.get(key) as Keypoints;
      },
    },
    matcher: {
      name: b.matcher.name,
      async match(x, y) {
        const key = `${b.name}|m|${kpKey(x)}|${kpKey(y)}`;
        if (!store.has(key)) {
          store.set(key, await b.matcher.match(x, y));
          save();
        }
        return store.get(key) as Matches;
      },
    },
  };
}

async function main() {
  const args = process.argv.slice(2);
  const arg = flagReader(args);
  const features = (arg('--features') ?? 'akaze,xfeat').split(',');
  const wanted = arg('--subsets')?.split(',');
  const withColmap = !args.includes('--no-colmap');
  const xfeatSubsets = arg('--xfeat-subsets')?.split(',');
  const rows: Row[] = [];
  const backends: FeatureBackend[] = [];
  for (const kind of features) {
    if (kind === 'akaze' || kind === 'orb') backends.push(createOrbBackend({ detector: kind }));
    else if (kind === 'xfeat') {
      try {
        const { backend } = await chooseFeatureBackend({ prefer: 'xfeat', onEvent: (e) => e.type === 'warning' && console.error(`warning: ${e.message}`) });
        if (backend.name.startsWith('xfeat')) backends.push(backend);
        else console.error('xfeat unavailable: skipped');
      } catch (e) {
        console.error(`xfeat unavailable: ${(e as Error).message}`);
      }
    } else throw new Error(`--features: unknown '${kind}'`);
  }
  // --no-silhouette: without the silhouette fallback; --silhouette '{json}': its options.
  const silhouette: SilhouetteOptions | false | undefined = args.includes('--no-silhouette') ? false : arg('--silhouette') ? JSON.parse(arg('--silhouette')!) : undefined;
  // --render-placement: the placement by rendering after the pose stage (a GPU: the CPU adapter here), as `reconstruct` runs it.
  const render = args.includes('--render-placement') ? { gpu: await acquireGpu(), options: arg('--render-options') ? (JSON.parse(arg('--render-options')!) as RenderPlacementOptions) : undefined } : undefined;
  // --max-keypoints N: keypoints per photo (default: the extractor's, 2048 for XFeat; `sparrow poses` asks for 3000).
  const maxKeypoints = arg('--max-keypoints') ? Number(arg('--max-keypoints')) : undefined;
  const cacheFile = arg('--match-cache');
  if (cacheFile) backends.forEach((b, i) => (backends[i] = cachedBackend(b, cacheFile)));
  for (const s of subsets().filter((x) => !wanted || wanted.includes(x.id))) {
    const ref = loadScene(s.scene).cameras;
    for (const b of backends) {
      if (b.name.startsWith('xfeat') && xfeatSubsets && !xfeatSubsets.includes(s.id)) continue;
      const r = await runSparrow(s, b, ref, silhouette, render, maxKeypoints);
      if (maxKeypoints) r.method += ` (${maxKeypoints} keypoints)`;
      if (render) r.method += ' + rendering';
      console.error(`${r.subset} ${r.method}: ${r.registered}/${r.total}, pairwise ${f(r.pairMean)}°/${f(r.pairMax)}°, ATE ${f(r.ate, 3)}, ${f(r.seconds, 1)} s ${r.note}`);
      rows.push(r);
    }
    if (withColmap) {
      const r = runColmap(s, ref);
      console.error(`${r.subset} ${r.method}: ${r.registered}/${r.total}, pairwise ${f(r.pairMean)}°/${f(r.pairMax)}°, ATE ${f(r.ate, 3)}, ${f(r.seconds, 1)} s ${r.note}`);
      rows.push(r);
    }
  }
  const lines = [
    '# Pose estimation benchmark (`npm run bench:poses`)',
    '',
    `Date: ${new Date().toISOString()}. Machine: ${process.platform}, 2 shared CPU cores; ${render ? `the placement by rendering on ${describeAdapter(render.gpu.report)}, the rest on the CPU` : 'CPU only (no GPU work in this stage)'}.`,
    `Command: \`npm run bench:poses -- ${args.join(' ')}\`.`,
    '',
    'Reference poses: fern = the LLFF COLMAP poses from transforms.json; lego = exact Blender poses.',
    'Pairwise rotation error: angle between estimated and reference relative rotations over all pairs of registered views (no alignment needed).',
    'ATE: RMS camera-centre error after a similarity alignment of the registered cameras, divided by the RMS spread of the reference centres.',
    'Focal error: worst |f_est / f_ref - 1| over registered views (Sparrow starts from a 60° default field of view; the PNGs have no EXIF).',
    '',
    '| subset | method | registered | pairwise rot. mean (°) | pairwise rot. max (°) | ATE / spread | focal err. | wall time (s) | notes |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.subset} | ${r.method} | ${r.registered}/${r.total} | ${f(r.pairMean)} | ${f(r.pairMax)} | ${f(r.ate, 3)} | ${f(r.focalErr * 100, 1)}% | ${f(r.seconds, 1)} | ${r.note.replace(/\|/g, '/')} |`),
    '',
  ];
  writeFileAtomic(arg('--out') ?? 'bench/results/poses.md', lines.join('\n'));
  console.log(lines.join('\n'));
}

// Run only as a script (bench/poses-cold.ts imports the COLMAP runner and the subsets).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
