/**
 * bench/sparse (issue 6): a scene's sparse split (fern: 3 views; lego: 8), held-out test views.
 *
 * Runs, all from the same MVS depth init unless named otherwise:
 *   3dgs-random  plain 3DGS: random init, no regularizers
 *   3dgs-sfm     plain 3DGS as the sparse-view papers run it: init from the sparse SfM points
 *                of the training photos (Sparrow's pose stage on them, points moved into the
 *                reference frame by the similarity between estimated and reference cameras),
 *                no regularizers
 *   sfm-decay    the same SfM-point init with the default regularizers (opacity decay): what
 *                the regularizers add to published-style 3DGS
 *   plain        depth init, no regularizers
 *   <term>       depth init + one regularizer alone
 *   all          depth init + SPARSE_VIEW_DEFAULTS
 *   all-new      the defaults + binocular consistency + opacity decay
 *   all-decay    the defaults + opacity decay (the same as all since the defaults include it)
 *   new-only     binocular consistency + opacity decay alone
 *   drop         DropGaussian alone (rate ramped 0 -> 0.2 over the run); drop-decay: + SPARSE_VIEW_DEFAULTS
 *   cor          CoR-GS co-regularization alone (two fields: pseudo-view term + co-pruning)
 *   cor-decay    the defaults + CoR-GS co-regularization
 * with reference poses (only the reconstruction is judged), then `all` and `plain` again
 * with poses estimated from the 3 photos (test views aligned: similarity from the
 * training cameras, then photometric test-time pose alignment with the Gaussians frozen).
 *
 * Train PSNR (the 3 training views) is reported beside held-out PSNR: the gap shows how far
 * a run overfits the photos it sees.
 *
 * npm run bench:sparse -- [--scene fern|lego|<folder in ../shared/data>] [--steps 600] [--downscale 2] [--depth-side 192] [--runs plain,all,...] [--poses reference|estimated|both] [--curve N] [--seed S] [--tag NAME]
 * (--set binocularBaseline=0.5,...: change numeric SparseViewConfig fields of the regularized runs)
 * (--train densifyGradThreshold=4e-4,...: change numeric TrainConfig fields of the regularized runs; plain keeps the preset)
 * (--init stride=1,...: change numeric depth-initialisation options, for every run from the depth init)
 * (--seed: the trainer's seed: view order and densification draws; the MVS init does not depend on it)
 * (--curve N: also measure train and held-out PSNR every N steps, printed and kept in the JSON)
 * (--tag: write the table to bench/out/sparse/NAME.md instead of bench/results/sparse.md, for partial runs)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { acquireGpu, describeAdapter } from '../engine/gpu/acquire.js';
import { estimateMvsDepth } from '../engine/depth/mvs.js';
import { loadDepthViews } from '../engine/depth/load-views.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { loadDataset, type Dataset } from '../engine/io/dataset/load.js';
import { FrameImages } from '../engine/io/dataset/images.js';
import { resamplePrior } from '../engine/pipeline/priors.js';
import { reconstructConfig } from '../engine/pipeline/config.js';
import { applySimilarity, poseErrors, transformCamera, umeyama } from '../engine/pose/align.js';
import { estimatePoses } from '../engine/pose/estimate-poses.js';
import { chooseFeatureBackend } from '../engine/pose/feature-backends.js';
import { cameraCenter, type Camera } from '../engine/splat/camera.js';
import { GpuSceneGrads } from '../engine/splat/gpu-scene.js';
import type { GaussianScene } from '../engine/splat/scene.js';
import { evaluate } from '../engine/train/evaluate.js';
import { initFromDepth } from '../engine/train/init-from-depth.js';
import { sceneFromPoints } from '../engine/train/init.js';
import { alignPoseToImage } from '../engine/train/pose-refine.js';
import { mutualKnnGraph } from '../engine/train/regularizers/knn-graph.js';
import { createSparseViewRegularizers, NO_REGULARIZERS, SPARSE_VIEW_DEFAULTS, SPARSE_VIEW_TERMS, type FramePrior, type SparseViewConfig } from '../engine/train/regularizers/sparse-view.js';
import { SsimL1Loss } from '../engine/train/ssim.js';
import { Trainer } from '../engine/train/trainer.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../engine/train/config.js';
import { CoTraining, coRegularizationOn } from '../engine/train/co-regularization/co-training.js';
import { createStorage, writeBuffer } from '../engine/gpu/buffers.js';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const steps = Number(arg('steps', '600'));
const downscale = Number(arg('downscale', '2'));
const posesMode = arg('poses', 'both');
const depthSide = Number(arg('depth-side', '192'));
const curveEvery = Number(arg('curve', '0'));
const seed = Number(arg('seed', '0'));
/** `--flag key=value,...` as numbers; `known(key)` says which keys the flag takes. */
function numericOverrides(flag: string, known: (key: string) => boolean): Record<string, number> {
  return Object.fromEntries(
    arg(flag, '').split(',').filter(Boolean).map((kv) => {
      const [k, v] = kv.split('=');
      if (!known(k) || !Number.isFinite(Number(v))) throw new Error(`--${flag}: unknown field or bad number in '${kv}'`);
      return [k, Number(v)];
    }),
  );
}
// --set: numeric SparseViewConfig fields changed in every run but plain (for sweeps).
const overrides: Partial<Omit<SparseViewConfig, 'poses'>> = numericOverrides('set', (k) => k in NO_REGULARIZERS && k !== 'poses');
// --train: numeric TrainConfig fields changed in every run but plain (sparse-view schedules).
const trainOverrides: Partial<TrainConfig> = numericOverrides('train', (k) => typeof DEFAULT_TRAIN_CONFIG[k as keyof TrainConfig] === 'number');
// --init: numeric depth-init options (engine/train/init-from-depth.ts), shared by all runs.
const initOverrides = numericOverrides('init', (k) => ['stride', 'minConfidence', 'targetCount', 'minNeighbours', 'opacity'].includes(k));
const D = SPARSE_VIEW_DEFAULTS;
// Each term alone at its switched-on weight (the defaults leave the depth-prior terms off).
const T = SPARSE_VIEW_TERMS;
const noPose = { ...NO_REGULARIZERS.poses };
const SINGLES: Record<string, Partial<SparseViewConfig>> = {
  'depth-correlation': { depthCorrelationGlobal: T.depthCorrelationGlobal, depthCorrelationPatch: T.depthCorrelationPatch },
  'ordinal-depth': { ordinalDepth: T.ordinalDepth },
  'edge-smoothness': { edgeSmoothness: T.edgeSmoothness },
  'shape': { scaleRatio: T.scaleRatio, hugeScale: T.hugeScale },
  'opacity-entropy': { opacityEntropy: T.opacityEntropy },
  'coherence': { coherence: T.coherence },
  'pseudo-views': { pseudoViewInterval: T.pseudoViewInterval, pseudoViewWeight: T.pseudoViewWeight, pseudoViewFrom: T.pseudoViewFrom, pseudoViewRamp: T.pseudoViewRamp },
  'binocular': { binocular: T.binocular, binocularBaseline: T.binocularBaseline, binocularFrom: T.binocularFrom, binocularMinAlpha: T.binocularMinAlpha },
  'opacity-decay': { opacityDecay: T.opacityDecay, opacityDecayFrom: T.opacityDecayFrom },
  'drop': { dropRate: T.dropRate, dropFrom: T.dropFrom, dropRamp: T.dropRamp },
  'cor': { coRegularization: T.coRegularization, coRegularizationFrom: T.coRegularizationFrom, coPruneInterval: T.coPruneInterval, coPruneDistance: T.coPruneDistance },
};
// `all-new`: the defaults plus the self-supervised terms (binocular consistency, opacity decay).
const NEW_TERMS: Partial<SparseViewConfig> = { ...SINGLES.binocular, ...SINGLES['opacity-decay'] };
const allRuns = ['3dgs-random', '3dgs-sfm', 'sfm-decay', 'plain', ...Object.keys(SINGLES), 'all', 'all-new', 'all-decay', 'new-only'];
// `all-decay`: the defaults plus opacity decay only (= all since the defaults include it; kept for the record).
const ALL_VARIANTS: Record<string, Partial<SparseViewConfig>> = { 'all-new': NEW_TERMS, 'all-decay': SINGLES['opacity-decay'], 'cor-decay': SINGLES.cor };
// `new-only`: binocular consistency and opacity decay without the other regularizers.
SINGLES['new-only'] = NEW_TERMS;
ALL_VARIANTS['drop-decay'] = SINGLES.drop;
const runs = arg('runs', allRuns.join(',')).split(',');

