// Quick start: train a small classifier with a cyclical learning rate (triangular2, 3 whole cycles).
// Run from the repository root: npm run example:quickstart   (finishes in seconds on the cpu backend)
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { cyclicLR, findAccuracyKey, readLog } from 'tfjs-clr';
import { pickBackend, spirals } from './lib/spirals.mjs';

// Use tfjs-node where it is installed (much faster); fall back to the stock cpu backend.
console.log(`backend: ${await pickBackend(createRequire(import.meta.url))}`);

// A synthetic task: two interleaved spirals (2 classes, 1,000 points), with a fixed seed.
const { xs, ys } = spirals(1000);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 32, activation: 'relu', inputShape: [2] }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

// 1,000 samples / batch 50 = 20 batches per epoch; stepSize = 2 epochs = 40 batches; a cycle is
// 4 epochs, so 12 epochs end exactly at the end of the third cycle, where the LR is lowest.
const clr = cyclicLR({ baseLR: 0.05, maxLR: 0.5, stepSizeEpochs: 2, mode: 'triangular2' });
await model.fit(xs, ys, {
  epochs: 12,
  batchSize: 50,
  verbose: 0,
  callbacks: [
    clr,
    new (class extends tf.Callback {
      async onEpochEnd(epoch, logs) {
        // Log values are numbers or scalar tensors depending on the backend: readLog reads either.
        const [loss, acc] = [await readLog(logs.loss), await readLog(logs[findAccuracyKey(logs)])];
        console.log(`epoch ${String(epoch + 1).padStart(2)}  loss ${loss.toFixed(4)}  acc ${acc.toFixed(4)}  lr ${logs.lr.toFixed(4)}`);
      }
    })(),
  ],
});

const lrs = clr.history.lr;
console.log(`\n${lrs.length} batches; LR min ${Math.min(...lrs).toFixed(4)}, max ${Math.max(...lrs).toFixed(4)}`);
console.log(`peaks of the three cycles (triangular2 halves them): ${[40, 120, 200].map((i) => lrs[i].toFixed(4)).join(', ')}`);
tf.dispose([xs, ys]);
model.dispose();
