// A synthetic 2-class task for the small examples: two interleaved spirals, generated from a seed.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from './kit.js';

/** `n` points of two interleaved spirals (labels alternate), as { xs: [n, 2], ys: one-hot [n, 2] }. */
export function spirals(n, seed = 1) {
  const rand = seededRandom(seed);
  const xs = [];
  const ys = [];
  for (let k = 0; k < n; k++) {
    const label = k % 2;
    const t = 0.5 + 3 * rand();
    const angle = t * 2.2 + label * Math.PI;
    xs.push([t * Math.cos(angle) + 0.15 * (rand() - 0.5), t * Math.sin(angle) + 0.15 * (rand() - 0.5)]);
    ys.push(label);
  }
  return tf.tidy(() => ({ xs: tf.tensor2d(xs), ys: tf.oneHot(tf.tensor1d(ys, 'int32'), 2) }));
}

/** The small MLP the examples train on the spirals. */
export function spiralModel(optimizer) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [2], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Uses tfjs-node where it is installed, else the stock cpu backend; returns the backend's name. */
export async function pickBackend(require) {
  try {
    require('@tensorflow/tfjs-node');
  } catch {
    tf.env().set('IS_TEST', true); // hides tfjs's "install tfjs-node" banner
    await tf.setBackend('cpu');
  }
  await tf.ready();
  return tf.getBackend();
}
