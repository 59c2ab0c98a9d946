/**
 * How much of Schedule-Free AdamW's lead on bench:suggest's CIFAR-10 task is the averaging? The same
 * runs as the study's (task cifar-quick, seeds 1-3, defaults, same weights and data order), scored at
 * the average x (where the optimizer evaluates) and at the gradient point y.
 *
 *   npx tsx bench/schedule-free-points.ts
 */
import { chooseBackend } from 'tfjs-wasm-training';
import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';
import { TASKS } from './suggest/tasks.js';
import { evaluateOn, fitBudget } from './suggest/train.js';

(async () => {
  await chooseBackend('wasm');
  const task = TASKS.find((t) => t.name === 'cifar-quick');
  if (task === undefined) throw new Error('no cifar-quick task');
  const data = await task.load();
  for (const seed of [1, 2, 3]) {
    const model = task.build(seed);
    const opt = scheduleFreeAdamW();
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await fitBudget(model, task, data, seed);
    const atX = await evaluateOn(model, data.test);
    opt.train();
    const atY = await evaluateOn(model, data.test);
    console.log(`seed ${seed}: at x (average) ${(atX.accuracy * 100).toFixed(2)} %, at y (gradient point) ${(atY.accuracy * 100).toFixed(2)} %`);
  }
})();
