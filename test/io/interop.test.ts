/**
 * Files written by another tool: PlayCanvas splat-transform 3.7.0 (npm, devDependency),
 * run through its CLI on a PLY we wrote, then read back with our readers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLIP_YZ, flipAxes } from '../../engine/io/frames.js';
import { encodePly } from '../../engine/io/ply.js';
import { readSceneFile, writeSceneFile } from '../../engine/io/scene-file.js';
import { SH_C0, shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose } from '../util/close.js';
import { covariances, expectQuatsClose, opacities, permuteScene, randomScene, shBand } from './scenes.js';

const CLI = join(process.cwd(), 'node_modules/@playcanvas/splat-transform/bin/cli.mjs');
const EXTENT = 2;
let dir = '';
let source: GaussianScene;

function splatTransform(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '-w', '-q', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`splat-transform ${args.join(' ')} failed: ${r.stderr}`);
}

/** Their writers may reorder splats: match each read splat to the source by nearest position. */
function matchToSource(got: GaussianScene, src: GaussianScene): GaussianScene {
  const order = new Uint32Array(got.count);
  for (let i = 0; i < got.count; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < src.count; j++) {
      const d = (got.means[i * 3] - src.means[j * 3]) ** 2 + (got.means[i * 3 + 1] - src.means[j * 3 + 1]) ** 2 + (got.means[i * 3 + 2] - src.means[j * 3 + 2]) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    order[i] = best;
  }
  expect(new Set(order).size).toBe(src.count); // a bijection, not a many-to-one match
  return permuteScene(src, order);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-interop-'));
  source = randomScene(400, 3, 2024, { extent: EXTENT, shRange: 0.8 });
  // Unit quaternions: splat-transform's .splat writer packs rot_0..3 without normalizing
  // (clamping unnormalized INRIA quaternions); every other writer normalizes.
  for (let i = 0; i < source.count; i++) {
    const q = source.quats.subarray(i * 4, i * 4 + 4);
    const len = Math.hypot(q[0], q[1], q[2], q[3]);
    for (let a = 0; a < 4; a++) q[a] /= len;
  }
  writeFileSync(join(dir, 'in.ply'), encodePly(source));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading splat-transform 3.7.0 output', () => {
  it('compressed PLY: within its 11/10/11-bit, 8-bit colour and SH quantization', async () => {
    splatTransform('in.ply', 'out.compressed.ply');
    const got = await readSceneFile(join(dir, 'out.compressed.ply'));
    expect(got.shDegree).toBe(3);
    const ref = matchToSource(got, source);
    // Chunk boxes are at most the scene box (2*EXTENT): half a step of 11/10 bits over it.
    const step = [11, 10, 11].map((b) => (2 * EXTENT) / ((1 << b) - 1) / 2 + 1e-6);
    for (let a = 0; a < 3; a++) {
      expectAllClose(`means ${a}`, got.means.filter((_, j) => j % 3 === a), ref.means.filter((_, j) => j % 3 === a), step[a], 0);
    }
    // Colour 8 bits over at most [0, 1] -> 0.5/255/C0 in DC.
    expectAllClose('dc', shBand(got, 0, 1), shBand(ref, 0, 1), 0.5 / 255 / SH_C0 + 1e-6, 0);
    expectAllClose('opacity', opacities(got.opacityLogits), opacities(ref.opacityLogits), 0.5 / 255 + 1e-6, 0);
    expectQuatsClose('quats', got.quats, ref.quats, 3e-3);
    // SH bytes: 8/256 per step -> 1/64 (splat-transform uses the same mapping).
    expectAllClose('sh rest', shBand(got, 1, 16), shBand(ref, 1, 16), 1 / 64 + 1e-6, 0);
  }, 60_000);

  for (const version of [3, 4]) {
    it(`SPZ v${version}: decodes within SPZ bounds; splat-transform stores the PLY frame unconverted`, async () => {
      splatTransform('--spz-version', String(version), 'in.ply', `out${version}.spz`);
      const bytes = readFileSync(join(dir, `out${version}.spz`));
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes[0] === 0x1f ? 0 : 4, true)).not.toBe(0);
      const got = await readSceneFile(join(dir, `out${version}.spz`));
      // Our reader converts SPZ's RUB to our RDF world (flip y, z). splat-transform writes the PLY's
      // axes without conversion (CoordinateSystem UNSPECIFIED), so its file reads back flipped:
      // flipping once more must give the source within SPZ's quantization.
      const unflipped = flipAxes(got, FLIP_YZ);
      const ref = matchToSource(unflipped, source);
      expectAllClose('means', unflipped.means, ref.means, 0.5 / 4096 + 1e-6, 0);
      expectAllClose('dc', shBand(unflipped, 0, 1), shBand(ref, 0, 1), 0.5 / (0.15 * 255) + 1e-6, 0);
      expectAllClose('logScales', unflipped.logScales, ref.logScales, 1 / 32 + 1e-6, 0);
      expectQuatsClose('quats', unflipped.quats, ref.quats, 3e-3);
      // Niantic's writer rounds v*128+128 to an integer first, then to the 5/4-bit bucket:
      // error <= (0.5 + 4)/128 for degree 1 and (0.5 + 8)/128 above (ours rounds once: 4/128, 8/128).
      expectAllClose('sh degree 1', shBand(unflipped, 1, 4), shBand(ref, 1, 4), 4.5 / 128 + 1e-6, 0);
      expectAllClose('sh degree 2-3', shBand(unflipped, 4, 16), shBand(ref, 4, 16), 8.5 / 128 + 1e-6, 0);
    }, 60_000);
  }

  it('GLB (KHR_gaussian_splatting): same frame convention as ours, float32 exact', async () => {
    splatTransform('in.ply', 'out.glb');
    const got = await readSceneFile(join(dir, 'out.glb'));
    expect(got.shDegree).toBe(3);
    expect(got.count).toBe(source.count);
    expectAllClose('means', got.means, source.means, 0, 0);
    expectAllClose('sh', got.sh, source.sh, 0, 0);
    expectAllClose('logScales', got.logScales, source.logScales, 1e-6, 0);
    // splat-transform rotates the Gaussian frame as q' = r q, we conjugate (q' = r q r^-1, as Niantic's
    // SPZ converter does); for a 180-degree flip both give the same covariance, which is what a renderer
    // sees. Covariance entries are ~exp(2 * logScale) <= e^2: float32 rounding of exp and the quaternion.
    expectAllClose('covariance', covariances(got), covariances(source), 1e-6, 1e-5);
  }, 60_000);

  it('SOG (CPU k-means): positions, rotations, opacity, codebooks and the clustered SH palette', async () => {
    splatTransform('-g', 'cpu', '-i', '3', 'in.ply', 'out.sog');
    const got = await readSceneFile(join(dir, 'out.sog'));
    expect(got.shDegree).toBe(3);
    const ref = matchToSource(got, source);
    // 16 bits of ln(|x|+1) over [-ln 3, ln 3], truncated by splat-transform (we round): one full step,
    // |dx| <= 2 ln3 / 65535 * (EXTENT + 1) * 1.0001.
    expectAllClose('means', got.means, ref.means, ((2 * Math.log(EXTENT + 1)) / 65535) * (EXTENT + 1) * 1.0001, 0);
    expectQuatsClose('quats', got.quats, ref.quats, 1.2e-2);
    // Opacity byte truncated as well: one full step.
    expectAllClose('opacity', opacities(got.opacityLogits), opacities(ref.opacityLogits), 1 / 255 + 1e-6, 0);
    // Their 256-entry k-means codebooks: a few hundredths over these ranges.
    expectAllClose('logScales', got.logScales, ref.logScales, 0.05, 0);
    expectAllClose('dc', shBand(got, 0, 1), shBand(ref, 0, 1), 0.03, 0);
    // Higher SH go through a clustered palette (lossy by design): the decoded SH must still be far
    // closer to the source than a wrong channel/coefficient mapping would be (RMS error < 0.7 x RMS).
    const g = shBand(got, 1, 16), r = shBand(ref, 1, 16);
    let err = 0, mag = 0;
    for (let i = 0; i < r.length; i++) { err += (g[i] - r[i]) ** 2; mag += r[i] ** 2; }
    expect(Math.sqrt(err / r.length)).toBeLessThan(0.7 * Math.sqrt(mag / r.length));
  }, 120_000);

  it('.splat: 32-byte rows', async () => {
    splatTransform('in.ply', 'out.splat');
    const got = await readSceneFile(join(dir, 'out.splat'));
    const ref = matchToSource(got, source);
    expectAllClose('means', got.means, ref.means, 0, 0);
    // splat-transform truncates bytes (we round): up to one full step, 1/255/C0 for colour and
    // 1/128 per quaternion component (renormalized: 1/64).
    expectAllClose('dc', shBand(got, 0, 1), shBand(ref, 0, 1), 1 / 255 / SH_C0 + 1e-6, 0);
    expectQuatsClose('quats', got.quats, ref.quats, 1 / 64);
    expect(shCoeffCount(got.shDegree)).toBe(1);
  }, 60_000);
});

