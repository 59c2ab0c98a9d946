/**
 * The demo page's tasks: real MNIST digits shipped with the page (digits.bin, written at build time by
 * digits.ts) with a small MLP — the default, where the LR matters; synthetic bars (600 images, trivially
 * easy: the exact-schedule checks use it); and the first 2,000 images of a CIFAR-10 batch file the user
 * picks. Every model from seeded weights.
 */
import * as tf from '@tensorflow/tfjs';
import { parseBatch } from '../cifar/format.js';
import { chwToHwc, seededRandom } from '../lib/kit.js';

export interface Task {
  name: string;
  xs: tf.Tensor;
  ys: tf.Tensor2D;
  /** A held-out test set (the digits), for the comparison's test accuracy. */
  test?: { xs: tf.Tensor; ys: tf.Tensor2D };
  model: () => tf.LayersModel;
}

/** The first bytes of digits.bin (its layout: digits.ts, which writes it). */
export const DIGITS_MAGIC = 'DGT1';

/** How much of digits.bin a page uses: `full` (the page: all of it) or `small` (the browser test: same task, less of it). */
export const DIGIT_PRESETS = {
  full: { train: 4000, test: 1000, epochs: 4 },
  small: { train: 2000, test: 500, epochs: 4 },
} as const;
export type DigitPreset = keyof typeof DIGIT_PRESETS;

/**
 * The digits task from the bytes of digits.bin (layout in digits.ts), `preset`'s share of it; its model's
 * initial weights from `seed` (the page: 1; bench:demo repeats the comparison over others).
 */
export function digitsTask(bytes: Uint8Array, preset: DigitPreset, seed = 1): Task {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== DIGITS_MAGIC) throw new Error(`digits.bin: not a digits file (starts with ${JSON.stringify(magic)}, expected "${DIGITS_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [nTrain, nTest] = [view.getUint32(4, true), view.getUint32(8, true)];
  if (bytes.length !== 12 + (nTrain + nTest) * 785) throw new Error(`digits.bin: ${bytes.length} bytes, expected ${12 + (nTrain + nTest) * 785} for ${nTrain} + ${nTest} digits`);
  const want = DIGIT_PRESETS[preset];
  const part = (offset: number, count: number, take: number) => {
    const n = Math.min(count, take);
    const x = Float32Array.from(bytes.subarray(offset, offset + n * 784), (v) => v / 255);
    const labels = Array.from(bytes.subarray(offset + count * 784, offset + count * 784 + n));
    return { xs: tf.tensor2d(x, [n, 784]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
  };
  const train = part(12, nTrain, want.train);
  const test = part(12 + nTrain * 785, nTest, want.test);
  return {
    name: `MNIST digits (${train.xs.shape[0]} train, ${test.xs.shape[0]} test), MLP 784→64→10`,
    xs: train.xs,
    ys: train.ys,
    test,
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 64, activation: 'relu', inputShape: [784], kernelInitializer: tf.initializers.heNormal({ seed: 2 * seed - 1 }) }),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 * seed }) }),
        ],
      }),
  };
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
