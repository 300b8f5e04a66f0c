import { strFromU8, unzipSync, zipSync } from 'fflate';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSceneFile } from '../../engine/io/scene-file.js';
import { describe, expect, it } from 'vitest';
import { decodeSog, encodeSog } from '../../engine/io/sog.js';
import { shCoeffCount, type GaussianScene } from '../../engine/splat/scene.js';
import { expectAllClose, rng } from '../util/close.js';
import { expectQuatsClose, opacities, randomScene, shBand } from './scenes.js';

/** Decoded value must be the codebook entry nearest to the true one (what a scalar codebook promises). */
function expectNearestEntry(name: string, got: ArrayLike<number>, ref: ArrayLike<number>, codebook: number[], maxError: number) {
  for (let i = 0; i < ref.length; i++) {
    const best = Math.min(...codebook.map((c) => Math.abs(c - ref[i])));
    const e = Math.abs(got[i] - ref[i]);
    if (!(e <= best + 1e-6) || !(e <= maxError)) throw new Error(`${name}[${i}]: error ${e}, nearest codebook entry is ${best} away (limit ${maxError})`);
  }
}

async function roundTrip(scene: GaussianScene) {
  const bytes = await encodeSog(scene);
  const meta = JSON.parse(strFromU8(unzipSync(bytes)['meta.json']));
  const back = await decodeSog(bytes, 'rt.sog');
  expect(back.count).toBe(scene.count);
  expect(back.shDegree).toBe(scene.shDegree);
  // Means: 16-bit unorm of l = sign(x) ln(|x|+1): |dl| <= range/65535/2, |dx| <= |dl| (|x|+1) e^|dl|.
  for (let i = 0; i < scene.count * 3; i++) {
    const a = i % 3;
    const dl = (meta.means.maxs[a] - meta.means.mins[a]) / 65535 / 2;
    const bound = dl * (Math.abs(scene.means[i]) + 1) * Math.exp(dl) + 1e-6;
    expect(Math.abs(back.means[i] - scene.means[i])).toBeLessThanOrEqual(bound);
  }
  // Quaternion: 8-bit components over [-1/sqrt2, 1/sqrt2]: half step 2.8e-3, largest derived: <= 1.2e-2.
  expectQuatsClose('quats', back.quats, scene.quats, 1.2e-2);
  expectAllClose('opacity', opacities(back.opacityLogits), opacities(scene.opacityLogits), 0.5 / 255 + 1e-6, 0);
  // 256-entry k-means codebooks over our fixture's ranges (log scale 7 wide, DC 3 wide): the nearest
  // entry is at most a few hundredths away.
  expectNearestEntry('logScales', back.logScales, scene.logScales, meta.scales.codebook, 0.05);
  expectNearestEntry('dc', shBand(back, 0, 1), shBand(scene, 0, 1), meta.sh0.codebook, 0.03);
  if (scene.shDegree > 0) {
    // The palette has one entry per splat, so only the scalar codebook quantizes.
    expectNearestEntry('sh rest', shBand(back, 1, shCoeffCount(scene.shDegree)), shBand(scene, 1, shCoeffCount(scene.shDegree)), meta.shN.codebook, 0.02);
  }
}

describe('PlayCanvas SOG (v2)', () => {
  for (const degree of [0, 1, 3]) {
    it(`round-trips SH degree ${degree} within its 16-bit / 8-bit / codebook quantization`, async () => {
      await roundTrip(randomScene(300, degree, 60 + degree));
    });
  }

  it('reads an unbundled SOG (meta.json beside its images) like the zip', async () => {
    const scene = randomScene(100, 2, 3);
    const bytes = await encodeSog(scene);
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-sog-'));
    try {
      for (const [name, data] of Object.entries(unzipSync(bytes))) writeFileSync(join(dir, name), data);
      const fromFolder = await readSceneFile(join(dir, 'meta.json'));
      const fromZip = await decodeSog(bytes, 'x.sog');
      expectAllClose('means', fromFolder.means, fromZip.means, 0, 0);
      expectAllClose('sh', fromFolder.sh, fromZip.sh, 0, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('above 65536 splats, the product-quantized SH palette recovers clustered SH to its noise level', async () => {
    // 66000 splats whose SH are 20 prototypes plus uniform noise of +-0.02 (RMS 0.0115): a palette
    // that finds the prototypes leaves about the noise as error; a broken label <-> entry mapping
    // or a missed prototype leaves errors of the prototypes' spread (~0.3).
    const n = 66000;
    const scene = randomScene(n, 3, 12, { shRange: 0.5 });
    const prototypes = randomScene(20, 3, 13, { shRange: 0.5 });
    const rand = rng(14);
    for (let i = 0; i < n; i++) for (let k = 1; k < 16; k++) for (let c = 0; c < 3; c++) {
      scene.sh[(i * 16 + k) * 3 + c] = prototypes.sh[((i % 20) * 16 + k) * 3 + c] + 0.02 * (rand() * 2 - 1);
    }
    const bytes = await encodeSog(scene);
    const meta = JSON.parse(strFromU8(unzipSync(bytes)['meta.json']));
    expect(meta.shN.count).toBeLessThanOrEqual(65536);
    const back = await decodeSog(bytes, 'big.sog');
    const got = shBand(back, 1, 16), ref = shBand(scene, 1, 16);
    let se = 0;
    for (let i = 0; i < ref.length; i++) se += (got[i] - ref[i]) ** 2;
    // Noise RMS 0.0115 plus the 256-entry codebook's rounding (a few 1e-3).
    expect(Math.sqrt(se / ref.length)).toBeLessThan(0.016);
  }, 60_000);

  it('rejects unknown versions, missing images and counts the images cannot hold', async () => {
    const bytes = await encodeSog(randomScene(40, 1, 2));
    const files = unzipSync(bytes);
    const meta = JSON.parse(strFromU8(files['meta.json']));
    const rezip = (m: object, drop?: string) => {
      const f: Record<string, Uint8Array> = { ...files, 'meta.json': new TextEncoder().encode(JSON.stringify(m)) };
      if (drop) delete f[drop];
      return zipSync(f, { level: 0 });
    };
    await expect(decodeSog(rezip({ ...meta, version: 3 }), 'a.sog')).rejects.toThrow(/^a\.sog: unknown SOG version 3/);
    await expect(decodeSog(rezip(meta, 'quats.webp'), 'a.sog')).rejects.toThrow(/a\.sog: SOG is missing quats\.webp/);
    // More splats than image pixels: caught from the WebP header, before decoding.
    await expect(decodeSog(rezip({ ...meta, count: 5000 }), 'a.sog')).rejects.toThrow(/a\.sog: SOG means_l\.webp is \d+x\d+, expected 5000\.\.75536 pixels/);
    await expect(decodeSog(rezip({ ...meta, count: 1e9 }), 'a.sog')).rejects.toThrow(/SOG count 1000000000 is not a valid splat count/);
    await expect(decodeSog(new Uint8Array([1, 2, 3]), 'a.sog')).rejects.toThrow(/^a\.sog: /);
  });
});
