/**
 * The experiment's LR range tests: from the initial weights (per optimizer) or, re-run mid-run, from the
 * current ones; the model is left as it was found (rangeTest restores it).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BUDGET, DEFAULT_PROBES, rangeTest as runRangeTest } from 'tfjs-clr';
import { rangeTestChart, rangeTestTerminal, toSVG } from 'tfjs-clr/plot';
import { ProgressCallback } from './callbacks.js';
import type { ExperimentOptions, RangeTestRecord, Stats } from './experiment.js';
import type { OptimizerName } from './optimizers.js';
import type { PolicyName } from './policies.js';
import { fmtLR } from './report.js';
import { makeBatch, trainingDataset } from './batches.js';

/** A range test of `model` as it is (restored afterwards), with validation on ≤ 1,000 test images. */
export async function rangeTestFrom(o: ExperimentOptions, model: tf.LayersModel, stats: Stats, optimizer: OptimizerName, at: number, policy?: PolicyName): Promise<RangeTestRecord> {
  const { data, log } = o;
  const iterationsPerEpoch = Math.floor(data.train.count / o.batchSize);
  const explicit = o.rangeMaxLR !== undefined;
  const beforeTraining = at === 0; // then rangeTest's options for the Schedule-Free optimizers are worth recording
  const n = explicit ? o.rangeIterations ?? o.rangeEpochs * iterationsPerEpoch : o.rangeBudget ?? DEFAULT_BUDGET;
  const where = at > 0 ? `${optimizer} ${policy}, at iteration ${at}, from the current weights` : optimizer;
  log(
    explicit
      ? `\nLR range test (${where}): ${fmtLR(o.rangeMinLR ?? (o.rangeMaxLR as number) / 1000)} → ${fmtLR(o.rangeMaxLR)} linearly over ${n} iterations (${(n / iterationsPerEpoch).toFixed(1)} epochs)`
      : `\nLR range test (${where}; zero-config, at most ${n} iterations): ${DEFAULT_PROBES} exponential probes from 1e-7 until the loss diverges, then a linear sweep below where their mean did with test accuracy about 60 times`,
  );
  const val = { count: Math.min(data.test.count, 1000), images: data.test.images, labels: data.test.labels };
  const v = makeBatch(val, Array.from({ length: val.count }, (_, k) => k), stats);
  const out = await runRangeTest(model, trainingDataset(data.train, o.batchSize, stats, o.seed + 1 + at), {
    batchesPerEpoch: iterationsPerEpoch,
    validationData: [v.xs, v.ys],
    callbacks: [new ProgressCallback('range test', n, o.progress, o.batchSize, log)],
    ...(explicit ? { minLR: o.rangeMinLR, maxLR: o.rangeMaxLR, numIterations: n } : { budget: n }),
    ...(beforeTraining ? { trainingSteps: o.iterations } : {}),
  });
  tf.dispose([v.xs, v.ys]);
  const { result, suggestion } = out;
  log(await rangeTestTerminal(result, suggestion));
  const svg = `range-test${at > 0 ? `-${optimizer}-${policy}-at-${at}` : o.optimizers && o.optimizers.length > 1 ? `-${optimizer}` : ''}.svg`;
  writeFileSync(path.join(o.out, svg), await toSVG(rangeTestChart(result, suggestion, { title: `CIFAR-10 ${o.net}, ${where}: LR range test` })));
  log(
    suggestion.baseLR !== null && suggestion.maxLR !== null
      ? `suggested bounds: baseLR ${fmtLR(suggestion.baseLR)}, maxLR ${fmtLR(suggestion.maxLR)} (${suggestion.maxLRReason}, confidence ${suggestion.confidence})`
      : `the range test suggested no bounds (${suggestion.notes.join('; ')})`,
  );
  const scheduleFree = { scheduleFreeAdamW: out.scheduleFreeAdamWOptions, scheduleFreeSGD: out.scheduleFreeSGDOptions };
  return { optimizer, at, policy, result, suggestion, iterations: out.iterations, ...(beforeTraining ? { scheduleFree } : {}), svg };
}

