/**
 * `rangeTest`: the whole LR range test in one call. With no LR given it finds the useful region by
 * itself (an exponential probe until the loss diverges, then the paper's linear sweep below that),
 * puts the model back after each stage, reads the bounds, and hands back options ready for `CyclicLR`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { LRFinder } from './lrFinder.js';
import type { LRFinderOptions, RangeTestResult } from './result.js';
import { suggestBounds, suggestStepSize, type SuggestBoundsOptions, type TrainingPlan } from '../analysis/suggest.js';
import type { BoundsSuggestion } from '../analysis/curve.js';
import type { CyclicLRCallbackOptions } from '../callbacks/cyclicLR.js';
import type { OneCycleLRCallbackOptions } from '../callbacks/oneCycleLR.js';
import { DEFAULT_ONE_CYCLE_READING, oneCyclePeak } from '../analysis/oneCyclePeak.js';
import { scheduleFreeLR, scheduleFreeSGDFactor, scheduleFreeSGDSettings, trainingEdge, warmupStepsOf, SCHEDULE_FREE_ADAMW_WARMUP, SCHEDULE_FREE_SGD_LONG_RUN, SCHEDULE_FREE_SGD_WARMUP, type ScheduleFreeAdamWSettings, type ScheduleFreeSGDSettings } from '../analysis/scheduleFreeLR.js';
import { atLeast, checkedElsewhere, choice, fail, fromTable, integerAtLeast, later, positive, satisfies, type OptionRule } from '../validate.js';
import { FINDER_KEYS } from './options.js';
import { noiseSigma, smoothZeroPhase } from '../analysis/stats.js';
import { MIN_RELATIVE_RISE } from './divergence.js';
import { meanProbe } from './probes.js';
import { freshWeights } from '../tfjs/reinitialize.js';

/** Training data for {@link rangeTest}: tensors (as for `fit`) or a batched `tf.data.Dataset` (as for `fitDataset`). */
export type RangeTestData =
  | { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] }
  | tf.data.Dataset<tf.TensorContainer>;

/** Independent probes the zero-config test runs by default (their mean curve is read; see {@link RangeTestOptions.probes}). */
export const DEFAULT_PROBES = 3;
/** The zero-config test's default cost in iterations: 3 probes of 100, then 200 for the linear sweep. */
export const DEFAULT_BUDGET = 500;

/** Where the zero-config probe starts and the highest LR it tries (fastai's lr_find range). */
export const PROBE_RANGE = { minLR: 1e-7, maxLR: 10 } as const;