const gpu = await acquireGpu();
const adapter = describeAdapter(gpu.report);
const sceneName = arg('scene', 'fern');
const base = await loadDataset(join(import.meta.dirname, '../../shared/data', sceneName), { downscale });
const train = base.split.sparseTrain ?? [];
const test = base.split.test;
if (train.length < 2) throw new Error(`${sceneName}: expected a sparse split of >= 2 views, got ${train.length}`);
const cfg = reconstructConfig('balanced', { depth: { maxSide: depthSide }, train: { iterations: steps, meansLrMaxSteps: steps, densifyFrom: Math.round(steps / 6), densifyUntil: Math.round((steps * 2) / 3), densifyInterval: Math.max(1, Math.round(steps / 6)), checkpointInterval: 0, seed } });
const outDir = join(import.meta.dirname, 'out', 'sparse');
mkdirSync(outDir, { recursive: true });
console.log(`adapter: ${adapter}; ${sceneName} ${base.frames[0].camera.width}x${base.frames[0].camera.height}, train ${train.length} views, test ${test.length}; ${steps} steps`);

/** A dataset copy with fresh camera objects (pose refinement mutates cameras in place). */
function cloneDataset(d: Dataset, cams?: Map<number, Camera>): Dataset {
  return { ...d, frames: d.frames.map((f, i) => ({ ...f, camera: { ...(cams?.get(i) ?? f.camera), R: [...(cams?.get(i) ?? f.camera).R], t: [...(cams?.get(i) ?? f.camera).t] } })), split: { ...d.split, train, test } };
}

