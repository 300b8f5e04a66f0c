/**
 * `npm run bench:poses-photos [-- --cases fern3-90,fern3-180,fern3-270,fern6-2x90,fern3-12mp] [--no-colmap] [--out file.md]`
 *
 * The pose stage on photos as users have them, not as datasets ship them:
 *  - turned: photos whose pixels are turned relative to the others (a portrait shot whose
 *    EXIF orientation was lost, a camera held sideways): fern subsets with one or two
 *    photos turned by 90/180/270° through their pixels, no EXIF;
 *  - large: fern's sparse split upscaled 8x to 4032x3024 JPEGs (a 12 MP phone's size).
 * Per case: Sparrow with XFeat + LighterGlue with the rotation search
 * (engine/pose/rotation-search.ts) and without it (turned cases), Sparrow with AKAZE
 * (rotation invariant), and COLMAP 3.8 (SIFT; one camera per photo where the sizes differ)
 * on the same files, side by side, each timed from the files. Reference poses: fern's,
 * each turned photo's camera rolled with its pixels, focal lengths scaled for the large
 * photos. Results go to bench/results/poses-photos.md.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { decodeImage, encodePng } from '../engine/io/image.js';
import { estimatePoses } from '../engine/pose/estimate-poses.js';
import { chooseFeatureBackend } from '../engine/pose/feature-backends.js';
import type { FeatureBackend } from '../engine/pose/features.js';
import { mul3, mulVec3 } from '../engine/pose/linalg.js';
import { createOrbBackend } from '../engine/pose/orb.js';
import { turnImage } from '../engine/pose/turned-features.js';
import type { Camera } from '../engine/splat/camera.js';
import { upscaleBilinear } from '../test/util/upscale.js';
import { errorsFor, f, flagReader, loadScene, runColmap, subsets, type Subset } from './poses.js';

const DATA = resolve('../shared/data');

interface Case {
  id: string;
  subset: string;
  /** index in the subset -> clockwise turn of its pixels */
  turns: Map<number, number>;
  /** every photo upscaled by this factor and stored as JPEG */
  upscale?: number;
}

const CASES: Case[] = [
  { id: 'fern3-90', subset: 'fern3', turns: new Map([[1, 90]]) },
  { id: 'fern3-180', subset: 'fern3', turns: new Map([[1, 180]]) },
  { id: 'fern3-270', subset: 'fern3', turns: new Map([[1, 270]]) },
  { id: 'fern6-2x90', subset: 'fern6', turns: new Map([[2, 90], [4, 90]]) },
  { id: 'fern3-12mp', subset: 'fern3', turns: new Map(), upscale: 8 },
];

/** The reference camera of a photo turned clockwise by deg: rolled with its pixels (about +z, OpenCV axes). */
function rolled(c: Camera, deg: number): Camera {
  const r = (deg * Math.PI) / 180;
  const [co, si] = [Math.round(Math.cos(r)), Math.round(Math.sin(r))];
  const Rz = [co, -si, 0, si, co, 0, 0, 0, 1];
  const odd = deg % 180 !== 0;
  return { ...c, width: odd ? c.height : c.width, height: odd ? c.width : c.height, R: mul3(Rz, c.R), t: mulVec3(Rz, c.t) };
}

