/**
 * `Conv2DBackpropInput`, slow in the stock wasm backend: for stride 1 it is a `Conv2D` of dy with the
 * filter flipped spatially and its in/out channels swapped, with the complementary padding; other
 * strides go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { kernel, type Backend, type ConvAttrs, type KernelArgs } from './shared.js';

/** The kernel for `Conv2DBackpropInput`, falling back to `original` where stride 1 does not hold. */
export function conv2DBackpropInputFactory(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return ((args: KernelArgs) => conv2DBackpropInput(args, original)) as tf.KernelFunc;
}

/** Stride 1: dx = conv2d(dy, flip(W) with in/out swapped), padding fh − 1 − top (etc.). */
function conv2DBackpropInput(args: KernelArgs, original: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  const strides = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  if (strides[0] !== 1 || strides[1] !== 1 || attrs.dataFormat !== 'NHWC') {
    if (original === undefined) throw new Error('Conv2DBackpropInput (wasm): original kernel missing');
    return original.kernelFunc(args);
  }
  const inputShape = attrs.inputShape as [number, number, number, number];
  const [FH, FW, CI, CO] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, [FH, FW, CI, CO], 1, 1, attrs.pad, attrs.dimRoundingMode, false);
  const { top, left, bottom, right } = info.padInfo;
  const w = backend.readSync(filter.dataId) as Float32Array;
  const flipped = new Float32Array(w.length);
  for (let i = 0; i < FH; i++) {
    for (let j = 0; j < FW; j++) {
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) {
          flipped[((i * FW + j) * CO + co) * CI + ci] = w[(((FH - 1 - i) * FW + (FW - 1 - j)) * CI + ci) * CO + co];
        }
      }
    }
  }
  const f = backend.makeOutput([FH, FW, CO, CI], 'float32', undefined, flipped);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [FH - 1 - top, FH - 1 - bottom],
    [FW - 1 - left, FW - 1 - right],
    [0, 0],
  ];
  const conv = kernel('Conv2D');
  const out = conv.kernelFunc({
    inputs: { x: dy, filter: f },
    backend,
    attrs: { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: attrs.dimRoundingMode } as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  backend.disposeData(f.dataId);
  return out;
}

