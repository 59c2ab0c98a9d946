/**
 * prepareCallbacks: tfjs-vis-style plain callback configs next to the library's class callbacks, and
 * the order that lets them read learning_rate at epoch ends (a wrong order is warned about).
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, LRFinder, prepareCallbacks } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

/** What tfjs-vis's show.fitCallbacks is: a plain object of hooks, here recording the LR it sees. */
function visLike() {
  const seen = { batch: [] as unknown[], epoch: [] as unknown[] };
  return { seen, config: { onBatchEnd: async (_b: number, logs?: tf.Logs) => void seen.batch.push(logs?.learning_rate), onEpochEnd: async (_e: number, logs?: tf.Logs) => void seen.epoch.push(logs?.learning_rate) } };
}

function setup() {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  return { model, xs: tf.ones([8, 1]), ys: tf.ones([8, 1]) };
}

test('a plain config after the schedule: wrapped, sees learning_rate per batch and per epoch, no warning', async () => {
  const { model, xs, ys } = setup();
  const vis = visLike();
  const warnings: string[] = [];
  const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.3, stepSize: 2 });
  const callbacks = prepareCallbacks([clr, vis.config], (m) => warnings.push(m));
  expect(callbacks[1]).toBeInstanceOf(tf.CustomCallback);
  await model.fit(xs, ys, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks });
  expect(warnings).toEqual([]);
  expect(vis.seen.batch).toEqual(clr.history.lr);
  expect(vis.seen.epoch).toEqual([clr.history.lr[3], clr.history.lr[7]]);
  tf.dispose([xs, ys]);
});

test('a callback before the schedule: a warning that names the problem (and it indeed misses the epoch LR)', async () => {
  const { model, xs, ys } = setup();
  const vis = visLike();
  const warnings: string[] = [];
  const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.3, stepSize: 2 });
  await model.fit(xs, ys, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks: prepareCallbacks([vis.config, clr], (m) => warnings.push(m)) });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/1 callback\(s\) come before the tfjs-clr schedule callback at position 1: they will not see learning_rate in the epoch logs/);
  expect(vis.seen.epoch).toEqual([undefined, undefined]);
  expect(vis.seen.batch).toEqual(clr.history.lr); // batch logs get it at batch begin, before anyone reads them
  tf.dispose([xs, ys]);
});

test('LRFinder counts as a schedule and writes the epoch LR too; bad entries are named', async () => {
  const { model, xs, ys } = setup();
  const vis = visLike();
  const finder = new LRFinder({ minLR: 0.01, maxLR: 0.1, numIterations: 8, stopOnDivergence: false });
  const warnings: string[] = [];
  await model.fit(xs, ys, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks: prepareCallbacks([finder, vis.config], (m) => warnings.push(m)) });
  expect(warnings).toEqual([]);
  expect(vis.seen.epoch).toEqual([finder.result.lr[3], finder.result.lr[7]]);
  expect(() => prepareCallbacks([null as never])).toThrow(/prepareCallbacks: callbacks\[0\] must be a tf.Callback or a \{ onBatchEnd… \} object, got null/);
  expect(() => prepareCallbacks({} as never)).toThrow(/callbacks must be an array/);
  tf.dispose([xs, ys]);
});