/** Options of {@link rangeTest}: the finder's, plus how to fit and how to read the result. */
export interface RangeTestOptions extends Omit<LRFinderOptions, 'maxLR'> {
  /**
   * The sweep's top LR. Leave it out for the zero-config test: an exponential probe from 1e-7 (up to
   * 10) until the loss diverges, then a linear sweep from ~0 to where the probe diverged.
   */
  maxLR?: number;
  /**
   * Zero-config test: iterations for both stages together (each probe gets budget / (probes + 2), at
   * most 100; the sweep the rest, plus whatever the probes did not use), or `{ epochs }`; default
   * {@link DEFAULT_BUDGET} (500: 3 × 100 + 200).
   */
  budget?: number | { epochs: number };
  /**
   * Zero-config test: independent exponential probes, each from the model's starting weights with its
   * own data order; the rule reads their mean curve, and their spread (each read alone) sets the
   * suggestion's `spread` and caps its confidence. Default {@link DEFAULT_PROBES} (3); 1 = one probe.
   */
  probes?: number;
  /**
   * Zero-config test: where the probes start. `'current'` (default): every probe from the model's
   * weights as they are. `'fresh'`: the first from them, each other one from a fresh initialization of
   * the same architecture (the model rebuilt from its JSON, seeded initializers with shifted seeds), so
   * the curve read is the architecture's rather than one set of initial weights'. The sweep always runs
   * from the model's own weights, and the model is put back exactly as it was. Only for an untrained
   * model (a test before training): a re-test mid-run must read the weights it has. Measured
   * (`npm run bench:suggest -- --probe-weights fresh …`, 4 tasks × 5 seeds × {Momentum SGD, Adam}): not
   * better — the suggested maxLR spread across seeds narrowed on 2 of 8 task × optimizer pairs and
   * widened on 4 (the CIFAR-10 convnet with Momentum SGD 2.10× → 2.54×), the trained outcome unchanged
   * within noise; hence not the default.
   */
  probeWeights?: 'current' | 'fresh';
  /** With `maxLR`: epochs to sweep over (the paper: a few; 8 on CIFAR-10); default 4. */
  epochs?: number;
  /** Batch size for tensor data; default 32 (tfjs's default). */
  batchSize?: number;
  /** For a dataset of unknown size: batches per epoch. */
  batchesPerEpoch?: number;
  /** How to read the result: the rule (default: the study's best) and its settings. */
  suggest?: SuggestBoundsOptions;
  /** Epochs per half cycle for the suggested step size (2–10); default 4. */
  epochsPerHalfCycle?: number;
  /**
   * The batches you will train for (all epochs together), for `scheduleFreeSGDOptions`' multiple of maxLR
   * (larger from 1,500 steps, unless the test found the edge) and warmup (10 % of them; without it that
   * outcome is null and a note says so), and `scheduleFreeAdamWOptions`' warmup (10 % of them; without it,
   * none, and a note says so). Nothing else reads it.
   */
  trainingSteps?: number;
  /** Extra callbacks (class instances, e.g. a progress bar), run after the finder. */
  callbacks?: tf.Callback[];
  /** Shuffle tensor data each epoch (as `fit`); default true. */
  shuffle?: boolean;
  /** tfjs's fit verbosity (1 shows tfjs-node's progress bar); default 0. */
  verbose?: 0 | 1;
}

/** What {@link rangeTest} returns. */
export interface RangeTestOutcome {
  /** The sweep's record; `result.probe` is the zero-config probe's, when one ran. */
  result: RangeTestResult;
  suggestion: BoundsSuggestion;
  /** Step size and a whole-cycle plan, when the batches per epoch are known. */
  plan: TrainingPlan | null;
  /** Options for `new CyclicLR(...)`, or null when the curve gave no bounds. */
  cyclicLROptions: CyclicLRCallbackOptions | null;
  /**
   * Options for `new OneCycleLR(...)` (its peak `maxLR` read by {@link oneCyclePeak} with
   * {@link DEFAULT_ONE_CYCLE_READING}; `totalSteps` left to the fit), or null when the curve gave no bounds.
   */
  oneCycleLROptions: OneCycleLRCallbackOptions | null;
  /**
   * Options for `scheduleFreeAdamW(...)` (`tfjs-clr/optimizers`), its `learningRate` chosen by
   * {@link scheduleFreeLR}: Schedule-Free AdamW's default 0.0025, unless twice the suggested maxLR is more
   * than 2× away from it — then that, held within 8× of the default (the suggestion's notes say which, and
   * why). Measured (`npm run bench:suggest`, 4 tasks × 5 seeds): runs of 300–600 iterations 80.50 % mean
   * against 79.59 for the defaults (the range test's LR taken on the MLPs and the word-list model); the
   * same tasks trained 5× longer 83.77 against 83.72 (`--iterations-scale 5`; −0.20 on the word lists,
   * where a larger LR costs in long runs). On the CIFAR-10 convnet the default is kept on every seed, where
   * at 16 epochs the range test's LR ended below it (77.41 against 77.78 %, 6 seeds; `npm run bench:cifar`).
   * With `trainingSteps` given, `warmupSteps` warms the LR up over 10 % of them
   * ({@link SCHEDULE_FREE_ADAMW_WARMUP}): over the same 4 tasks × 10 seeds at 300–600 iterations 80.73 % against
   * 80.43 without it and 79.55 for the defaults (the CIFAR-10 convnet 54.28 against 53.17); at 1,500–3,000
   * iterations 83.96 against 83.82 and 83.73 (below the defaults on the word lists, −0.17, and Fashion-MNIST,
   * −0.05); 77.97 % against the defaults' 77.72 at 16 epochs of CIFAR-10 (seeds 4–24; above on 14 of 21,
   * paired +0.25 [+0.06, +0.44]), behind them over the first quarter of such a run while the LR warms up (−3.7
   * points at 500 of 8,000 iterations, level by 2,000): the gain is at the end of the `trainingSteps` it was given.
   * Given only when the test ran with Adam, the setting measured; null otherwise (an SGD or Momentum maxLR
   * is 10–100× too big for AdamW) or when the curve gave no bounds.
   */
  scheduleFreeAdamWOptions: ScheduleFreeAdamWSettings | null;
  /**
   * Options for `scheduleFreeSGD(...)` (`tfjs-clr/optimizers`) from {@link scheduleFreeSGDSettings}:
   * 15 × the suggested maxLR (20× for runs of 1,500 steps or more; 10× where the test found the model near
   * its edge, {@link trainingEdge}; {@link scheduleFreeSGDFactor}), warmed up over 10 % of `trainingSteps`.
   * Measured (`npm run bench:suggest`, 4 tasks × 5 seeds): 79.73 % mean test accuracy in runs of 300–600
   * iterations against 78.19 for the best Momentum SGD schedule (a constant ½ maxLR with an EMA) and 79.59
   * for Schedule-Free AdamW's defaults; at 2× those budgets 81.93 against 82.09, at 5× 83.88 against 83.72;
   * 16 epochs of CIFAR-10 77.95 against 77.67 (`npm run bench:cifar`, seeds 4–6). Given only when the test ran
   * with Momentum SGD at momentum 0.9 (the setting measured) and `trainingSteps` was given; null otherwise, or
   * when the curve gave no bounds (a note says why).
   */
  scheduleFreeSGDOptions: ScheduleFreeSGDSettings | null;
  /** Training iterations the test cost (probe and sweep). */
  iterations: number;
}

