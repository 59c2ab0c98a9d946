// The schedule cookbook of the README, drawn: each recipe's LR over 1,200 iterations, and a short fit
// that shows ReduceLROnPlateau scaling a CyclicLR in the same fit.
//
//   npm run example:schedules                  # writes docs/schedules.svg
//   npm run example:schedules -- --out DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cosineRestartsSchedule,
  cyclicLearningRate,
  oneCycleLearningRate,
  warmupCosineSchedule,
} from 'tfjs-clr';
import { accuracyCurvesChart, toSVG } from 'tfjs-clr/plot';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'docs' } } });
mkdirSync(args.out, { recursive: true });

const n = 1200;
const recipes = {
  'warmup + cosine': warmupCosineSchedule({ peak: 0.1, warmupSteps: 100, steps: n }),
  'SGDR (period 100, ×2)': cosineRestartsSchedule({ maxLR: 0.1, minLR: 0.001, period: 100, periodMult: 2 }),
  '1cycle': oneCycleLearningRate({ maxLR: 0.1, totalSteps: n }),
  // What CyclicLR + ReduceLROnPlateau does when the plateau halves the LR after iterations 600 and 900.
  'CLR + plateau (halved at 600, 900)': (i) => cyclicLearningRate({ baseLR: 0.01, maxLR: 0.1, stepSize: 100 })(i) * 0.5 ** ((i >= 600) + (i >= 900)),
};
const every = 4;
const curves = Object.entries(recipes).map(([name, s]) => {
  const iteration = Array.from({ length: n / every }, (_, k) => k * every);
  return { name, iteration, accuracy: iteration.map((i) => s(i)) };
});
const svg = await toSVG(accuracyCurvesChart(curves, { title: 'Schedule cookbook', yTitle: 'learning rate', points: false, width: 720, height: 300 }));
writeFileSync(join(args.out, 'schedules.svg'), svg);
for (const c of curves) console.log(`${c.name.padEnd(36)} LR at 0, 300, 600, 900, 1196: ${[0, 75, 150, 225, 299].map((k) => c.accuracy[k].toPrecision(3)).join(', ')}`);
console.log(`wrote ${join(args.out, 'schedules.svg')}`);