async function depthInit(d: Dataset): Promise<{ scene: GaussianScene; priors: Map<number, FramePrior>; confident: number; ms: number }> {
  const t0 = performance.now();
  const views = await loadDepthViews(d, train, cfg.depth.maxSide);
  const mvs = await estimateMvsDepth(gpu, views, cfg.depth);
  const { scene } = initFromDepth(views, mvs.maps, { ...cfg.init, ...initOverrides });
  const priors = new Map<number, FramePrior>();
  mvs.maps.forEach((m, k) => priors.set(train[k], resamplePrior(m, d.frames[train[k]].camera.width, d.frames[train[k]].camera.height)));
  const confident = mvs.stats.reduce((s, v) => s + v.confidentFraction, 0) / mvs.stats.length;
  return { scene, priors, confident, ms: performance.now() - t0 };
}

/** Sparse SfM points of the training photos, in `d`'s frame (the `3dgs-sfm` baseline's init); one pose run per dataset. */
const sfmCache = new Map<string, Promise<NonNullable<Dataset['points']>>>();
function sfmPoints(d: Dataset): Promise<NonNullable<Dataset['points']>> {
  // Keyed by the training cameras (each run gets a fresh copy of the same dataset).
  const key = train.map((i) => [...d.frames[i].camera.R, ...d.frames[i].camera.t].join(',')).join(';');
  let p = sfmCache.get(key);
  if (!p) sfmCache.set(key, (p = computeSfmPoints(d)));
  return p;
}

