/**
 * The demo page's two tasks: synthetic bars (no download) and the first 2,000 images of a CIFAR-10
 * batch file the user picks, each with a small convnet from seeded weights.
 */
import * as tf from '@tensorflow/tfjs';
import { parseBatch } from '../cifar/format.js';
import { chwToHwc, seededRandom } from '../lib/kit.js';

export interface Task {
  name: string;
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
  model: () => tf.LayersModel;
}

/** 600 16×16 images of 3 classes: a horizontal bar, a vertical bar, a diagonal; with noise. Seeded. */
export function syntheticTask(): Task {
  const rand = seededRandom(7);
  const n = 600;
  const x = new Float32Array(n * 256);
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const c = k % 3;
    const at = 2 + Math.floor(rand() * 12);
    for (let p = 0; p < 256; p++) {
      const r = p >> 4;
      const q = p & 15;
      const on = c === 0 ? r === at : c === 1 ? q === at : (r - q + 16) % 16 === at;
      x[k * 256 + p] = (on ? 1 : 0) + 0.35 * (rand() - 0.5);
    }
    labels.push(c);
  }
  return {
    name: 'synthetic bars (600 images, 3 classes)',
    xs: tf.tensor4d(x, [n, 16, 16, 1]),
    ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D,
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [16, 16, 1], kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      }),
  };
}

/** The first 2,000 images of a CIFAR-10 batch file, normalised per channel. */
export function cifarTask(bytes: Uint8Array, file: string): Task {
  const all = parseBatch(bytes, file);
  const n = Math.min(2000, all.count);
  const x = chwToHwc(all.images, n, (v) => v / 127.5 - 1);
  return {
    name: `${file}: ${n} of ${all.count} CIFAR-10 images`,
    xs: tf.tensor4d(x, [n, 32, 32, 3]),
    ys: tf.oneHot(tf.tensor1d(Array.from(all.labels.subarray(0, n)), 'int32'), 10) as tf.Tensor2D,
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [32, 32, 3], kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        ],
      }),
  };
}
