/**
 * `npm run bench:poses-turned [-- --cases fern3-90,fern3-180,fern3-270,fern6-2x90] [--no-colmap] [--out file.md]`
 *
 * Photos whose pixels are turned relative to the others (a portrait shot whose EXIF
 * orientation was lost, a camera held sideways): fern subsets with one or two photos
 * turned by 90/180/270° through their pixels, no EXIF. Per case: Sparrow with XFeat +
 * LighterGlue with the rotation search (engine/pose/rotation-search.ts) and without it,
 * Sparrow with AKAZE (rotation invariant, no search needed), and COLMAP 3.8 (SIFT, one
 * camera per photo since the sizes differ) on the same files, side by side. Reference
 * poses: fern's, each turned photo's camera rolled with its pixels. Results go to
 * bench/results/poses-turned.md.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { decodeImage, encodePng } from '../engine/io/image.js';
import { estimatePoses } from '../engine/pose/estimate-poses.js';
import { chooseFeatureBackend } from '../engine/pose/feature-backends.js';
import type { FeatureBackend } from '../engine/pose/features.js';
import { mul3, mulVec3 } from '../engine/pose/linalg.js';
import { createOrbBackend } from '../engine/pose/orb.js';
import { turnImage } from '../engine/pose/turned-features.js';
import type { Camera } from '../engine/splat/camera.js';
import { errorsFor, f, flagReader, loadScene, runColmap, subsets, type Subset } from './poses.js';

const DATA = resolve('../shared/data');

interface Case {
  id: string;
  subset: string;
  /** index in the subset -> clockwise turn of its pixels */
  turns: Map<number, number>;
}

const CASES: Case[] = [
  { id: 'fern3-90', subset: 'fern3', turns: new Map([[1, 90]]) },
  { id: 'fern3-180', subset: 'fern3', turns: new Map([[1, 180]]) },
  { id: 'fern3-270', subset: 'fern3', turns: new Map([[1, 270]]) },
  { id: 'fern6-2x90', subset: 'fern6', turns: new Map([[2, 90], [4, 90]]) },
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
  if (!xfeat.name.startsWith('xfeat')) throw new Error('bench:poses-turned needs the XFeat weights (../shared/models or --models)');
  const akaze = createOrbBackend({ detector: 'akaze' });
  const rows: string[] = [];
  for (const c of CASES.filter((x) => !wanted || wanted.includes(x.id))) {
    const s = subsets().find((x) => x.id === c.subset)!;
    const scene = loadScene(s.scene).cameras;
    // The photos as a user would have them: turned ones re-encoded as PNG (no EXIF), the rest as they are.
    const dir = mkdtempSync(join(tmpdir(), `turned-${c.id}-`));
    const photos = [];
    const ref = new Map<string, Camera>();
    for (const [k, file] of s.files.entries()) {
      const bytes = new Uint8Array(readFileSync(join(DATA, s.scene, file)));
      const deg = c.turns.get(k);
      const out = join(dir, basename(file));
      if (deg) writeFileSync(out, encodePng(turnImage(await decodeImage(bytes, file), deg).image));
      else symlinkSync(join(DATA, s.scene, file), out);
      photos.push({ name: file, bytes: new Uint8Array(readFileSync(out)) });
      ref.set(file, deg ? rolled(scene.get(file)!, deg) : scene.get(file)!);
    }
    const runs: [string, FeatureBackend, boolean][] = [
      ['Sparrow xfeat+lighterglue, rotation search', xfeat, true],
      ['Sparrow xfeat+lighterglue, no search', xfeat, false],
      ['Sparrow akaze', akaze, true],
    ];
    for (const [label, backend, search] of runs) {
      const t0 = performance.now();
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
      const r = runColmap({ ...s, id: c.id } as Subset, ref, { photoDir: dir, singleCamera: false });
      rows.push(`| ${c.id} | ${r.method}, one camera per photo | ${r.registered}/${r.total} | ${f(r.pairMean)} | ${f(r.pairMax)} | ${f(r.ate, 3)} | ${f(r.focalErr * 100, 1)}% | ${f(r.seconds, 1)} | ${r.note} |`);
      console.error(rows[rows.length - 1]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    '# Photos turned in their image plane (`npm run bench:poses-turned`)',
    '',
    `Date: ${new Date().toISOString()}. Machine: ${process.platform}, 2 shared CPU cores; CPU only (no GPU work in this stage).`,
    `Command: \`npm run bench:poses-turned -- ${process.argv.slice(2).join(' ')}\`.`,
    '',
    'fern subsets with photos turned through their pixels (PNG, no EXIF): fern3-90 = the sparse split with its second photo turned 90° clockwise, etc.;',
    'fern6-2x90 = six views with the third and fifth turned 90°. Reference: fern\'s poses, each turned photo\'s camera rolled with its pixels.',
    'Errors as in bench:poses (pairwise relative rotation, ATE / spread after similarity alignment, worst focal error). Sparrow wall time in-process.',
    '',
    '| case | method | registered | pairwise rot. mean (°) | pairwise rot. max (°) | ATE / spread | focal err. | wall time (s) | notes |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
  writeFileAtomic(arg('--out') ?? 'bench/results/poses-turned.md', lines.join('\n'));
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
