/**
 * CIFAR-10 batches made on the fly from the uint8 data (no float copy of the whole set): per-channel
 * statistics, one normalised batch, the shuffled training dataset, and evaluation on a split.
 */
import * as tf from '@tensorflow/tfjs';
import type { Split } from './data.js';
import { IMAGE_BYTES } from './data.js';
import { chwToHwc, seededRandom } from '../lib/kit.js';

/** Per-channel mean and standard deviation (0–255 scale) of a split. */
export function channelStats(split: Split): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const { images, count } = split;
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      const off = n * IMAGE_BYTES + c * 1024;
      let s = 0;
      let q = 0;
      for (let p = 0; p < 1024; p++) {
        const v = images[off + p];
        s += v;
        q += v * v;
      }
      sum[c] += s;
      sq[c] += q;
    }
  }
  const px = count * 1024;
  const mean = sum.map((s) => s / px);
  const std = sq.map((q, c) => Math.sqrt(q / px - mean[c] * mean[c]));
  return { mean, std };
}


/** Images `indices` of a split as a normalised NHWC float tensor, and one-hot labels. */
export function makeBatch(split: Split, indices: ArrayLike<number>, stats: { mean: number[]; std: number[] }): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const b = indices.length;
  const bytes = new Uint8Array(b * IMAGE_BYTES);
  const y = new Float32Array(b * 10);
  const inv = stats.std.map((s) => 1 / s);
  for (let k = 0; k < b; k++) {
    const n = indices[k];
    bytes.set(split.images.subarray(n * IMAGE_BYTES, (n + 1) * IMAGE_BYTES), k * IMAGE_BYTES);
    y[k * 10 + split.labels[n]] = 1;
  }
  const x = chwToHwc(bytes, b, (v, c) => (v - stats.mean[c]) * inv[c]);
  return { xs: tf.tensor4d(x, [b, 32, 32, 3]), ys: tf.tensor2d(y, [b, 10]) };
}

/**
 * An endless dataset of shuffled batches (a new seeded permutation every pass over the data).
 * Without `startBatch`, every new iterator (each `fitDataset` call) continues one random stream with a
 * fresh pass. With `startBatch`, each iterator yields exactly what one uninterrupted iterator would
 * from that batch on: how a run split into several fits, or resumed in a new process, keeps its order.
 */
export function trainingDataset(split: Split, batchSize: number, stats: { mean: number[]; std: number[] }, seed: number, startBatch?: number): tf.data.Dataset<tf.TensorContainer> {
  const shared = seededRandom(seed);
  const perPass = Math.floor(split.count / batchSize);
  return tf.data.generator(function* () {
    const rand = startBatch === undefined ? shared : seededRandom(seed);
    let skip = startBatch ?? 0;
    for (;;) {
      const order = Uint32Array.from({ length: split.count }, (_, k) => k);
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [order[k], order[j]] = [order[j], order[k]];
      }
      if (skip >= perPass) {
        skip -= perPass;
        continue;
      }
      for (let at = skip * batchSize; at + batchSize <= order.length; at += batchSize) {
        yield makeBatch(split, order.subarray(at, at + batchSize), stats) as unknown as tf.TensorContainer;
      }
      skip = 0;
    }
  });
}

/** Accuracy and mean loss of `model` on a split, in batches. */
export async function evaluate(model: tf.LayersModel, split: Split, stats: { mean: number[]; std: number[] }, batchSize = 500): Promise<{ accuracy: number; loss: number }> {
  let correct = 0;
  let lossSum = 0;
  for (let at = 0; at < split.count; at += batchSize) {
    const idx = Uint32Array.from({ length: Math.min(batchSize, split.count - at) }, (_, k) => at + k);
    const { xs, ys } = makeBatch(split, idx, stats);
    const [c, l] = tf.tidy(() => {
      const p = model.predict(xs) as tf.Tensor2D;
      const hits = tf.equal(tf.argMax(p, 1), tf.argMax(ys, 1)).sum();
      const loss = tf.losses.softmaxCrossEntropy(ys, tf.log(tf.clipByValue(p, 1e-7, 1)), undefined, undefined, tf.Reduction.SUM);
      return [hits, loss];
    });
    correct += (await c.data())[0];
    lossSum += (await l.data())[0];
    tf.dispose([xs, ys, c, l]);
    await tf.nextFrame();
  }
  return { accuracy: correct / split.count, loss: lossSum / split.count };
}