function isDataset(data: RangeTestData): data is tf.data.Dataset<tf.TensorContainer> {
  return typeof (data as { iterator?: unknown }).iterator === 'function';
}

type FitOptions = Pick<RangeTestOptions, 'batchSize' | 'batchesPerEpoch' | 'callbacks' | 'shuffle' | 'verbose'>;

/** Fits once with `finder`, for enough epochs to give it `iterations` batches; restores even if fit throws. */
async function runStage(model: tf.LayersModel, data: RangeTestData, finder: LRFinder, iterations: number, perEpoch: number | null, o: FitOptions): Promise<RangeTestResult> {
  const callbacks = [finder, ...(o.callbacks ?? [])];
  try {
    if (isDataset(data)) {
      // Batches per epoch known: enough epochs of them; unknown (an unsized dataset): one epoch of `iterations`.
      const shape = perEpoch !== null ? { epochs: Math.ceil(iterations / perEpoch), batchesPerEpoch: o.batchesPerEpoch } : { epochs: 1, batchesPerEpoch: iterations };
      await model.fitDataset(data, { ...shape, callbacks, verbose: o.verbose ?? 0 });
    } else {
      await model.fit(data.x, data.y, {
        epochs: Math.ceil(iterations / (perEpoch as number)),
        batchSize: o.batchSize,
        shuffle: o.shuffle ?? true,
        callbacks,
        verbose: o.verbose ?? 0,
      });
    }
  } finally {
    await finder.finish();
  }
  const r = finder.result;
  // A dataset that ends (no .repeat()) ends the fit early: tfjs only warns, and a short curve would be
  // read as an untrainable model. Say what happened instead.
  if (isDataset(data) && r.stopReason === 'end-of-fit' && r.lr.length < iterations) {
    throw new Error(
      `rangeTest: the dataset ran out of data after ${r.lr.length} batches; this stage needed ${iterations}. ` +
        'Give a dataset that repeats (dataset.repeat()), or a bigger one; the model was restored',
    );
  }
  return r;
}

