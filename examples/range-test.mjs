// The LR range test end to end on a small synthetic task: the zero-config test (no LR given), the
// suggested bounds, a plot of the curve, then CyclicLR for three whole cycles with the suggestion.
//
//   npm run example:range-test                 # writes results/range-test/*.svg and result.json
//   npm run example:range-test -- --out DIR
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cyclicLR, rangeTest } from 'tfjs-clr';
import { rangeTestChart, rangeTestTerminal, scheduleChart, toSVG } from 'tfjs-clr/plot';
import { pickBackend, spiralModel, spirals } from './lib/spirals.mjs';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'results/range-test' } } });
mkdirSync(args.out, { recursive: true });
console.log(`backend: ${await pickBackend(createRequire(import.meta.url))}`);

const train = spirals(2000, 1);
const val = spirals(500, 2);
const model = spiralModel(tf.train.momentum(0.01, 0.9));

// 1. The zero-config range test: no LR given. Three exponential probes from 1e-7 (the same starting
//    weights, each its own data order) find where the loss diverges, then the paper's linear sweep runs
//    below that, with validation accuracy ~60 times; 500 iterations in all (the default budget).
const { result, suggestion, plan, cyclicLROptions, oneCycleLROptions, iterations } = await rangeTest(
  model,
  { x: train.xs, y: train.ys },
  { batchSize: 50, validationData: [val.xs, val.ys], epochsPerHalfCycle: 2 },
);
console.log(`range test: ${iterations} iterations; the probe's loss diverged at LR ${result.maxLR.toPrecision(3)}, so the sweep ran ${result.minLR.toPrecision(3)} → ${result.maxLR.toPrecision(3)}`);
console.log(await rangeTestTerminal(result, suggestion));
console.log(`stop: ${result.stopReason}; suggestion from ${suggestion.source}: baseLR ${suggestion.baseLR}, maxLR ${suggestion.maxLR} ` +
  `(${suggestion.maxLRReason}), confidence ${suggestion.confidence}; maxLR/3 ${suggestion.alternatives.maxOver3}`);
if (suggestion.spread) console.log(`the probes read alone: ${suggestion.spread.readings.map((v) => v.toPrecision(3)).join(', ')} (${suggestion.spread.ratio.toFixed(2)}× apart: about how far a rerun lands)`);
console.log(`1cycle instead: ${JSON.stringify(oneCycleLROptions)}`);
console.log(`loss second opinion: steepest descent at ${suggestion.loss.steepestLR}, lowest loss at ${suggestion.loss.minLossLR}`);
for (const note of suggestion.notes) console.log(`note: ${note}`);
writeFileSync(join(args.out, 'result.json'), JSON.stringify({ result, suggestion, plan }, null, 2));
writeFileSync(join(args.out, 'range-test.svg'), await toSVG(rangeTestChart(result, suggestion)));

// 2. Train with the suggested bounds for 3 whole cycles (the model was restored after the test).
if (cyclicLROptions && plan) {
  console.log(`\ntraining with CyclicLR ${JSON.stringify(cyclicLROptions)} for ${plan.cycles} cycles = ${plan.epochs} epochs`);
  const clr = cyclicLR({ ...cyclicLROptions, mode: 'triangular2' });
  await model.fit(train.xs, train.ys, { epochs: plan.epochs, batchSize: 50, callbacks: [clr], verbose: 0 });
  const [loss, acc] = model.evaluate(val.xs, val.ys).map((t) => t.dataSync()[0]);
  console.log(`validation accuracy after ${clr.iteration} iterations: ${acc.toFixed(4)} (loss ${loss.toFixed(4)})`);
  writeFileSync(join(args.out, 'schedule.svg'), await toSVG(scheduleChart(clr.history, { title: 'CyclicLR (triangular2) from the range test' })));
}
console.log(`\nwrote ${join(args.out, 'range-test.svg')}, schedule.svg and result.json`);
