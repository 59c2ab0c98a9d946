/**
 * The CIFAR-10 experiment: per optimizer, an optional LR range test, then every policy from the same
 * initial weights for the same iteration budget, test accuracy at fixed intervals, optionally a range
 * test re-run mid-run (the paper's CIFAR run) and stopping at a cycle's end; then a results folder
 * (report.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, CycleEndStopping, WeightAveraging, oneCyclePeak, suggestStepSize, type StatefulCallback } from 'tfjs-clr';
import { AveragedEvals, averagingOptions } from './averaging.js';
import { EvalCallback, ProgressCallback } from './callbacks.js';
import { Checkpoints } from './checkpoint.js';
import { buildNet } from './model.js';
import { CYCLABLE_MOMENTUM, LR_FREE, defaultLR, describeOptimizer, factsFor, isLRFree, isScheduleFree, makeOptimizer, type OptimizerName } from './optimizers.js';
import { makePolicy, type PolicyName, type PolicySettings } from './policies.js';
import { comparisonTable, fmtLR, table3, writeOutputs } from './report.js';
import { rangeTestFrom } from './range.js';
import { channelStats, trainingDataset } from './batches.js';

export { iterationsToReach } from './report.js';
import type { ExperimentOptions, ExperimentResult, PolicyRun, RangeTestRecord, Stats } from './results.js';

export type { ExperimentOptions, ExperimentResult, PolicyRun, RangeTestRecord, Stats } from './results.js';

/** The paper's bounds, for SGD-like optimizers when there is neither a range test nor flags. */
const PAPER_BOUNDS = { baseLR: 0.001, maxLR: 0.006 };

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const { data, log } = o;
  checkCheckpointing(o);
  mkdirSync(o.out, { recursive: true });
  checkpointsOf(o)?.matchSettings(trainingSettings(o));
  const optimizers = o.optimizers ?? ['momentum'];
  const stats = channelStats(data.train);
  log(`train ${data.train.count} images (${data.trainFiles.join(', ')}), test ${data.test.count}; channel mean ${stats.mean.map((m) => m.toFixed(1)).join('/')}, std ${stats.std.map((m) => m.toFixed(1)).join('/')}`);
  // The initial weights every run (and every range test before training) starts from.
  const reference = buildNet(o.net, o.seed);
  const initialWeights = reference.getWeights().map((w) => w.clone());
  reference.dispose();
  const fresh = (optimizer: OptimizerName, lr: number, warmupSteps?: number): tf.LayersModel => {
    const m = buildNet(o.net, o.seed);
    m.setWeights(initialWeights);
    m.compile({ optimizer: makeOptimizer(optimizer, lr, o.momentum, warmupSteps), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const rangeTests: RangeTestRecord[] = [];
  const perOptimizer: Record<string, PolicySettings> = {};
  const runs: PolicyRun[] = [];
  const stepSize = chooseStepSize(o);
  for (const optimizer of optimizers) {
    const { baseLR, maxLR, warmupSteps } = await boundsFor(o, optimizer, (name) => fresh(name, 0.01), stats, rangeTests);
    const settings: PolicySettings = { baseLR, maxLR, stepSize, fixedLR: o.fixedLR ?? baseLR, budget: o.iterations };
    perOptimizer[optimizer] = settings;
    if (o.rangeOnly) continue;
    for (const name of o.policies) runs.push(...(await trainRun(o, { optimizer, name, settings, warmupSteps, label: optimizers.length > 1 ? `${optimizer} ${name}` : name, fresh, stats, rangeTests })));
  }
  tf.dispose(initialWeights);
  const { data: _d, log: _l, backend: _b, progress: _p, command: _c, ...rest } = o;
  const result: ExperimentResult = {
    command: o.command,
    date: new Date().toISOString(),
    backend: o.backend,
    settings: { ...rest, ...perOptimizer[optimizers[0]], optimizers, perOptimizer, trainImages: data.train.count, testImages: data.test.count, trainFiles: data.trainFiles },
    rangeTest: rangeTests[0] ?? null,
    rangeTests,
    runs,
  };
  if (o.rangeOnly) {
    // Nothing trained: no curves to chart or compare; the range tests (and their plots, already written) are the result.
    writeFileSync(path.join(o.out, 'results.json'), JSON.stringify(result, null, 1));
    const gives = optimizers.map((n) => (isLRFree(n) ? `${n} at LR ${fmtLR(perOptimizer[n].maxLR)}` : `${n} between ${fmtLR(perOptimizer[n].baseLR)} and ${fmtLR(perOptimizer[n].maxLR)}`));
    log(`\nrange tests only (--range-only), nothing trained: ${gives.join('; ')}`);
    return result;
  }
  await writeOutputs(result, o.out);
  log(['', ...comparisonTable(result), ...(optimizers.length > 1 ? ['', ...table3(result)] : [])].join('\n'));
  return result;
}

/** A learning-rate-free optimizer's warmup in steps (`lrFreeWarmup` × the budget), else undefined (the recipe's comes from its range test). */
function warmupStepsOf(o: ExperimentOptions, optimizer: OptimizerName): number | undefined {
  return o.lrFreeWarmup !== undefined && isLRFree(optimizer) ? Math.round(o.lrFreeWarmup * o.iterations) : undefined;
}

/** The run's checkpoint folder (out/checkpoints) when it checkpoints, else null. */
function checkpointsOf(o: ExperimentOptions): Checkpoints | null {
  return o.checkpointEvery !== undefined ? new Checkpoints(path.join(o.out, 'checkpoints')) : null;
}

/** Checkpoints resume weights, optimizer and schedule, so they go with the options whose state that covers. */
function checkCheckpointing(o: ExperimentOptions): void {
  const every = o.checkpointEvery;
  if (every === undefined) return;
  if (!(Number.isInteger(every) && every > 0 && every % o.evalEvery === 0)) {
    throw new Error(`--checkpoint-every must be a positive multiple of --eval-every (${o.evalEvery}), got ${every}`);
  }
  if (o.retestAfter !== undefined) throw new Error('--checkpoint-every cannot be combined with --retest-after (the re-test is not saved in a checkpoint)');
  if (o.stopAtCycleEnd) throw new Error('--checkpoint-every cannot be combined with --stop-at-cycle-end (its patience is not saved in a checkpoint)');
}

/**
 * What a checkpointed run's weights depend on: a rerun that changes any of these starts nothing from
 * the old checkpoints (the policy list may grow; finished policies are reused).
 */
function trainingSettings(o: ExperimentOptions): Record<string, unknown> {
  const { net, optimizers, cycleMomentum, iterations, evalEvery, batchSize, momentum, seed, baseLR, maxLR, stepSize, fixedLR, average } = o;
  const { rangeTest, rangeEpochs, rangeIterations, rangeMinLR, rangeMaxLR, rangeBudget } = o;
  return {
    net, optimizers: optimizers ?? ['momentum'], cycleMomentum: Boolean(cycleMomentum), iterations, evalEvery, batchSize, momentum, seed, baseLR, maxLR, stepSize, fixedLR,
    rangeTest, rangeEpochs, rangeIterations, rangeMinLR, rangeMaxLR, rangeBudget, trainImages: o.data.train.count, testImages: o.data.test.count,
    ...(average && average.length > 0 ? { average } : {}),
    ...(o.lrFreeReading !== undefined ? { lrFreeReading: o.lrFreeReading } : {}),
    ...(o.lrFreeScale !== undefined ? { lrFreeScale: o.lrFreeScale } : {}),
    ...(o.lrFreeWarmup !== undefined ? { lrFreeWarmup: o.lrFreeWarmup } : {}),
  };
}

/**
 * An optimizer's bounds: the flags, else its range test's suggestion (recorded in rangeTests), else
 * the paper's for SGD-like optimizers; an error for adaptive ones without bounds.
 */
async function boundsFor(o: ExperimentOptions, optimizer: OptimizerName, model: (name: OptimizerName) => tf.LayersModel, stats: Stats, rangeTests: RangeTestRecord[]): Promise<{ baseLR: number; maxLR: number; warmupSteps?: number }> {
  let baseLR = o.baseLR;
  let maxLR = o.maxLR;
  if (isLRFree(optimizer)) {
    // Their own default (policy `constant`), the LR their family's range test gives (--lr-free-reading), or
    // the LR and warmup rangeTest returns for them (--lr-free-reading recipe).
    const warmupSteps = warmupStepsOf(o, optimizer);
    if (o.lrFreeReading === undefined) {
      const lr = defaultLR(optimizer);
      return { baseLR: lr, maxLR: lr, warmupSteps };
    }
    const family = LR_FREE[optimizer].family;
    const t = await initialRangeTest(o, family, () => model(family), stats);
    rangeTests.push(t);
    if (o.lrFreeReading === 'recipe') {
      const recipe = isScheduleFree(optimizer) ? t.scheduleFree?.[optimizer] : undefined;
      if (!recipe) throw new Error(`--lr-free-reading recipe: rangeTest gave no ${optimizer}Options from the ${family} range test (${t.suggestion.notes.join('; ')})`);
      o.log(`${optimizer}: LR ${fmtLR(recipe.learningRate)}, warmup ${recipe.warmupSteps ?? 0} steps (rangeTest's ${optimizer}Options from the ${family} range test)`);
      return { baseLR: recipe.learningRate, maxLR: recipe.learningRate, warmupSteps: recipe.warmupSteps };
    }
    const peak = oneCyclePeak(t.result, t.suggestion, o.lrFreeReading);
    if (peak === null) throw new Error(`--lr-free-reading ${o.lrFreeReading}: the ${family} range test gave no LR (${t.suggestion.notes.join('; ')})`);
    const scale = o.lrFreeScale ?? 1;
    const lr = scale * peak;
    o.log(`${optimizer}: LR ${fmtLR(lr)} (${scale === 1 ? '' : `${scale} × `}the ${family} range test's \`${o.lrFreeReading}\` reading)`);
    return { baseLR: lr, maxLR: lr, warmupSteps };
  }
  if (o.rangeTest) {
    const t = await initialRangeTest(o, optimizer, () => model(optimizer), stats);
    rangeTests.push(t);
    baseLR ??= t.suggestion.baseLR ?? undefined;
    maxLR ??= t.suggestion.maxLR ?? undefined;
  }
  if (baseLR === undefined || maxLR === undefined) {
    if (factsFor(optimizer).adaptive) {
      throw new Error(
        o.rangeTest
          ? `--optimizer ${optimizer}: the range test suggested no bounds (${rangeTests[rangeTests.length - 1].suggestion.notes.join('; ')}); give --base-lr and --max-lr`
          : `--optimizer ${optimizer} needs bounds: add --range-test (adaptive methods need very different LRs from SGD's) or give --base-lr and --max-lr`,
      );
    }
    o.log(`${optimizer}: no bounds from a range test or flags; using the paper's ${PAPER_BOUNDS.baseLR}/${PAPER_BOUNDS.maxLR}`);
    baseLR ??= PAPER_BOUNDS.baseLR;
    maxLR ??= PAPER_BOUNDS.maxLR;
  }
  return { baseLR, maxLR };
}

/** The range test before training for `optimizer` (from the initial weights), or the one an earlier process saved. */
async function initialRangeTest(o: ExperimentOptions, optimizer: OptimizerName, model: () => tf.LayersModel, stats: Stats): Promise<RangeTestRecord> {
  const ckpt = checkpointsOf(o);
  const saved = ckpt?.readJSON<RangeTestRecord>(`range-${optimizer}`) ?? null;
  if (saved) {
    o.log(`\n${optimizer}: range test done by an earlier process (${ckpt?.dir}): baseLR ${fmtLR(saved.suggestion.baseLR)}, maxLR ${fmtLR(saved.suggestion.maxLR)}`);
    return saved;
  }
  const m = model();
  const t = await rangeTestFrom(o, m, stats, optimizer, 0);
  m.dispose();
  ckpt?.writeJSON(`range-${optimizer}`, t);
  return t;
}

/** The paper's 4 epochs per half cycle, shortened so the budget holds 3 whole cycles; or `--step-size`. */
function chooseStepSize(o: ExperimentOptions): number {
  if (o.stepSize !== undefined) return o.stepSize;
  const plan = suggestStepSize({ samples: o.data.train.count, batchSize: o.batchSize, epochsPerHalfCycle: 4 });
  if (6 * plan.stepSize <= o.iterations) return plan.stepSize;
  const stepSize = Math.max(1, Math.floor(o.iterations / 6));
  o.log(`step size: the paper's rule (4 epochs = ${plan.stepSize} iterations) needs ${6 * plan.stepSize} iterations for 3 cycles; the budget is ${o.iterations}, so stepSize = ${stepSize} (3 cycles)`);
  return stepSize;
}

interface RunSpec {
  optimizer: OptimizerName;
  name: PolicyName;
  settings: PolicySettings;
  /** The learning-rate-free optimizer's warmup in steps, if any. */
  warmupSteps: number | undefined;
  label: string;
  fresh: (optimizer: OptimizerName, lr: number, warmupSteps?: number) => tf.LayersModel;
  stats: Stats;
  rangeTests: RangeTestRecord[];
}

/** One policy with one optimizer from the initial weights; split into two fits around a re-test. */
/**
 * The paper's re-test mid-run: a range test from the current weights (restored after), then
 * `CyclicLR.reset` with its bounds (the old ones if it suggests none) and a new step size.
 */
async function retestAndReset(o: ExperimentOptions, r: RunSpec, model: tf.LayersModel, clr: CyclicLR, at: number): Promise<NonNullable<PolicyRun['retest']>> {
  const t = await rangeTestFrom(o, model, r.stats, r.optimizer, at, r.name);
  r.rangeTests.push(t);
  const stepSize = o.retestStepSize ?? Math.max(1, Math.round(r.settings.stepSize / 2));
  const ok = t.suggestion.baseLR !== null && t.suggestion.maxLR !== null;
  const bounds = ok ? { baseLR: t.suggestion.baseLR as number, maxLR: t.suggestion.maxLR as number } : { baseLR: r.settings.baseLR, maxLR: r.settings.maxLR };
  clr.reset({ ...bounds, stepSize });
  o.log(`${r.label}: continuing with CyclicLR.reset({ baseLR: ${fmtLR(bounds.baseLR)}, maxLR: ${fmtLR(bounds.maxLR)}, stepSize: ${stepSize} })`);
  return { at: t.at, ...bounds, stepSize, note: ok ? '' : 'no bounds suggested; kept the old ones' };
}

/** Where a run's fits end: every checkpoint (when checkpointing), the re-test, and the budget. */
function fitEnds(o: ExperimentOptions, retestAt: number | null): number[] {
  const ends = new Set<number>([o.iterations]);
  if (retestAt !== null) ends.add(retestAt);
  if (o.checkpointEvery !== undefined) for (let k = o.checkpointEvery; k < o.iterations; k += o.checkpointEvery) ends.add(k);
  return [...ends].sort((x, y) => x - y);
}

/** The run's record and, with `--average`, one row per average of its weights (the same run's `averageOf`). */
async function trainRun(o: ExperimentOptions, r: RunSpec): Promise<PolicyRun[]> {
  const ckpt = checkpointsOf(o);
  const finished = ckpt?.readJSON<PolicyRun[] | PolicyRun>(`${r.label}.run`);
  if (finished) {
    o.log(`\n${r.label}: finished by an earlier process (${ckpt?.dir}); reusing its record`);
    return Array.isArray(finished) ? finished : [finished];
  }
  const cycleMomentum = Boolean(o.cycleMomentum) && CYCLABLE_MOMENTUM.includes(r.optimizer);
  const policy = makePolicy(r.name, r.settings, { cycleMomentum });
  const clr = policy.callback instanceof CyclicLR ? policy.callback : null;
  // A learning-rate-free optimizer trains at the policy's constant LR (its default, or the range test's).
  const description = describeOptimizer(r.optimizer, o.momentum, r.warmupSteps, isLRFree(r.optimizer) ? policy.lrAt(0) : undefined);
  o.log(`\n${r.label}: ${description}; ${policy.describe}`);
  const evalCb = new EvalCallback(o.data.test, r.stats);
  const stopper = clr && o.stopAtCycleEnd ? new CycleEndStopping({ clr, monitor: 'val_acc', patience: o.stopPatience ?? 1 }) : null;
  const averagers = (o.average ?? []).map((name) => {
    const { options, describe } = averagingOptions(name, policy.callback, o.iterations);
    return { name, describe, callback: new WeightAveraging(options) };
  });
  const averaged = averagers.length > 0 ? new AveragedEvals(averagers, evalCb, o.data.test, r.stats) : null;
  const stateful: Record<string, StatefulCallback> = { schedule: policy.callback, ...Object.fromEntries(averagers.map((a, k) => [`average${k}`, a.callback])) };
  // A checkpoint brings back the model (weights and optimizer state), the schedule's position and the averages.
  const saved = ckpt ? await ckpt.load(r.label, stateful) : null;
  const model = saved?.model ?? r.fresh(r.optimizer, policy.lrAt(0), r.warmupSteps);
  const resumed = saved?.progress ?? null;
  if (resumed) {
    for (const key of ['iteration', 'lr'] as const) policy.callback.history[key].push(...resumed.history[key]);
    for (const key of ['iteration', 'accuracy', 'loss'] as const) evalCb.evals[key].push(...resumed.evals[key]);
    evalCb.iteration = resumed.iteration;
    evalCb.seconds = resumed.evalSeconds;
    resumed.averaged?.forEach((rec, k) => {
      if (averaged?.records[k]) for (const key of ['iteration', 'accuracy', 'loss'] as const) averaged.records[k].evals[key].push(...rec.evals[key]);
    });
    o.log(`${r.label}: resuming at iteration ${resumed.iteration} from ${ckpt?.dir}`);
  }
  const fit = async (from: number, to: number, label: string) => {
    const perEpoch = Math.min(o.evalEvery, to - from);
    const epochs = Math.ceil((to - from) / perEpoch);
    await model.fitDataset(trainingDataset(o.data.train, o.batchSize, r.stats, o.seed + 2, from), {
      epochs,
      batchesPerEpoch: perEpoch,
      callbacks: [policy.callback, ...averagers.map((a) => a.callback), evalCb, ...(averaged ? [averaged] : []), ...(stopper ? [stopper] : []), new ProgressCallback(label, o.iterations, o.progress, o.batchSize, o.log, 15, from)],
      verbose: 0,
    });
    await evalCb.record(); // where a stop ended the fit between evaluations
    await averaged?.record();
  };
  const retestAt = clr && o.retestAfter !== undefined && o.retestAfter < o.iterations ? o.retestAfter : null;
  const t0 = performance.now() - (resumed?.seconds ?? 0) * 1000;
  let retest: PolicyRun['retest'];
  let testSeconds = 0;
  for (const end of fitEnds(o, retestAt).filter((e) => e > evalCb.iteration)) {
    await fit(evalCb.iteration, end, retest ? `${r.label} (after re-test)` : r.label);
    if (stopper?.stoppedAt) break;
    if (end === retestAt && clr) {
      const t1 = performance.now();
      retest = await retestAndReset(o, r, model, clr, evalCb.iteration);
      testSeconds = (performance.now() - t1) / 1000;
    }
    if (ckpt && end < o.iterations) {
      const { history } = policy.callback;
      await ckpt.save(r.label, model, stateful, {
        iteration: evalCb.iteration,
        history: { iteration: history.iteration, lr: history.lr },
        evals: evalCb.evals,
        seconds: (performance.now() - t0) / 1000,
        evalSeconds: evalCb.seconds + (averaged?.seconds ?? 0),
        ...(averaged ? { averaged: averaged.records } : {}),
      });
      o.log(`${r.label}: checkpoint at iteration ${evalCb.iteration} saved in ${ckpt.dir}`);
    }
  }
  const total = (performance.now() - t0) / 1000;
  for (const a of averagers) a.callback.dispose();
  model.dispose();
  const acc = evalCb.evals.accuracy;
  const best = Math.max(...acc);
  const trainSeconds = total - evalCb.seconds - (averaged?.seconds ?? 0) - testSeconds;
  const run: PolicyRun = {
    name: r.name,
    optimizer: r.optimizer,
    optimizerDescription: description,
    label: r.label,
    describe: policy.describe,
    evals: evalCb.evals,
    lr: policy.callback.history.lr,
    bestAccuracy: best,
    bestAt: evalCb.evals.iteration[acc.indexOf(best)],
    finalAccuracy: acc[acc.length - 1],
    iterations: evalCb.iteration,
    trainSeconds,
    evalSeconds: evalCb.seconds + (averaged?.seconds ?? 0),
    imagesPerSecond: (evalCb.iteration * o.batchSize) / trainSeconds,
    ...(retest ? { retest } : {}),
    ...(stopper?.stoppedAt ? { stopped: { iteration: evalCb.iteration, cycle: stopper.stoppedAt.cycle, reason: stopper.stoppedAt.reason } } : {}),
  };
  o.log(`${r.label}: best test accuracy ${(best * 100).toFixed(2)} % at iteration ${run.bestAt}, final ${(run.finalAccuracy * 100).toFixed(2)} % after ${run.iterations} iterations; ${run.imagesPerSecond.toFixed(0)} images/s`);
  const rows = [run, ...(averaged?.records ?? []).filter((a) => a.evals.accuracy.length > 0).map((a) => averageRow(run, a))];
  for (const row of rows.slice(1)) o.log(`${row.label}: best test accuracy ${(row.bestAccuracy * 100).toFixed(2)} % at iteration ${row.bestAt}, final ${(row.finalAccuracy * 100).toFixed(2)} %`);
  ckpt?.writeJSON(`${r.label}.run`, rows);
  return rows;
}

/** A row for an average of `run`'s weights: the same run, its average's evaluations. */
function averageRow(run: PolicyRun, a: { name: string; describe: string; evals: PolicyRun['evals'] }): PolicyRun {
  const best = Math.max(...a.evals.accuracy);
  return {
    ...run,
    label: `${run.label} + ${a.name}`,
    describe: `${a.describe}, over the weights of the run \`${run.label}\` (scored at its evaluations)`,
    evals: a.evals,
    bestAccuracy: best,
    bestAt: a.evals.iteration[a.evals.accuracy.indexOf(best)],
    finalAccuracy: a.evals.accuracy[a.evals.accuracy.length - 1],
    averageOf: { label: run.label, name: a.name },
  };
}