/** Batches per epoch of the data, when known. */
function batchesOf(data: RangeTestData, batchSize: number, batchesPerEpoch: number | undefined): number | null {
  if (!isDataset(data)) {
    const rows = (Array.isArray(data.x) ? data.x[0] : data.x)?.shape?.[0];
    if (!(typeof rows === 'number' && rows > 0)) fail('rangeTest', 'data.x', 'a tensor with at least one example', rows);
    return Math.ceil(rows / batchSize);
  }
  return batchesPerEpoch ?? (Number.isFinite(data.size) && data.size > 0 ? data.size : null);
}

/**
 * rangeTest's own options; LRFinder's go to its table, `suggest` to suggestBounds', `epochsPerHalfCycle`
 * to suggestStepSize's, `shuffle`/`verbose` to fit; `epochs` and `budget` are checked by mode below.
 */
const TABLE: Record<string, OptionRule> = {
  ...checkedElsewhere([...FINDER_KEYS, 'suggest', 'epochsPerHalfCycle', 'shuffle', 'verbose']),
  trainingSteps: { check: atLeast(1) },
  epochs: { check: later },
  budget: { check: later },
  probes: { check: later },
  probeWeights: { check: choice(['current', 'fresh'] as const) },
  batchSize: { check: atLeast(1), otherwise: 32 },
  batchesPerEpoch: { check: atLeast(1) },
  callbacks: { check: satisfies(Array.isArray, 'an array of tf.Callback instances') },
};

/**
 * Runs an LR range test on `model` with `data`, restores the model (weights and optimizer state), and
 * returns the record, the suggested bounds, a step size and ready-to-use `CyclicLR` options.
 *
 * With no `maxLR` (zero-config), two stages within `budget` iterations (default 500):
 * 1. **probes**: `probes` (default 3) exponential sweeps from 1e-7 towards 10, each of budget/(probes + 2)
 *    batches (at most 100, as fastai's lr_find), from the same starting weights with their own data
 *    order, each stopped when its loss diverges; their mean curve ({@link meanProbe}) finds where
 *    training works, and is what the rule reads (one probe's reading moved 3–7× between reruns on a
 *    convnet: `npm run bench:suggest`, RESULTS.md);
 * 2. **sweep**: the paper's linear sweep from `top`/1000 to `top`, the LR where the probe's loss
 *    diverged (read after the fact without the online rule's lag; 10 if it never did), over the rest of the budget, with
 *    validation accuracy after the first batch and then every ⌊n/60⌋ batches.
 *
 * @example
 * ```ts
 * const { suggestion, cyclicLROptions } = await rangeTest(model, { x: xs, y: ys },
 *   { batchSize: 64, validationData: [valXs, valYs] });
 * if (cyclicLROptions) await model.fit(xs, ys, { epochs: 24, batchSize: 64, callbacks: [cyclicLR(cyclicLROptions)] });
 * ```
 */
