/**
 * The example's nets with each ReLU as its convolution's activation (the default, faster to train)
 * compute the same function and gradients as Caffe's layout (separate ReLU layers, conv1's after
 * pool1), from the same seed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from 'tfjs-wasm-training';
import { buildNet, type NetName } from '../examples/cifar/model.js';

// The wasm backend with the accelerator's training kernels (each checked against the cpu backend's
// reference kernels in packages/tfjs-wasm-training/test): the same arithmetic, ~50× faster than cpu's
// naive convolution gradients, which took this test 286 s.
beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels('fast');
});

function lossAndGrads(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): { out: Float32Array; grads: Float32Array[] } {
  const out = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  const { grads } = tf.variableGrads(() => tf.neg(tf.sum(tf.mul(y, tf.log(model.apply(x, { training: true }) as tf.Tensor)))) as tf.Scalar, model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
  return { out, grads: Object.values(grads).map((g) => g.dataSync() as Float32Array) };
}

test.each(['quick', 'full'] as NetName[])('%s net: same weights, outputs and gradients in both ReLU placements', (net) => {
  const fused = buildNet(net, 5);
  const caffe = buildNet(net, 5, 'caffe');
  expect(fused.layers.filter((l) => l.getClassName() === 'Activation')).toHaveLength(0);
  expect(caffe.layers.filter((l) => l.getClassName() === 'Activation')).toHaveLength(3);
  const wf = fused.getWeights().map((w) => Array.from(w.dataSync()));
  const wc = caffe.getWeights().map((w) => Array.from(w.dataSync()));
  expect(wf).toEqual(wc);
  // Biases start at 0; make them nonzero so a misplaced ReLU would show.
  const weights = fused.getWeights().map((w, k) => (w.rank === 1 ? tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 + k) : w));
  fused.setWeights(weights);
  caffe.setWeights(weights);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot([3, 7], 10);
  const a = lossAndGrads(fused, x, y);
  const b = lossAndGrads(caffe, x, y);
  const close = (p: Float32Array, q: Float32Array) => p.every((v, i) => Math.abs(v - q[i]) <= 1e-5 * Math.max(1, Math.abs(q[i])));
  expect(close(a.out, b.out)).toBe(true);
  expect(a.grads).toHaveLength(b.grads.length);
  a.grads.forEach((g, k) => expect(close(g, b.grads[k])).toBe(true));
  // Not trivially equal: the gradients are not all zero.
  expect(a.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
});
