import * as tf from '@tensorflow/tfjs';
import { CyclicLR, findAccuracyKey, readLog, readLogSync } from '../src/index.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

test('readLog / readLogSync: numbers, scalar tensors, and NaN when absent', async () => {
  const t = tf.scalar(0.25);
  expect(await readLog(1.5)).toBe(1.5);
  expect(await readLog(t)).toBe(0.25);
  expect(await readLog(undefined)).toBeNaN();
  expect(readLogSync(t)).toBe(0.25);
  expect(readLogSync(2)).toBe(2);
  expect(readLogSync(undefined)).toBeNaN();
  t.dispose();
});

test('findAccuracyKey: the values its doc example prints', () => {
  expect(findAccuracyKey({ loss: 0.5, acc: 0.8 })).toBe('acc');
  expect(findAccuracyKey({ loss: 0.5, accuracy: 0.8 })).toBe('accuracy');
  expect(findAccuracyKey({ loss: 0.5, categoricalAccuracy: 0.8, val_categoricalAccuracy: 0.7 })).toBe('categoricalAccuracy');
  expect(findAccuracyKey({ val_acc: 0.7, loss: 1 })).toBeNull();
  expect(findAccuracyKey({ loss: 0.5 })).toBeNull();
});

test('findAccuracyKey reads the keys tfjs really writes for each way of asking for accuracy', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax' })] });
  const xs = tf.tensor2d([[0, 1], [1, 0]]);
  const ys = tf.tensor2d([[1, 0], [0, 1]]);
  for (const metric of ['acc', 'accuracy', 'categoricalAccuracy']) {
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [metric] });
    let key: string | null = null;
    await model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: async (_b, logs) => void (key = findAccuracyKey(logs ?? {})) } });
    expect(key).not.toBeNull();
    expect(key).toMatch(/acc/i);
  }
  tf.dispose([xs, ys]);
  model.dispose();
});

test('learning_rate (Keras 3) and lr in the logs: per batch for later callbacks, one value per epoch in History', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const xs = tf.ones([8, 1]);
  const ys = tf.ones([8, 1]);
  const seen: Array<[unknown, unknown]> = [];
  const reader = new (class extends tf.Callback {
    override async onBatchEnd(_b: number, logs?: tf.Logs): Promise<void> {
      seen.push([logs?.learning_rate, logs?.lr]);
    }
  })();
  // 4 batches an epoch, stepSize 2: the LRs batch by batch are 0.1, 0.2, 0.3, 0.2 | 0.1, 0.2, 0.3, 0.2.
  const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.3, stepSize: 2 });
  const h = await model.fit(xs, ys, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks: [clr, reader] });
  const expected = [0.1, 0.2, 0.3, 0.2, 0.1, 0.2, 0.3, 0.2];
  seen.forEach(([a, b], k) => {
    expect(a).toBeCloseTo(expected[k], 12);
    expect(b).toBe(a);
  });
  expect(seen).toHaveLength(8);
  // History: the LR the last batch of each epoch used, under both keys.
  expect(h.history.learning_rate).toHaveLength(2);
  (h.history.learning_rate as number[]).forEach((v) => expect(v).toBeCloseTo(0.2, 12));
  expect(h.history.lr).toEqual(h.history.learning_rate);
  tf.dispose([xs, ys]);
  model.dispose();
});
