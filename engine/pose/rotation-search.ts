/**
 * Rotation search: photos the matcher cannot link because their pixels are turned
 * relative to the others.
 *
 * A learned extractor (XFeat) describes keypoints in the image's axes, so a photo
 * turned by 90° (EXIF orientation lost, camera held sideways) or an orbit seen from
 * above (neighbouring views rolled by 45° or more) gets almost no right matches: the
 * view graph splits into components. For each component apart from the largest, this
 * tries one of its photos turned by the given angles against a few views of the largest
 * one; an angle whose verified inliers stand out from every other angle's (0° included:
 * clearPeak) is taken for the whole component (its photos are turned together, so the
 * pairs inside it still match), its features are re-extracted turned (keypoints mapped
 * back to the photo's pixels, turned-features.ts) and every pair involving it is matched
 * again. With a cheap screening matcher (XFeat's mutual NN beside LighterGlue) the turns
 * are ranked with it and LighterGlue only confirms the one that stands out: most of the
 * search's cost when nothing is found (object captures split by a wide baseline, not a
 * turn). The caller then verifies and loop-checks all pairs as before, so a wrong turn is
 * held to the same tests as any other match.
 */
import type { RgbaImage } from '../io/image.js';
import type { EventSink } from '../pipeline/events.js';
import { silentSink, throwIfCancelled } from '../pipeline/events.js';
import type { FeatureExtractor, FeatureMatcher, Keypoints } from './features.js';
import { extractTurned } from './turned-features.js';
import { viewComponents } from './view-components.js';

export interface RotationSearchOptions {
  /** default true; false skips the search */
  enabled?: boolean;
  /** clockwise turns tried, in this order (default right angles first, then the 45° ones) */
  angles?: number[];
  /** views of the largest component each probe is matched against (default 2) */
  probePartners?: number;
  /**
   * Verified inliers a turn needs with a probe partner (default 50; at least the pair
   * minimum), and how many times those of every other angle tried, 0° included
   * (default 3). A photo really turned gives hundreds at one angle (fern, 90°: 408-488)
   * and next to none at the others; wide-baseline views of a repetitive object give
   * 20-30 at some angle by chance (lego), which the pair minimum alone would take.
   */
  minTurnInliers?: number;
  peakRatio?: number;
}

interface Trial {
  deg: number;
  partner: number;
  inliers: number;
  pairs: Uint32Array;
}

/** The turn whose inliers stand out: >= minInliers and >= ratio x every other trial's. */
function clearPeak(trials: Trial[], minInliers: number, ratio: number): Trial | null {
  const sorted = [...trials].sort((x, y) => y.inliers - x.inliers);
  const [best, second] = sorted;
  if (best.deg === 0 || best.inliers < minInliers) return null;
  return best.inliers >= ratio * (second?.inliers ?? 0) ? best : null;
}

export const DEFAULT_TURNS = [90, 270, 180, 45, 315, 135, 225];

