/**
 * A model from a second copy of TensorFlow.js (a real one: the module loaded again in isolation) never
 * recognises our callbacks; the error says so and how to fix it, and is not the diagnosis for a
 * callbacks array that mixes class instances and plain objects (which keeps its own message).
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR } from '../src/index.js';

let tf2: typeof tf;
beforeAll(async () => {
  // Loading a second copy re-registers every kernel; tfjs warns once a kernel (343 lines): expected here.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    jest.isolateModules(() => {
      tf2 = require('@tensorflow/tfjs') as typeof tf;
    });
  } finally {
    warn.mockRestore();
  }
  tf2.env().set('IS_TEST', true); // no "install tfjs-node" banner from the copy either
  await tf2.setBackend('cpu');
  await tf.setBackend('cpu');
});

test('the copy is real: another Callback class, another CustomCallback', () => {
  expect(tf2).not.toBe(tf);
  expect(tf2.Callback).not.toBe(tf.Callback);
  expect(tf2.CustomCallback).not.toBe(tf.CustomCallback);
});

test('a model from the second copy: the error names it, the version we use and the fix; no batch ran with our LR', async () => {
  const model = tf2.sequential({ layers: [tf2.layers.dense({ units: 2, inputShape: [3] })] });
  model.compile({ optimizer: tf2.train.sgd(0.1), loss: 'meanSquaredError' });
  const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 2 });
  const [x, y] = [tf2.ones([8, 3]), tf2.ones([8, 2])];
  await expect(model.fit(x, y, { epochs: 1, batchSize: 4, callbacks: [clr as unknown as tf.Callback], verbose: 0 })).rejects.toThrow(
    new RegExp(`the model was built with a second copy of TensorFlow\\.js \\(the one tfjs-clr uses is ${tf.version.tfjs.replace(/\./g, '\\.')}\\).*npm ls @tensorflow/tfjs-core.*npm dedupe`),
  );
  expect(clr.history.lr).toHaveLength(0);
  tf2.dispose([x, y]);
  model.dispose();
});

test('one copy, a plain object first: the mixing diagnosis, not the second-copy one', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 2 });
  const [x, y] = [tf.ones([8, 3]), tf.ones([8, 2])];
  const plain = { onEpochEnd: async () => undefined };
  await expect(model.fit(x, y, { epochs: 1, batchSize: 4, callbacks: [plain, clr] as never, verbose: 0 })).rejects.toThrow(/mixes class instances and plain objects/);
  tf.dispose([x, y]);
  model.dispose();
});