async function computeSfmPoints(d: Dataset): Promise<NonNullable<Dataset['points']>> {
  const chosen = await chooseFeatureBackend({ prefer: 'auto' });
  const photos = train.map((i) => ({ name: d.frames[i].name, bytes: new Uint8Array(readFileSync(d.frames[i].imagePath)) }));
  const est = await estimatePoses(photos, { backend: chosen.backend });
  const placed = train.map((i, k) => ({ ref: cameraCenter(d.frames[i].camera), est: est.views[k].camera })).filter((p) => p.est);
  if (placed.length < 2) throw new Error(`3dgs-sfm: only ${placed.length} training photos registered`);
  const sim = umeyama(placed.map((p) => cameraCenter(p.est!)), placed.map((p) => p.ref));
  const count = est.points.length / 3;
  const xyz = new Float32Array(count * 3);
  const rgb = new Float32Array(count * 3);
  for (let p = 0; p < count; p++) {
    const X = applySimilarity(sim, [est.points[3 * p], est.points[3 * p + 1], est.points[3 * p + 2]]);
    for (let k = 0; k < 3; k++) {
      xyz[3 * p + k] = X[k];
      rgb[3 * p + k] = est.colors[3 * p + k] / 255;
    }
  }
  notes.push(`3dgs-sfm: ${count} SfM points from ${placed.length}/${train.length} training photos (${est.backend})`);
  return { count, xyz, rgb };
}

function cloneScene(s: GaussianScene): GaussianScene {
  return { ...s, means: s.means.slice(), logScales: s.logScales.slice(), quats: s.quats.slice(), opacityLogits: s.opacityLogits.slice(), sh: s.sh.slice() };
}

interface CurvePoint { step: number; trainPsnr: number; psnr: number }
interface RunResult { name: string; poses: string; curve: CurvePoint[]; trainPsnr: number; psnr: number; ssim: number; gaussians: number; seconds: number; perView: { name: string; psnr: number; ssim: number }[] }

