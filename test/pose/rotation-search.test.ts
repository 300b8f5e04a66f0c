/**
 * The rotation search inside estimatePoses (rotation-search.ts), through a scripted
 * backend that is rotation-sensitive the way XFeat is: it sees which way up the image it
 * is given is (a red corner block), and its descriptors only match between images turned
 * the same way relative to the world. One photo's pixels are turned by 90°.
 */
import { describe, expect, it } from 'vitest';
import { encodePng, type RgbaImage } from '../../engine/io/image.js';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { poseErrors } from '../../engine/pose/align.js';
import { estimatePoses } from '../../engine/pose/estimate-poses.js';
import { poseReport } from '../../engine/pose/export.js';
import type { FeatureBackend, Keypoints, Matches } from '../../engine/pose/features.js';
import { mul3 } from '../../engine/pose/linalg.js';
import { turnImage } from '../../engine/pose/turned-features.js';
import { lookAtCamera, type Camera } from '../../engine/splat/camera.js';
import { gaussian, rng } from '../util/close.js';
import { projectAll } from './synthetic.js';

const S = 320; // square photos: a turn keeps their size (and their camera group)
const F = S / 2 / Math.tan(Math.PI / 6); // the pipeline's default 60° field of view
const N = 300;

function scene() {
  const rand = rng(5);
  const points = new Float64Array(3 * N).map(() => (rand() - 0.5) * 3);
  const cameras: Camera[] = [-24, -8, 8, 24].map((deg) => lookAtCamera([6 * Math.sin((deg * Math.PI) / 180), 0.4 * (rand() - 0.5), -6 * Math.cos((deg * Math.PI) / 180)], [0, 0, 0], [0, -1, 0], { width: S, height: S, fx: F, fy: F }));
  return { points, cameras };
}

/** The upright photo of view v: grey, a red block top-left (which way up), the view's id in the centre. */
function uprightPhoto(v: number): RgbaImage {
  const data = new Uint8Array(S * S * 4).fill(128);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) data.set([255, 0, 0, 255], 4 * (y * S + x));
  for (let y = S / 2 - 1; y <= S / 2; y++) for (let x = S / 2 - 1; x <= S / 2; x++) data.set([10 * v, 10 * v, 10 * v, 255], 4 * (y * S + x));
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: S, height: S, data };
}

/** Clockwise turn (0/90/180/270) of an image relative to upright: where its red block is. */
function turnOf(img: RgbaImage): number {
  const red = (x: number, y: number) => img.data[4 * (y * img.width + x)] === 255 && img.data[4 * (y * img.width + x) + 1] === 0;
  const [w, h] = [img.width - 1, img.height - 1];
  if (red(2, 2)) return 0;
  if (red(w - 2, 2)) return 90;
  if (red(w - 2, h - 2)) return 180;
  if (red(2, h - 2)) return 270;
  return NaN; // a 45° copy: no corner block (its descriptors match nothing, as XFeat's barely would)
}

/** Pixel position of upright (x, y) in an image turned clockwise by deg (square S x S). */
function turnPoint(x: number, y: number, deg: number): [number, number] {
  if (deg === 90) return [S - y, x];
  if (deg === 180) return [S - x, S - y];
  if (deg === 270) return [y, S - x];
  return [x, y];
}

/** Keypoints = the points' projections in whatever turned copy it is given; descriptor = [point, turn]. */
function rotationSensitiveBackend(keypoints: Float64Array[], opts: { rotationInvariant?: boolean; unmatchable?: number; chance?: { deg: number; count: number }; screen?: boolean } = {}): FeatureBackend & { calls: number; matches: number; screens: number } {
  const match = async (a: Keypoints, b: Keypoints): Promise<Matches> => {
    const at = new Map<string, number>();
    for (let j = 0; j < b.xy.length / 2; j++) at.set(`${b.descriptors[2 * j]}|${b.descriptors[2 * j + 1]}`, j);
    const m: number[] = [];
    for (let i = 0; i < a.xy.length / 2; i++) {
      const j = at.get(`${a.descriptors[2 * i]}|${a.descriptors[2 * i + 1]}`);
      if (j !== undefined) m.push(i, j);
    }
    return { pairs: Uint32Array.from(m), scores: new Float32Array(m.length / 2).fill(1) };
  };
  const backend = {
    calls: 0,
    matches: 0,
    screens: 0,
    name: 'scripted-rotation-sensitive',
    extractor: {
      name: 'scripted-rotation-sensitive',
      rotationInvariant: opts.rotationInvariant,
      async extract(img: RgbaImage): Promise<Keypoints> {
        backend.calls++;
        const deg = turnOf(img);
        const v = img.data[4 * ((img.height / 2) * img.width + img.width / 2)] / 10;
        const xy: number[] = [];
        const desc: number[] = [];
        const px = keypoints[v];
        for (let i = 0; i < N && Number.isFinite(deg); i++) {
          if (!Number.isFinite(px[2 * i])) continue;
          xy.push(...turnPoint(px[2 * i], px[2 * i + 1], deg));
          // The unmatchable view (another scene) matches nothing, except `chance.count` points when turned by `chance.deg` (chance matches).
          const real = v !== opts.unmatchable || (opts.chance !== undefined && deg === opts.chance.deg && i < opts.chance.count);
          desc.push(real ? i : -1 - i, real && v === opts.unmatchable ? 0 : deg);
        }
        return { width: img.width, height: img.height, xy: Float32Array.from(xy), scores: new Float32Array(xy.length / 2).fill(1), descriptors: Float32Array.from(desc), descriptorDim: 2, descriptorKind: 'float' };
      },
    },
    matcher: { name: 'scripted-rotation-sensitive', match: (a: Keypoints, b: Keypoints) => (backend.matches++, match(a, b)) },
    // The same matches, counted apart: what a cheap screening matcher would rank the turns with.
    screenMatcher: opts.screen ? { name: 'scripted-screen', match: (a: Keypoints, b: Keypoints) => (backend.screens++, match(a, b)) } : undefined,
  };
  return backend;
}

