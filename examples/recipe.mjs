// The library's recommended zero-config recipe, end to end on a small synthetic task: the range test on the
// model compiled with Adam, then Schedule-Free AdamW with the options it returns (`scheduleFreeAdamWOptions`:
// its LR, and a warmup over 10 % of the training). Beside it, Schedule-Free AdamW at its defaults from the
// same initial weights, so the two can be compared. On this toy task the default LR is far too low for 200 steps,
// so the gap is large; on real tasks it is about a point at 300–600 steps and smaller in longer runs (README).
//
//   npm run example:recipe                 # ~10 s on the cpu backend
//   npm run example:recipe -- --epochs 20
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { rangeTest } from 'tfjs-clr';
import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';
import { pickBackend, spiralModel, spirals } from './lib/spirals.mjs';

const { values: args } = parseArgs({ options: { epochs: { type: 'string', default: '5' } } });
const epochs = Number(args.epochs);
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`--epochs must be a whole number ≥ 1, got "${args.epochs}"`);
  process.exit(1);
}
console.log(`backend: ${await pickBackend(createRequire(import.meta.url))}`);

const batchSize = 50;
const train = spirals(2000, 1);
const test = spirals(1000, 2);
const trainingSteps = epochs * Math.ceil(train.xs.shape[0] / batchSize);

// 1. The range test, on the model compiled with Adam (Schedule-Free AdamW's LR is read from Adam's curve). Given
//    the training length, the options include the warmup. The model is put back as it was when it ends.
const model = spiralModel(tf.train.adam());
const { scheduleFreeAdamWOptions, suggestion, iterations } = await rangeTest(model, { x: train.xs, y: train.ys }, { batchSize, trainingSteps });
console.log(`range test: ${iterations} iterations; Adam's maxLR ${suggestion.maxLR?.toPrecision(3)}, confidence ${suggestion.confidence}`);
for (const note of suggestion.notes) console.log(`note: ${note}`);
console.log(`scheduleFreeAdamWOptions: ${JSON.stringify(scheduleFreeAdamWOptions)}`);

// 2. Train with them, and, from the same initial weights (spiralModel's seeded initializers), at the defaults.
async function trainAndScore(name, m) {
  await m.fit(train.xs, train.ys, { epochs, batchSize, verbose: 0 });
  const [loss, acc] = m.evaluate(test.xs, test.ys).map((t) => t.dataSync()[0]);
  console.log(`${name}: test accuracy ${(100 * acc).toFixed(2)} % (loss ${loss.toFixed(4)}) after ${trainingSteps} steps`);
}
model.compile({ optimizer: scheduleFreeAdamW(scheduleFreeAdamWOptions ?? {}), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await trainAndScore('range test + Schedule-Free AdamW', model);
await trainAndScore('Schedule-Free AdamW, defaults  ', spiralModel(scheduleFreeAdamW()));
