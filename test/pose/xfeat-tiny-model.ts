/**
 * A tiny ONNX graph with XFeat's I/O names and layout, built in the test with
 * onnx-proto, so the real onnxruntime-web loading path and all pre/post-processing run
 * without the weights. The graph makes each bright pixel a confident keypoint:
 *   g        = ReduceMean(input, axis 1)              [1, 1, S, S]
 *   cells    = SpaceToDepth(g, 8)                      [1, 64, S/8, S/8] (channel = dy*8+dx, as XFeat)
 *   '1266'   = Concat(20 * cells, dustbin 0)           [1, 65, S/8, S/8] keypoint logits
 *   'output' = cells                                   [1, 64, S/8, S/8] "descriptors" (the 8x8 patch)
 *   '266'    = Sigmoid(ReduceMax(cells, axis 1))       [1, 1, S/8, S/8] reliability
 * A cell without a bright pixel has all logits 0 -> probability 1/65 < 0.05 (no keypoint);
 * a cell with one has probability ~1 at that pixel.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };
const FLOAT = 1;

function valueInfo(name: string, dims: number[]) {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function intAttr(name: string, i: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function intsAttr(name: string, ints: number[]) {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

export function tinyXFeatModel(size = 64): Uint8Array {
  const g = size / 8;
  const graph = {
    name: 'tiny_xfeat',
    input: [valueInfo('input', [1, 3, size, size])],
    output: [valueInfo('output', [1, 64, g, g]), valueInfo('1266', [1, 65, g, g]), valueInfo('266', [1, 1, g, g])],
    initializer: [
      { name: 'gain', dims: [], dataType: FLOAT, floatData: [20] },
      { name: 'dustbin', dims: [1, 1, g, g], dataType: FLOAT, floatData: new Array(g * g).fill(0) },
    ],
    node: [
      { opType: 'ReduceMean', input: ['input'], output: ['grey'], attribute: [intsAttr('axes', [1]), intAttr('keepdims', 1)] },
      { opType: 'SpaceToDepth', input: ['grey'], output: ['output'], attribute: [intAttr('blocksize', 8)] },
      { opType: 'Mul', input: ['output', 'gain'], output: ['scaled'] },
      { opType: 'Concat', input: ['scaled', 'dustbin'], output: ['1266'], attribute: [intAttr('axis', 1)] },
      { opType: 'ReduceMax', input: ['output'], output: ['peak'], attribute: [intsAttr('axes', [1]), intAttr('keepdims', 1)] },
      { opType: 'Sigmoid', input: ['peak'], output: ['266'] },
    ],
  };
  const model = { irVersion: 7, opsetImport: [{ domain: '', version: 12 }], producerName: 'sparrow-test', graph };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}