function setup(turnedViews: number[], turn: number) {
  const { points, cameras } = scene();
  const keypoints = cameras.map((cam, v) => {
    const px = projectAll(cam, points);
    const noise = rng(40 + v);
    for (let i = 0; i < px.length; i++) px[i] += 0.3 * gaussian(noise);
    return px;
  });
  // The photos as stored: the turned views' pixels turned clockwise by `turn` (like a lost EXIF orientation).
  const photos = cameras.map((_, v) => ({ name: `view${v}.png`, bytes: encodePng(turnedViews.includes(v) ? turnImage(uprightPhoto(v), turn).image : uprightPhoto(v)) }));
  // The camera of the turned photo: rolled with its pixels (p' = Rz p, clockwise on screen = about +z).
  const r = (turn * Math.PI) / 180;
  const [c, s] = [Math.round(Math.cos(r)), Math.round(Math.sin(r))];
  const truth = cameras.map((cam, v) => (turnedViews.includes(v) ? { ...cam, R: mul3([c, -s, 0, s, c, 0, 0, 0, 1], cam.R), t: [c * cam.t[0] - s * cam.t[1], s * cam.t[0] + c * cam.t[1], cam.t[2]] } : cam));
  return { keypoints, photos, truth };
}

describe('estimatePoses: rotation search for photos turned in their image plane', () => {
  it('links a photo whose pixels are turned by 90°, reports the turn, and gets its pose right', async () => {
    const { keypoints, photos, truth } = setup([2], 90);
    const events: SparrowEvent[] = [];
    const est = await estimatePoses(photos, { backend: rotationSensitiveBackend(keypoints), onEvent: (e) => events.push(e) });
    expect(est.views.map((v) => v.registered)).toEqual([true, true, true, true]);
    // Turned back by 270° clockwise; its keypoints in its own (turned) pixels.
    expect(est.views[2].turnedDegrees).toBe(270);
    expect(est.views.filter((v) => v.turnedDegrees !== undefined)).toHaveLength(1);
    expect((poseReport(est).views as { featuresTurnedDegrees: number | null }[]).map((v) => v.featuresTurnedDegrees)).toEqual([null, null, 270, null]);
    expect(events.some((e) => e.type === 'warning' && /view2\.png: matched only after turning it by 270°/.test(e.message))).toBe(true);
    const err = poseErrors(est.views.map((v) => v.camera!), truth);
    expect(err.pairwiseRotationMaxDeg).toBeLessThan(0.3);
    expect(err.ateFraction).toBeLessThan(0.02);
    expect(est.pairs.filter((p) => p.a === 'view2.png' || p.b === 'view2.png').every((p) => p.inliers > 250)).toBe(true);
  }, 60_000);

  it('finds 180°, and turns a group of photos turned alike together (the first group stays as it is)', async () => {
    const one = setup([1], 180);
    const est = await estimatePoses(one.photos, { backend: rotationSensitiveBackend(one.keypoints) });
    expect(est.views.every((v) => v.registered)).toBe(true);
    expect(est.views.map((v) => v.turnedDegrees)).toEqual([undefined, 180, undefined, undefined]);
    expect(poseErrors(est.views.map((v) => v.camera!), one.truth).pairwiseRotationMaxDeg).toBeLessThan(0.3);
    // Views 2 and 3 turned alike: they match each other as they are, and are turned back together.
    const two = setup([2, 3], 90);
    const both = await estimatePoses(two.photos, { backend: rotationSensitiveBackend(two.keypoints) });
    expect(both.views.every((v) => v.registered)).toBe(true);
    expect(both.views.map((v) => v.turnedDegrees)).toEqual([undefined, undefined, 270, 270]);
    expect(poseErrors(both.views.map((v) => v.camera!), two.truth).pairwiseRotationMaxDeg).toBeLessThan(0.3);
  }, 60_000);

  it('without it (or with a rotation-invariant extractor) the turned photo is left out by name', async () => {
    const { keypoints, photos } = setup([2], 90);
    const off = await estimatePoses(photos, { backend: rotationSensitiveBackend(keypoints), rotationSearch: false });
    expect(off.views[2].registered).toBe(false);
    expect(off.views[2].reason).toMatch(/no verified matches with any other photo/);
    const invariant = rotationSensitiveBackend(keypoints, { rotationInvariant: true });
    const est = await estimatePoses(photos, { backend: invariant });
    expect(est.views[2].registered).toBe(false);
    expect(invariant.calls).toBe(4); // one extraction per photo: no turned copies tried
  }, 60_000);

  it('says what it tried when no turn links a photo (another scene)', async () => {
    const { keypoints, photos } = setup([3], 0);
    const backend = rotationSensitiveBackend(keypoints, { unmatchable: 3 });
    const est = await estimatePoses(photos, { backend });
    expect(est.views[3].registered).toBe(false);
    expect(est.views[3].turnedDegrees).toBeUndefined();
    expect(est.views[3].reason).toMatch(/also turned copies \(90°, 270°, 180°, 45°, 315°, 135°, 225°\) matched no better: at most 0 verified inliers \(as it is\) with view\d\.png \/ view\d\.png \(a turn needs 50, 3x any other\)/);
    expect(est.views.slice(0, 3).every((v) => v.registered)).toBe(true);
  }, 60_000);

  it('with a screening matcher, the main matcher only confirms: none of its calls on turns that match nothing', async () => {
    const { keypoints, photos, truth } = setup([2], 90);
    const screened = rotationSensitiveBackend(keypoints, { screen: true });
    const est = await estimatePoses(photos, { backend: screened });
    expect(est.views[2].turnedDegrees).toBe(270);
    expect(poseErrors(est.views.map((v) => v.camera!), truth).pairwiseRotationMaxDeg).toBeLessThan(0.3);
    // The 6 pairs; then the confirmed turn (its 0° matches are the first round's), then the probe's 2 other pairs again.
    expect(screened.matches).toBe(6 + 1 + 2);
    // Ranked by the screen: 0°, 90° (nothing), 270° (all of it: 4x the bar, so the ranking stops there).
    expect(screened.screens).toBe(3);

    const other = setup([3], 0);
    const lost = rotationSensitiveBackend(other.keypoints, { unmatchable: 3, screen: true });
    const est2 = await estimatePoses(other.photos, { backend: lost });
    expect(est2.views[3].registered).toBe(false);
    expect(lost.screens).toBe(2 * 8); // two partners, 0° and seven turns each
    expect(lost.matches).toBe(6); // the 6 pairs only: no turn stood out to be confirmed
    const unscreened = rotationSensitiveBackend(other.keypoints, { unmatchable: 3 });
    await estimatePoses(other.photos, { backend: unscreened });
    expect(unscreened.matches).toBe(6 + 2 * 7);
  }, 60_000);

  it('takes a turn only when its inliers stand out: 40 chance matches at 180° are not enough, 150 are', async () => {
    const { keypoints, photos } = setup([3], 0);
    const weak = await estimatePoses(photos, { backend: rotationSensitiveBackend(keypoints, { unmatchable: 3, chance: { deg: 180, count: 40 } }) });
    expect(weak.views[3].registered).toBe(false);
    expect(weak.views[3].reason).toMatch(/at most 4\d verified inliers \(turned 180°\)/);
    // The same 40 are taken when the pair minimum is the only bar (what the first version did).
    const loose = await estimatePoses(photos, { backend: rotationSensitiveBackend(keypoints, { unmatchable: 3, chance: { deg: 180, count: 40 } }), rotationSearch: { minTurnInliers: 20 } });
    expect(loose.views[3].turnedDegrees).toBe(180);
    const strong = await estimatePoses(photos, { backend: rotationSensitiveBackend(keypoints, { unmatchable: 3, chance: { deg: 180, count: 150 } }) });
    expect(strong.views[3].turnedDegrees).toBe(180);
  }, 60_000);
});
