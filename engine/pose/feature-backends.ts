/**
 * Picks the feature backend for the pose pipeline: XFeat + LighterGlue when both
 * weight files are found and pass their sha256, XFeat + mutual-NN when only XFeat's
 * are, else the classical matcher (ORB + brute force) — always with a 'warning' event
 * that says why, so a user knows the learned matcher is not in use.
 */
import type { EventSink } from '../pipeline/events.js';
import { silentSink } from '../pipeline/events.js';
import { locateModel, type ModelSearchOptions } from '../models/registry.js';
import type { FeatureBackend } from './features.js';
import { createOrbBackend } from './orb.js';

/** 'orb' and 'akaze' ask for the classical backend (the caller's `classical` builder picks the detector). */
export type FeaturePreference = 'auto' | 'xfeat' | 'xfeat+mnn' | 'orb' | 'akaze';

export interface ChooseFeatureBackendOptions extends Omit<ModelSearchOptions, 'flagDir'> {
  prefer?: FeaturePreference;
  /** `--models <dir>` */
  modelsDir?: string;
  /** Top-k keypoints per image for XFeat. */
  maxKeypoints?: number;
  onEvent?: EventSink;
  /** Builds the classical backend (default: 'orb+bf' from orb.ts). */
  classical?: () => FeatureBackend | Promise<FeatureBackend>;
}

export interface ChosenFeatureBackend {
  backend: FeatureBackend;
  /** Why this backend: e.g. 'weights verified in ../shared/models'. */
  reason: string;
}

export async function chooseFeatureBackend(opts: ChooseFeatureBackendOptions = {}): Promise<ChosenFeatureBackend> {
  const onEvent = opts.onEvent ?? silentSink;
  const prefer = opts.prefer ?? 'auto';
  const search: ModelSearchOptions = { flagDir: opts.modelsDir, env: opts.env, appDataDir: opts.appDataDir, includeDevDir: opts.includeDevDir };

  const classical = async (why: string): Promise<ChosenFeatureBackend> => {
    const backend = await (opts.classical ?? createOrbBackend)();
    onEvent({ type: 'log', stage: 'features', message: `feature backend: ${backend.name} (${why})` });
    return { backend, reason: why };
  };

  if (prefer === 'orb' || prefer === 'akaze') return classical('requested');

  const xfeat = await locateModel('xfeat', search);
  if (!xfeat.ok) {
    onEvent({ type: 'warning', stage: 'features', message: `learned features unavailable, using the classical matcher: ${xfeat.reason}` });
    return classical('XFeat weights missing or invalid');
  }
  // Loaded here, not at the top: they bring the ONNX runtime (~0.2 s to import), which the
  // classical backends never use.
  const [{ fileModelSource }, { XFeatExtractor }, { LighterGlueMatcher }, { MnnMatcher }] = await Promise.all([
    import('../models/ort-session.js'),
    import('./xfeat.js'),
    import('./lighterglue.js'),
    import('./mnn.js'),
  ]);
  const extractor = new XFeatExtractor({ model: fileModelSource(xfeat.path), maxKeypoints: opts.maxKeypoints });

  if (prefer !== 'xfeat+mnn') {
    const glue = await locateModel('lighterglue', search);
    if (glue.ok) {
      const backend: FeatureBackend = { name: 'xfeat+lighterglue', extractor, matcher: new LighterGlueMatcher({ model: fileModelSource(glue.path) }), screenMatcher: new MnnMatcher() };
      const reason = `weights verified in ${xfeat.origin}`;
      onEvent({ type: 'log', stage: 'features', message: `feature backend: ${backend.name} (${reason})` });
      return { backend, reason };
    }
    onEvent({ type: 'warning', stage: 'features', message: `LighterGlue unavailable, matching XFeat features by mutual nearest neighbour: ${glue.reason}` });
  }
  const backend: FeatureBackend = { name: 'xfeat+mnn', extractor, matcher: new MnnMatcher() };
  const reason = prefer === 'xfeat+mnn' ? 'requested' : 'LighterGlue weights missing or invalid';
  onEvent({ type: 'log', stage: 'features', message: `feature backend: ${backend.name} (${reason})` });
  return { backend, reason };
}