async function main() {
  const arg = flagReader(process.argv.slice(2));
  const wanted = arg('--cases')?.split(',');
  const withColmap = !process.argv.includes('--no-colmap');
  const { backend: xfeat } = await chooseFeatureBackend({ prefer: 'xfeat' });
  if (!xfeat.name.startsWith('xfeat')) throw new Error('bench:poses-photos needs the XFeat weights (../shared/models or --models)');
  const akaze = createOrbBackend({ detector: 'akaze' });
  const rows: string[] = [];
  for (const c of CASES.filter((x) => !wanted || wanted.includes(x.id))) {
    const s = subsets().find((x) => x.id === c.subset)!;
    const scene = loadScene(s.scene).cameras;
    // The photos as a user would have them: turned ones re-encoded as PNG (no EXIF), the rest as they are.
    const dir = mkdtempSync(join(tmpdir(), `turned-${c.id}-`));
    const photos = [];
    const ref = new Map<string, Camera>();
    const names: string[] = [];
    for (const [k, file] of s.files.entries()) {
      const bytes = new Uint8Array(readFileSync(join(DATA, s.scene, file)));
      const deg = c.turns.get(k);
      const name = c.upscale ? basename(file).replace(/\.png$/, '.jpg') : basename(file);
      const out = join(dir, name);
      if (deg) writeFileSync(out, encodePng(turnImage(await decodeImage(bytes, file), deg).image));
      else if (c.upscale) writeFileSync(out, jpeg.encode(upscaleBilinear(await decodeImage(bytes, file), c.upscale), 90).data);
      else symlinkSync(join(DATA, s.scene, file), out);
      names.push(name);
      const cam = deg ? rolled(scene.get(file)!, deg) : scene.get(file)!;
      const k8 = c.upscale ?? 1;
      ref.set(file, { ...cam, width: cam.width * k8, height: cam.height * k8, fx: cam.fx * k8, fy: cam.fy * k8, cx: cam.cx * k8, cy: cam.cy * k8 });
    }
    const runs: [string, FeatureBackend, boolean][] = [
      ['Sparrow xfeat+lighterglue, rotation search', xfeat, true],
      ...(c.turns.size ? [['Sparrow xfeat+lighterglue, no search', xfeat, false] as [string, FeatureBackend, boolean]] : []),
      ['Sparrow akaze', akaze, true],
    ];
    for (const [label, backend, search] of runs) {
      const t0 = performance.now();
      // From the files: decoding a 12 MP JPEG is part of the cost.
      const photos = s.files.map((file, k) => ({ name: file, bytes: new Uint8Array(readFileSync(join(dir, names[k]))) }));
      const est = await estimatePoses(photos, { backend, rotationSearch: search ? undefined : false });
      const seconds = (performance.now() - t0) / 1000;
      const cams = new Map<string, Camera>();
      for (const v of est.views) if (v.camera) cams.set(v.name, v.camera);
      const e = errorsFor(cams, ref, s.files);
      const turned = est.views.filter((v) => v.turnedDegrees).map((v) => `${basename(v.name)} turned ${v.turnedDegrees}°`);
      const left = est.views.filter((v) => !v.registered).map((v) => basename(v.name));
      const note = [...turned, ...(left.length ? [`not registered: ${left.join(', ')}`] : [])].join('; ');
      rows.push(`| ${c.id} | ${label} | ${cams.size}/${s.files.length} | ${f(e?.pairwiseRotationMeanDeg ?? NaN)} | ${f(e?.pairwiseRotationMaxDeg ?? NaN)} | ${f(e?.ateFraction ?? NaN, 3)} | ${f((e?.focalErr ?? NaN) * 100, 1)}% | ${f(seconds, 1)} | ${note} |`);
      console.error(rows[rows.length - 1]);
    }
    if (withColmap) {
      const files = s.files.map((file, k) => join(dirname(file), names[k]));
      const refByName = new Map(s.files.map((file, k) => [files[k], ref.get(file)!]));
      const r = runColmap({ ...s, id: c.id, files } as Subset, refByName, { photoDir: dir, singleCamera: c.turns.size === 0 });
      rows.push(`| ${c.id} | ${r.method}${c.turns.size ? ', one camera per photo' : ''} | ${r.registered}/${r.total} | ${f(r.pairMean)} | ${f(r.pairMax)} | ${f(r.ate, 3)} | ${f(r.focalErr * 100, 1)}% | ${f(r.seconds, 1)} | ${r.note} |`);
      console.error(rows[rows.length - 1]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    '# Photos as users have them: turned, large (`npm run bench:poses-photos`)',
    '',
    `Date: ${new Date().toISOString()}. Machine: ${process.platform}, 2 shared CPU cores; CPU only (no GPU work in this stage).`,
    `Command: \`npm run bench:poses-photos -- ${process.argv.slice(2).join(' ')}\`.`,
    '',
    'fern subsets with photos turned through their pixels (PNG, no EXIF): fern3-90 = the sparse split with its second photo turned 90° clockwise, etc.;',
    'fern6-2x90 = six views with the third and fifth turned 90°; fern3-12mp = the sparse split upscaled 8x (bilinear) to 4032x3024 JPEGs (quality 90).',
    'Reference: fern\'s poses, each turned photo\'s camera rolled with its pixels, the focal length scaled with the photos. All times from the files (decoding included).',
    'Errors as in bench:poses (pairwise relative rotation, ATE / spread after similarity alignment, worst focal error). Sparrow wall time in-process.',
    '',
    '| case | method | registered | pairwise rot. mean (°) | pairwise rot. max (°) | ATE / spread | focal err. | wall time (s) | notes |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
  writeFileAtomic(arg('--out') ?? 'bench/results/poses-photos.md', lines.join('\n'));
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