export interface RotationSearchInput {
  names: string[];
  /** per view; null for views left out (duplicates) */
  images: (RgbaImage | null)[];
  /** per view; entries of turned components are replaced */
  keypoints: (Keypoints | null)[];
  /** all matched pairs (a < b) and their matches, same order; entries are replaced */
  pairList: [number, number][];
  matchPairs: Uint32Array[];
  /** trusted pairs (after verification and the loop check): the components */
  trusted: { a: number; b: number }[];
  extractor: FeatureExtractor;
  matcher: FeatureMatcher;
  /**
   * A cheaper matcher (FeatureBackend.screenMatcher): when given, every turn is ranked with
   * it first, and `matcher` only confirms a turn that stands out in that ranking; without
   * it every turn is matched with `matcher`.
   */
  screen?: FeatureMatcher;
  maxKeypoints?: number;
  /** verified inliers of a pair with these keypoints and matches (0 when it fails) */
  inliers: (a: number, b: number, ka: Keypoints, kb: Keypoints, matches: Uint32Array) => number;
  minInliers: number;
  options?: RotationSearchOptions;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface RotationSearchResult {
  /** view -> clockwise turn (degrees) its features were taken at */
  turned: Map<number, number>;
  /** views of components the search tried and could not link, with what it tried */
  unlinked: Map<number, string>;
}

export async function searchRotations(input: RotationSearchInput): Promise<RotationSearchResult> {
  const onEvent = input.onEvent ?? silentSink;
  const opts = input.options ?? {};
  const angles = opts.angles ?? DEFAULT_TURNS;
  const partnersWanted = opts.probePartners ?? 2;
  const minTurn = Math.max(input.minInliers, opts.minTurnInliers ?? 50);
  const peakRatio = opts.peakRatio ?? 3;
  const { images, keypoints, pairList, matchPairs, names } = input;
  const turned = new Map<number, number>();
  const unlinked = new Map<number, string>();
  const active = images.map((im, i) => (im && keypoints[i] ? i : -1)).filter((i) => i >= 0);
  const components = viewComponents(active, input.trusted);
  if (opts.enabled === false || components.length < 2) return { turned, unlinked };

  const pairIndex = new Map(pairList.map(([a, b], k) => [a * 65536 + b, k]));
  const matchCount = (a: number, b: number) => {
    const k = pairIndex.get(Math.min(a, b) * 65536 + Math.max(a, b));
    return k === undefined ? 0 : matchPairs[k].length / 2;
  };
  /** matches of (a, b) in pair order, whatever order the caller holds them in */
  const matchOrdered = async (matcher: FeatureMatcher, a: number, ka: Keypoints, b: number, kb: Keypoints): Promise<Uint32Array> => {
    return (a < b ? await matcher.match(ka, kb) : await matcher.match(kb, ka)).pairs;
  };
  const cache = new Map<string, Keypoints>();
  const turnedKeypoints = async (v: number, deg: number) => {
    const key = `${v}@${deg}`;
    if (!cache.has(key)) cache.set(key, await extractTurned(input.extractor, images[v]!, deg, input.maxKeypoints));
    return cache.get(key)!;
  };

  const cutOff = components.slice(1);
  onEvent({ type: 'log', stage: 'matching', message: `rotation search: ${cutOff.flat().length} photo(s) in ${cutOff.length} group(s) match no others; trying them turned by ${angles.map((d) => `${d}°`).join(', ')}` });
  const main = [...components[0]];
  for (const comp of cutOff) {
    throwIfCancelled(input.signal);
    // The probe: the component's view with the most keypoints, against the main views it shares the most (raw) matches with.
    const probe = comp.reduce((best, v) => (keypoints[v]!.xy.length > keypoints[best]!.xy.length ? v : best), comp[0]);
    const partners = [...main].sort((x, y) => matchCount(probe, y) - matchCount(probe, x) || x - y).slice(0, partnersWanted);
    let found: Trial | null = null;
    let bestTried: Trial | null = null;
    let bestScreened: Trial | null = null; // the best turn by the screening matcher
    for (const m of partners) {
      const [a, b] = probe < m ? [probe, m] : [m, probe];
      const k = pairIndex.get(a * 65536 + b);
      /** verified inliers of the probe turned by deg (0: as it is) with m, matched by `matcher` */
      const trial = async (deg: number, matcher: FeatureMatcher): Promise<Trial> => {
        const kp = deg ? await turnedKeypoints(probe, deg) : keypoints[probe]!;
        const pairs = !deg && matcher === input.matcher && k !== undefined ? matchPairs[k] : await matchOrdered(matcher, probe, kp, m, keypoints[m]!);
        return { deg, partner: m, inliers: input.inliers(a, b, a === probe ? kp : keypoints[m]!, b === probe ? kp : keypoints[m]!, pairs), pairs };
      };
      // The photo as it is (0°) competes with the turns: a turn must stand out from it too.
      // With a screening matcher the turns are ranked by it and the main matcher confirms the
      // turn that stands out (>= the pair minimum there); without one, the main matcher ranks.
      const ranker = input.screen ?? input.matcher;
      const [bar, strong] = input.screen ? [input.minInliers, 4 * input.minInliers] : [minTurn, 4 * minTurn];
      const ranked: Trial[] = [await trial(0, ranker)];
      let peak: Trial | null = null;
      for (const deg of angles) {
        throwIfCancelled(input.signal);
        ranked.push(await trial(deg, ranker));
        // Once every right angle is tried (the usual case: a lost EXIF orientation), a clear peak
        // ends the ranking; so does a turn with 4x the inliers it needs (a photo really turned
        // gives hundreds; chance matches a few dozen).
        const rightAnglesDone = angles.filter((d) => d % 90 === 0).every((d) => ranked.some((t) => t.deg === d));
        if ((rightAnglesDone || ranked[ranked.length - 1].inliers >= strong) && (peak = clearPeak(ranked, bar, peakRatio))) break;
      }
      peak ??= clearPeak(ranked, bar, peakRatio);
      const trials = input.screen ? [await trial(0, input.matcher), ...(peak ? [await trial(peak.deg, input.matcher)] : [])] : ranked;
      found = input.screen ? clearPeak(trials, minTurn, peakRatio) : peak;
      const best = trials.reduce((x, y) => (y.inliers > x.inliers ? y : x));
      if (!bestTried || best.inliers > bestTried.inliers) bestTried = best;
      const bestTurn = input.screen ? ranked.filter((t) => t.deg).reduce((x, y) => (y.inliers > x.inliers ? y : x)) : null;
      if (bestTurn && (!bestScreened || bestTurn.inliers > bestScreened.inliers)) bestScreened = bestTurn;
      if (found) break;
    }
    const label = comp.map((v) => names[v]).join(', ');
    if (!found) {
      const why = `turned copies (${angles.map((d) => `${d}°`).join(', ')}) matched no better: at most ${bestTried?.inliers ?? 0} verified inliers${bestTried ? (bestTried.deg ? ` (turned ${bestTried.deg}°)` : ' (as it is)') : ''} with ${partners.map((m) => names[m]).join(' / ')} (a turn needs ${minTurn}, ${peakRatio}x any other)${bestScreened ? `; best turn by ${input.screen!.name}: ${bestScreened.deg}° (${bestScreened.inliers} inliers)` : ''}`;
      for (const v of comp) unlinked.set(v, why);
      onEvent({ type: 'log', stage: 'matching', message: `rotation search: ${label}: ${why}` });
      continue;
    }
    // Take the turn for the whole component and match all its pairs again.
    for (const v of comp) {
      keypoints[v] = await turnedKeypoints(v, found.deg);
      turned.set(v, found.deg);
    }
    const inComp = new Set(comp);
    for (let k = 0; k < pairList.length; k++) {
      const [a, b] = pairList[k];
      if (!inComp.has(a) && !inComp.has(b)) continue;
      throwIfCancelled(input.signal);
      const probed = (a === probe && b === found.partner) || (b === probe && a === found.partner);
      matchPairs[k] = probed ? found.pairs : (await input.matcher.match(keypoints[a]!, keypoints[b]!)).pairs;
    }
    main.push(...comp);
    onEvent({
      type: 'warning',
      stage: 'matching',
      message: `${label}: matched only after turning ${comp.length > 1 ? 'them' : 'it'} by ${found.deg}° clockwise (${found.inliers} verified inliers with ${names[found.partner]}); the photo's pixels are turned relative to the others (lost EXIF orientation?) or the camera rolled`,
    });
  }
  return { turned, unlinked };
}
