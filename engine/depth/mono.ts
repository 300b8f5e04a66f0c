/**
 * Learned monocular depth through onnxruntime-web (wasm in Node, WebGPU in the app, via
 * engine/models/ort-session.ts). The model file is the user's (`--depth-model`); Sparrow
 * never downloads one. How to feed it and read it comes from a DepthModelSpec: an entry
 * of models/depth-manifest.json matched by sha256 (or named), else generic defaults.
 *
 * Pre-processing: resize RGB [0, 1] to the input size (area when shrinking, bilinear when
 * growing), scale by `range`, subtract mean, divide by std, NCHW float32 [1, 3, h, w].
 * Post-processing: the first (or named) output, [1, 1, h, w] / [1, h, w] / [h, w],
 * resized bilinearly back to the view's working size.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { getSession, ort, type OrtSession } from '../models/ort-session.js';
import { sha256File } from '../models/registry.js';
import depthManifestJson from '../../models/depth-manifest.json';
import type { MonoOutputKind } from './align.js';
import type { DepthView } from './types.js';
import { resizeArea } from './views.js';

export interface DepthModelSpec {
  id: string;
  sha256: string | null;
  licence: string;
  download: string;
  input: {
    name?: string;
    /** [height, width]; absent = from the model's static input shape. */
    size?: [number, number];
    layout: 'NCHW';
    /** Pixel values are multiplied by this before normalization (1 for [0, 1], 255 for [0, 255]). */
    range: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  output: { name?: string; kind: MonoOutputKind };
}

export const DEPTH_MODEL_MANIFEST: readonly DepthModelSpec[] = depthManifestJson.models as unknown as DepthModelSpec[];

/** For a model no manifest entry describes: ImageNet normalization, relative inverse depth. */
export const GENERIC_DEPTH_MODEL: DepthModelSpec = {
  id: 'generic',
  sha256: null,
  licence: 'unknown',
  download: '',
  input: { layout: 'NCHW', range: 1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  output: { kind: 'relative-inverse-depth' },
};

export interface DepthModel {
  path: string;
  spec: DepthModelSpec;
  session: OrtSession;
  inputName: string;
  outputName: string;
  inputSize: [number, number];
  /** Why this spec was chosen (for the log). */
  specSource: 'sha256' | 'named' | 'generic' | 'given';
}

export interface LoadDepthModelOptions {
  /** Use this spec as is (tests, the app). */
  spec?: DepthModelSpec;
  /** Manifest id to use regardless of the file's checksum. */
  specId?: string;
  manifest?: readonly DepthModelSpec[];
}

/** Load a user-supplied ONNX depth model. Errors name the file and the problem. */
export async function loadDepthModel(path: string, opts: LoadDepthModelOptions = {}): Promise<DepthModel> {
  const manifest = opts.manifest ?? DEPTH_MODEL_MANIFEST;
  let spec: DepthModelSpec;
  let specSource: DepthModel['specSource'];
  if (opts.spec) {
    spec = opts.spec;
    specSource = 'given';
  } else if (opts.specId) {
    const found = manifest.find((m) => m.id === opts.specId);
    if (!found) throw new Error(`${path}: no depth model spec '${opts.specId}' in models/depth-manifest.json (known: ${manifest.map((m) => m.id).join(', ')})`);
    spec = found;
    specSource = 'named';
  } else {
    let digest: string;
    try {
      digest = await sha256File(path);
    } catch (e) {
      throw new Error(`${path}: cannot read the depth model (${(e as Error).message})`);
    }
    const found = manifest.find((m) => m.sha256 === digest);
    spec = found ?? GENERIC_DEPTH_MODEL;
    specSource = found ? 'sha256' : 'generic';
  }
  let session: OrtSession;
  try {
    session = await getSession(`depth:${path}`, () => readFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot load the ONNX depth model (${(e as Error).message.split('\n')[0]})`);
  }
  const inputName = spec.input.name ?? session.inputNames[0];
  const outputName = spec.output.name ?? session.outputNames[0];
  if (!session.inputNames.includes(inputName)) throw new Error(`${path}: model has no input '${inputName}' (inputs: ${session.inputNames.join(', ')})`);
  if (!session.outputNames.includes(outputName)) throw new Error(`${path}: model has no output '${outputName}' (outputs: ${session.outputNames.join(', ')})`);
  let inputSize = spec.input.size;
  if (!inputSize) {
    const meta = (session as unknown as { inputMetadata?: { name: string; shape?: (number | string)[] }[] }).inputMetadata;
    const shape = meta?.find((m) => m.name === inputName)?.shape;
    if (shape && shape.length === 4 && typeof shape[2] === 'number' && typeof shape[3] === 'number' && shape[1] === 3) inputSize = [shape[2], shape[3]];
    else throw new Error(`${path}: cannot tell the model's input size (input '${inputName}' shape ${JSON.stringify(shape)}); describe it in models/depth-manifest.json`);
  }
  return { path, spec, session, inputName, outputName, inputSize, specSource };
}

/** NCHW input tensor data [1, 3, h, w] for `rgb` [H, W, 3] (exported for tests). */
export function preprocessForDepthModel(rgb: Float32Array, width: number, height: number, spec: DepthModelSpec, size: [number, number]): Float32Array {
  const [h, w] = size;
  const resized = resizeImage(rgb, width, height, 3, w, h);
  const out = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < h * w; i++) out[c * h * w + i] = (resized[i * 3 + c] * spec.input.range - spec.input.mean[c]) / spec.input.std[c];
  }
  return out;
}

