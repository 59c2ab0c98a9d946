/**
 * `BatchMatMul` with `transposeA` or `transposeB` (a dense layer's gradients, xᵀ·dy and dy·Wᵀ): an
 * explicit transpose, then the plain product; the stock transposed paths are 5–14× slower.
 */
import * as tf from '@tensorflow/tfjs';
import { transpose, type Backend } from './shared.js';

/** BatchMatMul with transposed operands done as explicit transposes and the plain product (the stock transposed paths are 5–14× slower). */
export function batchMatMulFactory(original: tf.KernelConfig): tf.KernelFunc {
  const swapLast = (backend: Backend, t: tf.TensorInfo) => {
    const perm = t.shape.map((_, k) => k);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return transpose(backend, t, perm);
  };
  return (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const backend = args.backend as Backend;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const aT = attrs.transposeA ? swapLast(backend, a) : a;
    const bT = attrs.transposeB ? swapLast(backend, b) : b;
    const out = original.kernelFunc({ ...args, inputs: { ...args.inputs, a: aT, b: bT }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    if (aT !== a) backend.disposeData(aT.dataId);
    if (bT !== b) backend.disposeData(bT.dataId);
    return out;
  };
}
