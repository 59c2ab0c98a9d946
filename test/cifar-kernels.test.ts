/**
 * The example's wasm training kernels against the cpu backend's reference kernels, on the shapes,
 * strides and paddings the CIFAR-10 models use (5×5 'same' stride 1) and a few others.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../examples/cifar/wasm-kernels.js';

type Case = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: 'same' | 'valid' };
const cases: Case[] = [
  { name: 'conv1 of the CIFAR nets: 32×32×3 → 32, 5×5 same', x: [1, 32, 32, 3], f: [5, 5, 3, 32], strides: 1, pad: 'same' },
  { name: 'conv2: 16×16×32 → 32, 5×5 same', x: [1, 16, 16, 32], f: [5, 5, 32, 32], strides: 1, pad: 'same' },
  { name: 'conv3: 8×8×32 → 64, 5×5 same', x: [1, 8, 8, 32], f: [5, 5, 32, 64], strides: 1, pad: 'same' },
  { name: '3×3 valid, odd size', x: [3, 7, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: 'valid' },
  { name: '4×4 same (asymmetric padding)', x: [1, 6, 6, 2], f: [4, 4, 2, 3], strides: 1, pad: 'same' },
  { name: 'stride 2 same (filter kernel; input kernel falls back)', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
];

/** Gradients of sum(conv2d(x, f) · r) w.r.t. x and f, on the current backend. */
function grads(c: Case, x: Float32Array, f: Float32Array, r: Float32Array): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const ft = tf.tensor4d(f, c.f);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
    });
    const [dx, df] = g([xt, ft]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let k = 0; k < a.length; k++) err = Math.max(err, Math.abs(a[k] - b[k]));
  return err / Math.max(scale, 1e-12);
}

let stockHadFilterKernel: boolean;
beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  expect(await tf.setBackend('wasm')).toBe(true);
  stockHadFilterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
  registerWasmTrainingKernels();
});

test('the stock wasm backend has no Conv2DBackpropFilter (why the kernel exists); ours is registered', () => {
  expect(stockHadFilterKernel).toBe(false);
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc.name).toBe('conv2DBackpropFilter');
});

test.each(cases)('$name: dX and dW match the cpu reference kernels to 3e-4', async (c) => {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = random(size(c.x), 1);
  const f = random(size(c.f), 2);
  const outH = c.pad === 'same' ? Math.ceil(c.x[1] / c.strides) : Math.ceil((c.x[1] - c.f[0] + 1) / c.strides);
  const outW = c.pad === 'same' ? Math.ceil(c.x[2] / c.strides) : Math.ceil((c.x[2] - c.f[1] + 1) / c.strides);
  const r = random(c.x[0] * outH * outW * c.f[3], 3);
  await tf.setBackend('cpu');
  const ref = grads(c, x, f, r);
  await tf.setBackend('wasm');
  const got = grads(c, x, f, r);
  expect(maxRelError(got.df, ref.df)).toBeLessThan(3e-4);
  expect(maxRelError(got.dx, ref.dx)).toBeLessThan(3e-4);
});

test('no tensor is leaked by the kernels', async () => {
  await tf.setBackend('wasm');
  const c = cases[1];
  const x = random(c.x.reduce((a, b) => a * b, 1), 4);
  const f = random(c.f.reduce((a, b) => a * b, 1), 5);
  const r = random(1 * 16 * 16 * 32, 6);
  grads(c, x, f, r);
  const before = tf.memory().numTensors;
  const bytes = (tf.memory() as { numBytes: number }).numBytes;
  for (let k = 0; k < 3; k++) grads(c, x, f, r);
  expect(tf.memory().numTensors).toBe(before);
  expect((tf.memory() as { numBytes: number }).numBytes).toBe(bytes);
});