export async function rangeTest(model: tf.LayersModel, data: RangeTestData, opts: RangeTestOptions = {}): Promise<RangeTestOutcome> {
  const where = 'rangeTest';
  const { batchSize } = fromTable(where, opts, TABLE) as { batchSize: number };
  const { epochs: epochsOpt, budget: budgetOpt, probes: probesOpt, probeWeights, batchSize: _b, batchesPerEpoch, suggest, epochsPerHalfCycle, trainingSteps, callbacks, verbose, shuffle, ...finderOpts } = opts;
  if (data == null || typeof data !== 'object') fail(where, 'data', 'tensors { x, y } or a tf.data.Dataset', data);
  const perEpoch = batchesOf(data, batchSize, batchesPerEpoch);
  const fitOpts: FitOptions = { batchSize, batchesPerEpoch, callbacks, shuffle, verbose };

  let result: RangeTestResult;
  let iterations: number;
  if (finderOpts.maxLR !== undefined) {
    if (budgetOpt !== undefined) fail(where, 'budget', 'left out when maxLR is given (use epochs or numIterations)', budgetOpt);
    if (probesOpt !== undefined) fail(where, 'probes', 'left out when maxLR is given (probes belong to the zero-config test)', probesOpt);
    if (probeWeights !== undefined) fail(where, 'probeWeights', 'left out when maxLR is given (probes belong to the zero-config test)', probeWeights);
    const epochs = integerAtLeast(where, 'epochs', epochsOpt ?? 4, 1);
    const finder = new LRFinder({ ...finderOpts, maxLR: finderOpts.maxLR });
    const n = finderOpts.numIterations ?? (perEpoch !== null ? epochs * perEpoch : null);
    if (n === null) fail(where, 'batchesPerEpoch', 'given for a dataset of unknown size (or give numIterations)', batchesPerEpoch);
    result = await runStage(model, data, finder, n, perEpoch, fitOpts);
    iterations = result.lr.length;
  } else {
    for (const key of ['minLR', 'mode', 'numIterations'] as const) {
      if (finderOpts[key] !== undefined) fail(where, key, 'left out of a zero-config test (give maxLR to set the sweep yourself)', finderOpts[key]);
    }
    if (epochsOpt !== undefined) fail(where, 'epochs', 'left out of a zero-config test (use budget: { epochs })', epochsOpt);
    const probes = integerAtLeast(where, 'probes', probesOpt ?? DEFAULT_PROBES, 1);
    const budget = budgetIterations(budgetOpt, perEpoch, probes);
    ({ result, iterations } = await zeroConfig(model, data, { budget, probes, fresh: probeWeights === 'fresh' }, perEpoch, finderOpts, fitOpts));
  }
  const suggestion = suggestBounds(result, suggest);
  if (finderOpts.maxLR === undefined && shuffle === false && !isDataset(data) && (probesOpt ?? DEFAULT_PROBES) > 1) {
    // Same weights, same data order: the probes are copies of one another, and their spread says nothing.
    suggestion.notes.push('shuffle: false made the probes identical (same starting weights, same data order): their spread (1.00×) says nothing about a rerun; leave shuffle on');
    suggestion.spread = null;
  }
  const plan = perEpoch !== null ? suggestStepSize({ samples: perEpoch, batchSize: 1, epochsPerHalfCycle }) : null;
  const cyclicLROptions: CyclicLRCallbackOptions | null =
    suggestion.baseLR !== null && suggestion.maxLR !== null
      ? {
          baseLR: suggestion.baseLR,
          maxLR: Math.max(suggestion.maxLR, suggestion.baseLR),
          ...(plan ? { stepSize: plan.stepSize } : { stepSizeEpochs: epochsPerHalfCycle ?? 4 }),
        }
      : null;
  const peak = oneCyclePeak(result, suggestion, DEFAULT_ONE_CYCLE_READING);
  const oneCycleLROptions: OneCycleLRCallbackOptions | null = peak === null ? null : { maxLR: peak };
  const testedWithAdam = model.optimizer != null && model.optimizer.getClassName() === 'Adam';
  let scheduleFreeAdamWOptions: ScheduleFreeAdamWSettings | null = null;
  if (testedWithAdam && suggestion.maxLR !== null) {
    const sf = scheduleFreeLR(suggestion.maxLR);
    const warmupSteps = trainingSteps === undefined ? undefined : warmupStepsOf(SCHEDULE_FREE_ADAMW_WARMUP, trainingSteps);
    scheduleFreeAdamWOptions = { learningRate: sf.learningRate, ...(warmupSteps === undefined ? {} : { warmupSteps }) };
    const warmup = warmupSteps === undefined
      ? `no warmup: give trainingSteps (the batches you will train for) for one over ${SCHEDULE_FREE_ADAMW_WARMUP * 100} % of them`
      : `warmed up over ${warmupSteps} of the ${trainingSteps} training steps`;
    suggestion.notes.push(`scheduleFreeAdamWOptions: ${sf.why}; ${warmup}`);
  }
  const scheduleFreeSGDOptions = scheduleFreeSGDFrom(model.optimizer, result, suggestion, trainingSteps);
  return { result, suggestion, plan, cyclicLROptions, oneCycleLROptions, scheduleFreeAdamWOptions, scheduleFreeSGDOptions, iterations };
}