describe('splat-transform 3.7.0 reading our files', () => {
  // (splat-transform 3.7.0 writes GLB but does not read it.)
  it('reads our compressed PLY, SPZ v3/v4, .splat and SOG back to the source', async () => {
    // Per case: position and log-scale bounds (half a quantization step of the format, as in the
    // round-trip tests), and a quaternion bound.
    const cases = [
      { file: 'ours.compressed.ply', opts: {}, flip: false, pos: (2 * EXTENT) / 1023 / 2 + 1e-6, scale: 7 / 1023 / 2 + 1e-6, quat: 3e-3 },
      { file: 'ours3.spz', opts: { spzVersion: 3 as const }, flip: true, pos: 0.5 / 4096 + 1e-6, scale: 1 / 32 + 1e-6, quat: 3e-3 },
      { file: 'ours4.spz', opts: { spzVersion: 4 as const }, flip: true, pos: 0.5 / 4096 + 1e-6, scale: 1 / 32 + 1e-6, quat: 3e-3 },
      { file: 'ours.splat', opts: {}, flip: false, pos: 0, scale: 1e-6, quat: 1 / 64 },
      // SOG: 16-bit log-space positions, 256-entry scale codebook, 8-bit quaternions.
      { file: 'ours.sog', opts: {}, flip: false, pos: ((2 * Math.log(EXTENT + 1)) / 65535 / 2) * (EXTENT + 1) * 1.0001, scale: 0.05, quat: 1.2e-2 },
    ];
    for (const c of cases) {
      await writeSceneFile(join(dir, c.file), source, undefined, c.opts);
      splatTransform(c.file, `${c.file}.back.ply`);
      let got = await readSceneFile(join(dir, `${c.file}.back.ply`));
      expect(got.count, c.file).toBe(source.count);
      // splat-transform reads SPZ without frame conversion, so it sees our RUB axes.
      if (c.flip) got = flipAxes(got, FLIP_YZ);
      const ref = matchToSource(got, source);
      expectAllClose(`${c.file} means`, got.means, ref.means, c.pos, 0);
      expectAllClose(`${c.file} logScales`, got.logScales, ref.logScales, c.scale, 0);
      expectAllClose(`${c.file} opacity`, opacities(got.opacityLogits), opacities(ref.opacityLogits), 0.5 / 255 + 1e-6, 0);
      expectQuatsClose(`${c.file} quats`, got.quats, ref.quats, c.quat);
    }
  }, 120_000);
});
