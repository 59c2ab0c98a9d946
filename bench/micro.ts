/**
 * Per-call cost of what the callbacks do every batch, without training around it:
 * evaluating a schedule, setting the LR / momentum on a Momentum optimizer (which replaces a kept
 * scalar tensor), and CyclicLR.onBatchBegin as a whole. Medians of 7 runs of 20,000 calls each.
 *
 *   npm run bench:micro
 */
import * as tf from '@tensorflow/tfjs';
import { cyclicLearningRate, CyclicLR, setLearningRate, setMomentum } from '../src/index.js';
import { flags, markdownTable } from './kit.js';

async function main(): Promise<void> {
  flags('bench:micro', {}, { summary: "per-call cost of what the callbacks do every batch (a schedule value, setting the LR and momentum), medians", example: 'npm run bench:micro' });
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  const opt = tf.train.momentum(0.1, 0.9);
  const lr = cyclicLearningRate({ baseLR: 0.001, maxLR: 0.006, stepSize: 50 });
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const clr = new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 50, cycleMomentum: true });
  clr.setModel(model);
  await clr.onTrainBegin();
  const logs = {};
  const cases: Array<[string, (i: number) => unknown]> = [
    ['cyclicLearningRate(i)', (i) => lr(i)],
    ['setLearningRate (Momentum, new value)', (i) => setLearningRate(opt, lr(i))],
    ['setMomentum (Momentum, new value)', (i) => setMomentum(opt, 0.8 + (i % 10) / 100)],
    ['CyclicLR.onBatchBegin (LR + momentum)', (i) => clr.onBatchBegin(i, logs)],
  ];
  const N = 20000;
  const before = tf.memory().numTensors;
  console.log(`Command: npm run bench:micro  (tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, Node ${process.version})\n`);
  const rows: string[][] = [];
  for (const [name, fn] of cases) {
    const runs: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await fn(i);
      runs.push(((performance.now() - t0) / N) * 1000);
    }
    runs.sort((a, b) => a - b);
    rows.push([name, runs[3].toFixed(2)]);
  }
  console.log(markdownTable(['operation', 'median µs per call'], rows));
  console.log(`\ntensors before ${before}, after ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