/** Run the model on one view; returns the raw prediction [H, W] at the view's working size. */
export async function predictMonoDepth(model: DepthModel, view: DepthView): Promise<Float32Array> {
  const { width: W, height: H } = view.camera;
  const [h, w] = model.inputSize;
  const input = new ort.Tensor('float32', preprocessForDepthModel(view.rgb, W, H, model.spec, model.inputSize), [1, 3, h, w]);
  let result: Record<string, ort.Tensor>;
  try {
    result = (await model.session.run({ [model.inputName]: input })) as Record<string, ort.Tensor>;
  } catch (e) {
    throw new Error(`${model.path}: depth model failed on ${view.name} (${(e as Error).message.split('\n')[0]})`);
  }
  const out = result[model.outputName];
  const dims = out.dims.filter((d, i) => !(d === 1 && i < out.dims.length - 2));
  if (dims.length !== 2 || out.type !== 'float32') {
    throw new Error(`${basename(model.path)}: output '${model.outputName}' is ${out.type} ${JSON.stringify(out.dims)}; expected float32 [1, 1, h, w], [1, h, w] or [h, w]`);
  }
  const [oh, ow] = dims as [number, number];
  return resizeImage(out.data as Float32Array, ow, oh, 1, W, H);
}

/** Resize [H, W, C]: area average when shrinking both axes, else bilinear (pixel centres at +0.5). */
export function resizeImage(src: Float32Array, W: number, H: number, C: number, w: number, h: number): Float32Array {
  if (w === W && h === H) return src.slice();
  if (w <= W && h <= H) return resizeArea(src, W, H, C, w, h);
  const out = new Float32Array(w * h * C);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max(((y + 0.5) * H) / h - 0.5, 0), H - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, H - 1), ay = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max(((x + 0.5) * W) / w - 0.5, 0), W - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, W - 1), ax = fx - x0;
      for (let c = 0; c < C; c++) {
        const a = src[(y0 * W + x0) * C + c] * (1 - ax) + src[(y0 * W + x1) * C + c] * ax;
        const b = src[(y1 * W + x0) * C + c] * (1 - ax) + src[(y1 * W + x1) * C + c] * ax;
        out[(y * w + x) * C + c] = a * (1 - ay) + b * ay;
      }
    }
  }
  return out;
}
