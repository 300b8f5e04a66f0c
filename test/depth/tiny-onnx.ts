/**
 * Builds tiny ONNX depth "models" for tests with onnx-proto: a 1x1 convolution from RGB to
 * one channel (plus bias), i.e. out = w . normalized_rgb + b at every pixel. Small enough to
 * check by hand, real enough to go through onnxruntime's loading and inference.
 */
import onnxProto from 'onnx-proto';

// onnx-proto ships CommonJS with a namespace export; its types describe `onnx`.
const { onnx } = onnxProto as unknown as typeof import('onnx-proto');

export function tinyConvDepthModel(opts: { height: number; width: number; weights: [number, number, number]; bias: number; inputName?: string; outputName?: string }): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const inputName = opts.inputName ?? 'image';
  const outputName = opts.outputName ?? 'depth';
  const w = onnx.TensorProto.create({ name: 'w', dims: [1, 3, 1, 1], dataType: FLOAT, floatData: opts.weights });
  const b = onnx.TensorProto.create({ name: 'b', dims: [1], dataType: FLOAT, floatData: [opts.bias] });
  const valueInfo = (name: string, shape: number[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'tiny-depth',
    node: [onnx.NodeProto.create({ opType: 'Conv', input: [inputName, 'w', 'b'], output: [outputName] })],
    initializer: [w, b],
    input: [valueInfo(inputName, [1, 3, opts.height, opts.width])],
    output: [valueInfo(outputName, [1, 1, opts.height, opts.width])],
  });
  const model = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph, producerName: 'sparrow-test' });
  return onnx.ModelProto.encode(model).finish();
}