/**
 * `scheduleFreeSGDOptions` for a test run with `optimizer`, or null: with a note saying why when the test ran
 * with Momentum SGD 0.9 (the setting measured) or `trainingSteps` was given, silently otherwise.
 */
function scheduleFreeSGDFrom(optimizer: tf.Optimizer | undefined, result: RangeTestResult, suggestion: BoundsSuggestion, trainingSteps: number | undefined): ScheduleFreeSGDSettings | null {
  const name = optimizer?.getClassName() ?? 'no optimizer';
  const config = name === 'Momentum' ? (optimizer?.getConfig() as { momentum?: number; useNesterov?: boolean }) : null;
  const measured = config !== null && config.momentum === 0.9 && !config.useNesterov;
  const why = (text: string) => {
    suggestion.notes.push(`scheduleFreeSGDOptions: null: ${text}`);
    return null;
  };
  if (suggestion.maxLR === null) return null;
  if (trainingSteps === undefined) return measured ? why(`give trainingSteps (the batches you will train for) for its multiple of maxLR (larger from ${SCHEDULE_FREE_SGD_LONG_RUN} steps) and its warmup over ${SCHEDULE_FREE_SGD_WARMUP * 100} % of them`) : null;
  const edge = trainingEdge(result, suggestion.maxLR);
  const factor = scheduleFreeSGDFactor(trainingSteps, edge.nearEdge);
  if (!measured) {
    return why(
      config === null
        ? `the test ran with ${name}; Schedule-Free SGD's LR is read from a test with Momentum SGD (tf.train.momentum(lr, 0.9))`
        : `the test ran with momentum ${config.momentum}${config.useNesterov ? ' (Nesterov)' : ''}; the ${factor} × maxLR rule was measured with plain momentum 0.9`,
    );
  }
  const sgd = scheduleFreeSGDSettings(suggestion.maxLR, trainingSteps, { factor });
  const at = (x: number) => (x === Infinity ? 'never' : `at ${x.toPrecision(2)} × maxLR`);
  const room = `the probes broke ${at(edge.probe)}, the sweep ${at(edge.sweep)}${edge.nearEdge ? ': near the edge, where larger multiples diverged' : ''}`;
  suggestion.notes.push(`scheduleFreeSGDOptions: Schedule-Free SGD at ${factor} × maxLR = ${sgd.learningRate.toPrecision(3)} (${room}), warmed up over ${sgd.warmupSteps} of the ${trainingSteps} training steps`);
  return sgd;
}

/** The zero-config budget in iterations: at least 10 a probe and 20 for the sweep. */
function budgetIterations(budget: RangeTestOptions['budget'], perEpoch: number | null, probes: number): number {
  const where = 'rangeTest';
  const least = 10 * (probes + 2);
  if (budget === undefined) return Math.max(DEFAULT_BUDGET, least);
  if (typeof budget === 'object' && budget !== null) {
    const epochs = positive(where, 'budget.epochs', budget.epochs);
    if (perEpoch === null) fail(where, 'budget', 'in iterations for a dataset of unknown size (or give batchesPerEpoch)', budget);
    return integerAtLeast(where, 'budget', Math.round(epochs * perEpoch), least);
  }
  return integerAtLeast(where, 'budget', budget, least);
}

/**
 * Where the probe's loss diverged, read after the fact without the online rule's lag: the first point
 * past the minimum of the zero-phase smoothed loss where it is above min(minimum, start) by more than
 * max(start − minimum, 3σ, 5 % of |start|) (the LRFinder's rule, {@link divergenceMonitor}); else where the probe stopped; else its last point.
 */
