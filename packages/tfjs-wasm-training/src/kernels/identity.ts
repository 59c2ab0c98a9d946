/**
 * `Identity` without a copy (a second reference to the same data, as the cpu backend does): tfjs
 * clones every tensor a gradient will need through it, ~100 times a training step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backend, KernelArgs } from './shared.js';

/** Identity as a second reference to the input's data (tfjs tensors are never written in place). */
export function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as Backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

