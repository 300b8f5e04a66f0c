/**
 * XFeat sparse keypoints + 64-d descriptors (Potje et al., CVPR 2024) through
 * onnxruntime-web. The session is created on first use and reused.
 *
 * Batching: the available export fixes the batch dimension to 1 (input [1,3,640,640]),
 * so `extractMany` runs images one after another through the one session; with a
 * batch-dynamic export it would be the place to stack them.
 */
import type { RgbaImage } from '../io/image.js';
import { RateMeter, throwIfCancelled, type EventSink } from '../pipeline/events.js';
import { getSession, ort, type ModelSource } from '../models/ort-session.js';
import type { FeatureExtractor, Keypoints } from './features.js';
import { letterboxImage } from './xfeat-preprocess.js';
import { xfeatPostprocess, type XFeatPostOptions } from './xfeat-postprocess.js';

/** Graph I/O names of the XFeat export (models/manifest.json). */
export const XFEAT_IO = { input: 'input', feats: 'output', logits: '1266', reliability: '266' } as const;

export interface XFeatOptions {
  model: ModelSource;
  /** Default top-k when extract() is not given one (reference default 4096). */
  maxKeypoints?: number;
  detectionThreshold?: number;
  providers?: string[];
}

export class XFeatExtractor implements FeatureExtractor {
  readonly name = 'xfeat';
  private readonly maxKeypoints: number;

  constructor(private readonly opts: XFeatOptions) {
    this.maxKeypoints = opts.maxKeypoints ?? 2048;
  }

  private session() {
    return getSession(this.opts.model.key, () => this.opts.model.load(), this.opts.providers);
  }

  /** The pose stage works at the network's input size: XFeat sees no finer detail. */
  async workingSide(): Promise<number> {
    return this.inputSize();
  }

  /** Side of the square input the graph expects (640 in the shipped export). */
  async inputSize(): Promise<number> {
    const s = await this.session();
    const meta = s.inputMetadata.find((m) => m.name === XFEAT_IO.input);
    const shape = meta && meta.isTensor ? meta.shape : undefined;
    const side = shape?.[3];
    if (typeof side !== 'number' || shape?.[2] !== side) {
      throw new Error(`${this.opts.model.key}: XFeat input '${XFEAT_IO.input}' must have a fixed square shape [1,3,S,S], got ${JSON.stringify(shape)}`);
    }
    return side;
  }

  async extract(image: RgbaImage, maxKeypoints = this.maxKeypoints): Promise<Keypoints> {
    const session = await this.session();
    const size = await this.inputSize();
    const { input, box } = letterboxImage(image, size);
    const out = await session.run({ [XFEAT_IO.input]: new ort.Tensor('float32', input, [1, 3, size, size]) });
    const feats = out[XFEAT_IO.feats];
    const logits = out[XFEAT_IO.logits];
    const rel = out[XFEAT_IO.reliability];
    if (!feats || !logits || !rel) {
      throw new Error(`${this.opts.model.key}: XFeat graph must output '${XFEAT_IO.feats}', '${XFEAT_IO.logits}', '${XFEAT_IO.reliability}'`);
    }
    const [, D, gh, gw] = feats.dims;
    if (logits.dims[1] !== 65 || logits.dims[2] !== gh || rel.dims[2] !== gh || gh * 8 !== size || gw * 8 !== size) {
      throw new Error(`${this.opts.model.key}: unexpected XFeat output shapes ${feats.dims} / ${logits.dims} / ${rel.dims}`);
    }
    const post: XFeatPostOptions = { maxKeypoints, detectionThreshold: this.opts.detectionThreshold };
    return xfeatPostprocess(
      {
        feats: feats.data as Float32Array,
        logits: logits.data as Float32Array,
        reliability: rel.data as Float32Array,
        gridH: gh,
        gridW: gw,
        descriptorDim: D,
      },
      box,
      post,
    );
  }

  /**
   * Several images through the one session (batch 1 in this export: sequential), with
   * a progress step per image and cancellation between images.
   */
  async extractMany(images: RgbaImage[], opts: { maxKeypoints?: number; onEvent?: EventSink; signal?: AbortSignal } = {}): Promise<Keypoints[]> {
    const out: Keypoints[] = [];
    const meter = new RateMeter(images.length);
    for (const img of images) {
      throwIfCancelled(opts.signal);
      out.push(await this.extract(img, opts.maxKeypoints ?? this.maxKeypoints));
      opts.onEvent?.({ type: 'step', stage: 'features', step: out.length, total: images.length, ...meter.update(out.length) });
    }
    return out;
  }
}
