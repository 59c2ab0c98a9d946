/**
 * How much of Schedule-Free AdamW's lead on bench:suggest's CIFAR-10 task is the averaging? The same
 * runs as the study's (task cifar-quick, seeds 1-3, defaults, same weights and data order), scored at
 * the average x (where the optimizer evaluates) and at the gradient point y.
 *
 *   npx tsx bench/schedule-free-points.ts
 */
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from 'tfjs-wasm-training';
import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';
import { TASKS, permutation } from './suggest/tasks.js';
import { evaluateOn } from './suggest/train.js';

(async () => {
  await chooseBackend('wasm');
  const task = TASKS.find((t) => t.name === 'cifar-quick');
  if (task === undefined) throw new Error('no cifar-quick task');
  const data = await task.load();
  for (const seed of [1, 2, 3]) {
    const model = task.build(seed);
    const opt = scheduleFreeAdamW();
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const n = data.train.x.shape[0];
    const perEpoch = Math.floor(n / task.batchSize);
    let done = 0;
    for (let epoch = 0; done < task.iterations; epoch++) {
      const batches = Math.min(perEpoch, task.iterations - done);
      const idx = tf.tensor1d(Int32Array.from(permutation(n, seed * 1000 + epoch).subarray(0, batches * task.batchSize)), 'int32');
      const x = tf.gather(data.train.x, idx);
      const y = tf.gather(data.train.y, idx);
      await model.fit(x, y, { batchSize: task.batchSize, epochs: 1, shuffle: false, verbose: 0 });
      tf.dispose([idx, x, y]);
      done += batches;
    }
    const atX = await evaluateOn(model, data.test);
    opt.train();
    const atY = await evaluateOn(model, data.test);
    console.log(`seed ${seed}: at x (average) ${(atX.accuracy * 100).toFixed(2)} %, at y (gradient point) ${(atY.accuracy * 100).toFixed(2)} %`);
  }
})();
