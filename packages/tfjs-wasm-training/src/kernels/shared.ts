/**
 * What the training kernels share: tfjs's kernel argument type, the wasm backend's class, a float32
 * view of a tensor on the wasm heap, and running another registered wasm kernel from inside one.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A kernel function's argument, as tfjs defines it. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
/** The wasm backend (tfjs-backend-wasm's own exported class). */
export type Backend = BackendWasm;

/** A float32 tensor's data on the wasm heap (a view, no copy); these kernels only take float32. */
export function f32(backend: Backend, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`tfjs-wasm-training: a float32 tensor was expected, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}
export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The wasm backend's kernel `name` (as registered now). */
export function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered (load @tensorflow/tfjs-backend-wasm first)`);
  return k;
}

/** Runs the wasm kernel `name` directly (inside another kernel: no engine, no tape). */
export function run(name: string, backend: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): tf.TensorInfo {
  return kernel(name).kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

export const transpose = (backend: tf.KernelBackend, x: tf.TensorInfo, perm: number[]) => run('Transpose', backend, { x }, { perm });


/** Elements in a shape. */
export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A heap view's offset in float32 elements (what the helper thread is told). */
export const at = (v: Float32Array) => v.byteOffset / 4;

/** The attributes of the convolution kernels. */
export type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
};