export function divergenceIndex(probe: RangeTestResult): number {
  const n = firstNonFinite(probe.loss);
  const last = probe.stoppedAt ?? probe.lr.length - 1;
  if (n < 5) return Math.max(0, Math.min(last, n - 1));
  const loss = probe.loss.slice(0, n) as number[];
  const s = smoothZeroPhase(loss, Math.max(1, Math.round(n / 40)));
  let m = 0;
  for (let k = 1; k < n; k++) if (s[k] < s[m]) m = k;
  const scale = Math.max(s[0] - s[m], 3 * noiseSigma(loss), MIN_RELATIVE_RISE * Math.abs(s[0]));
  const floor = Math.min(s[m], s[0]);
  for (let k = m + 1; k < n; k++) if (s[k] - floor > scale) return k;
  return Math.min(last, probe.lr.length - 1);
}

function firstNonFinite(values: ReadonlyArray<number | null>): number {
  const k = values.findIndex((v) => v === null || !Number.isFinite(v));
  return k < 0 ? values.length : k;
}

/** Runs `stage` with the model's weights replaced by fresh draw `draw`, then puts its own weights back (whatever happens). */
async function fromFresh<T>(model: tf.LayersModel, draw: number, stage: () => Promise<T>): Promise<T> {
  let fresh: tf.Tensor[];
  try {
    fresh = await freshWeights(model, draw);
  } catch (e) {
    throw new Error(`rangeTest: probeWeights 'fresh': ${e instanceof Error ? e.message : String(e)}`);
  }
  const own = model.weights.map((w) => tf.clone(w.read()));
  try {
    model.weights.forEach((w, k) => w.write(fresh[k]));
    return await stage();
  } finally {
    model.weights.forEach((w, k) => w.write(own[k]));
    tf.dispose([...own, ...fresh]);
  }
}

async function zeroConfig(
  model: tf.LayersModel,
  data: RangeTestData,
  plan: { budget: number; probes: number; fresh: boolean },
  perEpoch: number | null,
  finderOpts: Omit<LRFinderOptions, 'maxLR' | 'minLR' | 'mode' | 'numIterations'>,
  fitOpts: FitOptions,
): Promise<{ result: RangeTestResult; iterations: number }> {
  const { validationData, evaluateEvery, ...common } = finderOpts;
  const { budget, probes } = plan;
  const probeN = Math.min(100, Math.round(budget / (probes + 2)));
  const runs: RangeTestResult[] = [];
  for (let k = 0; k < probes; k++) {
    // Each probe starts from the same weights (the finder restores them) with its own data order, or,
    // with fresh weights, from its own initialization (the model's own weights put back after it).
    const probeFinder = new LRFinder({ ...common, mode: 'exponential', ...PROBE_RANGE, numIterations: probeN });
    const run = plan.fresh && k > 0 ? await fromFresh(model, k, () => runStage(model, data, probeFinder, probeN, perEpoch, fitOpts)) : await runStage(model, data, probeFinder, probeN, perEpoch, fitOpts);
    if (run.loss.length > 0 && run.loss[0] === null) {
      throw new Error(
        `rangeTest: the loss was not a finite number at the very first batch (LR ${PROBE_RANGE.minLR}, too small to matter): ` +
          'check the data (NaN or infinite inputs or labels) and the model; the model was restored',
      );
    }
    runs.push(run);
  }
  const probe = meanProbe(runs);
  const probeIterations = runs.reduce((a, r) => a + r.lr.length, 0);
  const top = probe.lr[divergenceIndex(probe)];
  const sweepN = Math.max(20, budget - probeIterations);
  // ~60 validation points planned: the sweep often stops at divergence well before `top` (the model,
  // trained by then, breaks at lower LRs than the untrained probe did), and >= 30 should remain.
  const every = evaluateEvery ?? Math.max(1, Math.floor(sweepN / 60));
  const sweepFinder = new LRFinder({ ...common, validationData, evaluateEvery: every, mode: 'linear', minLR: top / 1000, maxLR: top, numIterations: sweepN });
  const sweep = await runStage(model, data, sweepFinder, sweepN, perEpoch, fitOpts);
  return { result: { ...sweep, probe }, iterations: probeIterations + sweep.lr.length };
}