async function runOne(name: string, d: Dataset, init: Awaited<ReturnType<typeof depthInit>>, reg: SparseViewConfig, posesLabel: string, alignTest?: (t: Trainer) => Promise<void>): Promise<RunResult> {
  const t0 = performance.now();
  const images = new FrameImages(d.frames, { background: [0, 0, 0] });
  let trainer: Trainer;
  let co: CoTraining | undefined;
  if (name === '3dgs-random') {
    trainer = await Trainer.create(gpu, d, { ...cfg.train, shDegree: cfg.init.shDegree ?? 1, randomInitCount: 20_000 }, { images, trainViews: train });
  } else if (name === '3dgs-sfm') {
    trainer = await Trainer.create(gpu, { ...d, points: await sfmPoints(d) }, { ...cfg.train, shDegree: cfg.init.shDegree ?? 1 }, { images, trainViews: train });
  } else {
    let scene = cloneScene(init.scene);
    if (name === 'sfm-decay') {
      const pts = await sfmPoints(d);
      scene = sceneFromPoints(pts.xyz, pts.rgb, init.scene.shDegree);
    }
    const graph = mutualKnnGraph(scene.means, 4);
    let t: Trainer | undefined;
    const setup = createSparseViewRegularizers(gpu, reg, {
      cameras: d.frames.map((f) => f.camera), trainViews: train, priors: init.priors, extent: d.extent, background: [0, 0, 0],
      coherence: { neighbours: graph.neighbours, edges: graph.edges, initialMeans: Float32Array.from(scene.means) }, trainer: () => t!,
    });
    t = Trainer.fromScene(gpu, d, scene, { ...cfg.train, shDegree: scene.shDegree, ...(name === 'plain' ? {} : trainOverrides) }, { images, trainViews: train, lossTerms: setup.lossTerms, hooks: setup.hooks });
    trainer = t;
    // CoR-GS: a second field from the same start, with the same terms; the result is the first.
    if (coRegularizationOn(reg)) {
      co = CoTraining.pair(t, init.scene, reg, { trainViews: train, regularizerConfig: reg, regularizers: (c, get) => createSparseViewRegularizers(gpu, c, {
        cameras: d.frames.map((f) => f.camera), trainViews: train, priors: init.priors, extent: d.extent, background: [0, 0, 0],
        coherence: { neighbours: graph.neighbours, edges: graph.edges, initialMeans: Float32Array.from(init.scene.means) }, trainer: get,
      }) });
    }
  }
  // Stepping by hand is the same computation as trainer.train() (which only adds events).
  const curve: CurvePoint[] = [];
  while (trainer.stepCount < steps) {
    await (co ?? trainer).step();
    if (curveEvery > 0 && trainer.stepCount % curveEvery === 0 && trainer.stepCount < steps) {
      curve.push({ step: trainer.stepCount, trainPsnr: (await evaluate(trainer, train)).psnr, psnr: (await evaluate(trainer, test)).psnr });
      const c = curve[curve.length - 1];
      console.log(`  ${name} step ${c.step}: train ${c.trainPsnr.toFixed(2)}, held-out ${c.psnr.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  if (alignTest) await alignTest(trainer);
  const ev = await evaluate(trainer, test, { imagesDir: join(outDir, `${posesLabel}-${name}`) });
  const trainEv = await evaluate(trainer, train);
  if (co) console.log(`  ${name}: co-pruning ${co.coPrunes.map((p) => `step ${p.step}: ${p.beforeA}->${p.afterA} / ${p.beforeB}->${p.afterB}`).join(', ') || 'none'} (τ ${co.pruneDistance.toFixed(2)})`);
  co?.dispose();
  const r: RunResult = { name, poses: posesLabel, curve, trainPsnr: trainEv.psnr, psnr: ev.psnr, ssim: ev.ssim, gaussians: ev.gaussians, seconds: (performance.now() - t0) / 1000, perView: ev.views.map((v) => ({ name: v.name, psnr: v.psnr, ssim: v.ssim })) };
  trainer.dispose();
  console.log(`${posesLabel.padEnd(10)} ${name.padEnd(18)} train PSNR ${r.trainPsnr.toFixed(2)}  PSNR ${r.psnr.toFixed(2)}  SSIM ${r.ssim.toFixed(4)}  ${r.gaussians} Gaussians  ${r.seconds.toFixed(0)} s`);
  return r;
}

const results: RunResult[] = [];
const notes: string[] = [];
/** The results table so far (markdown). */
function renderMd(): string {
  const table = ['| poses | run | train PSNR | PSNR | SSIM | Gaussians | wall s |', '|---|---|---|---|---|---|---|', ...results.map((r) => `| ${r.poses} | ${r.name} | ${r.trainPsnr.toFixed(2)} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(4)} | ${r.gaussians} | ${r.seconds.toFixed(0)} |`)].join('\n');
  return `## Sparse views: ${sceneName} ${train.length}-view (bench/sparse.ts)\n\n${new Date().toISOString().slice(0, 10)}, adapter: ${adapter}; ${sceneName} at 1/${downscale} resolution (${base.frames[0].camera.width}x${base.frames[0].camera.height}), ${steps} steps, test views ${test.map((i) => base.frames[i].name).join(', ')}.\nCommand: \`npm run bench:sparse -- ${args.join(' ')}\`\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n${table}\n`;
}

/** Written after every run, so a run cut by a time limit keeps the ones before it. */
function writeResults(): void {
  const tag = arg('tag', '');
  writeFileAtomic(tag ? join(outDir, `${tag}.md`) : join(import.meta.dirname, 'results', 'sparse.md'), renderMd());
  writeFileAtomic(join(outDir, `${tag || 'results'}.json`), JSON.stringify({ adapter, steps, downscale, notes, results }, null, 2));
}

if (posesMode !== 'estimated') {
  const d = cloneDataset(base);
  const init = await depthInit(d);
  notes.push(`reference poses: MVS ${(init.confident * 100).toFixed(1)}% confident pixels, depth+init ${(init.ms / 1000).toFixed(1)} s, ${init.scene.count} initial Gaussians`);
  for (const name of runs) {
    const reg = name === 'all' || name === 'sfm-decay' ? { ...D, poses: noPose } : name in ALL_VARIANTS ? { ...D, ...ALL_VARIANTS[name], poses: noPose } : name in SINGLES ? { ...NO_REGULARIZERS, ...SINGLES[name] } : { ...NO_REGULARIZERS };
    results.push(await runOne(name, cloneDataset(base), init, name === 'plain' ? reg : { ...reg, ...overrides }, 'reference'));
    writeResults();
  }
}

if (posesMode !== 'reference') {
  // Poses from the 3 photos alone.
  const t0 = performance.now();
  const chosen = await chooseFeatureBackend({ prefer: 'auto' });
  const photos = train.map((i) => ({ name: base.frames[i].name, bytes: new Uint8Array(readFileSync(base.frames[i].imagePath)) }));
  const est = await estimatePoses(photos, { backend: chosen.backend });
  const poseMs = performance.now() - t0;
  const registered = est.views.filter((v) => v.camera).length;
  notes.push(`estimated poses (${est.backend}): ${registered}/3 registered in ${(poseMs / 1000).toFixed(1)} s`);
  if (registered === 3) {
    const estCams = est.views.map((v) => v.camera!);
    const refCams = train.map((i) => base.frames[i].camera);
    const err = poseErrors(estCams, refCams);
    notes.push(`estimated vs reference: pairwise rotation mean ${err.pairwiseRotationMeanDeg.toFixed(3)}°, max ${err.pairwiseRotationMaxDeg.toFixed(3)}°, ATE ${(err.ateFraction * 100).toFixed(2)}% of camera spread`);
    // Reference -> estimated frame (similarity from the training cameras' centres), applied to test cameras.
    const sim = umeyama(refCams.map(cameraCenter), estCams.map(cameraCenter));
    const cams = new Map<number, Camera>();
    train.forEach((i, k) => cams.set(i, { ...estCams[k], width: base.frames[i].camera.width, height: base.frames[i].camera.height, fx: estCams[k].fx / downscale, fy: estCams[k].fy / downscale, cx: estCams[k].cx / downscale, cy: estCams[k].cy / downscale }));
    const f0 = cams.get(train[0])!;
    for (const i of test) cams.set(i, { ...transformCamera(sim, base.frames[i].camera), fx: f0.fx, fy: f0.fy, cx: f0.cx, cy: f0.cy });
    const d = cloneDataset(base, cams);
    const init = await depthInit(d);
    const alignTest = async (t: Trainer) => {
      const W = d.frames[test[0]].camera.width, H = d.frames[test[0]].camera.height;
      const loss = new SsimL1Loss(gpu, W, H);
      const target = createStorage(gpu, W * H * 12), vColor = createStorage(gpu, W * H * 12), out = createStorage(gpu, 16);
      const grads = GpuSceneGrads.like(t.state.scene);
      for (const i of test) {
        writeBuffer(gpu, target, (await t.images.get(i)).rgb);
        const aligned = await alignPoseToImage(gpu, t.rasterizer, t.state.scene, grads, d.frames[i].camera, (e, c, v) => loss.encodeForwardBackward(e, c, target, v, out), vColor, { iterations: 100, rotationLr: 1e-3, translationLr: 1e-3 * d.extent, background: [0, 0, 0] });
        d.frames[i].camera.R = aligned.R;
        d.frames[i].camera.t = aligned.t;
      }
      grads.dispose();
      loss.dispose();
    };
    for (const name of runs.filter((r) => r === 'plain' || r === 'all' || r === '3dgs-sfm' || r in ALL_VARIANTS)) {
      const reg = name === 'all' ? D : name in ALL_VARIANTS ? { ...D, ...ALL_VARIANTS[name] } : { ...NO_REGULARIZERS };
      results.push(await runOne(name, d, init, name === 'plain' ? reg : { ...reg, ...overrides }, 'estimated', alignTest));
      writeResults();
    }
  }
}

writeResults();
console.log(renderMd());
process.exit(0);
