/**
 * The demo's comparison (browser-safe, also run in Node by its test): from the zero-config range
 * test's suggestion, the same model from the same initial weights trained six ways for the same
 * budget — a fixed LR at the suggestion's baseLR and at its maxLR, CLR (triangular2) between them,
 * 1cycle to the suggested peak (all Momentum SGD 0.9), Schedule-Free AdamW at its defaults, and the
 * library's recommended recipe: Schedule-Free AdamW with the settings of a range test run with Adam
 * (`scheduleFreeAdamWOptions`) — with test accuracy after every epoch. The CLR run also keeps an EMA of
 * its weights (`weightAveraging`), scored at the end: averaging helps a schedule still cycling when the
 * run ends (bench/results/cifar).
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, OneCycleLR, WeightAveraging, getLearningRate, rangeTest, type RangeTestOutcome, type ScheduleFreeAdamWSettings } from 'tfjs-clr';
import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';

/** The data and model of a comparison: a model factory that gives the same initial weights every call. */
export interface CompareTask {
  xs: tf.Tensor;
  ys: tf.Tensor;
  test: { xs: tf.Tensor; ys: tf.Tensor };
  model: () => tf.LayersModel;
}

/**
 * What the range tests gave: CLR's bounds and 1cycle's peak (`rangeTest`'s `cyclicLROptions` /
 * `oneCycleLROptions`, the test run with Momentum SGD), and Schedule-Free AdamW's settings (its
 * `scheduleFreeAdamWOptions`, a test run with Adam: {@link scheduleFreeAdamWRecipe}).
 */
export interface Suggested {
  baseLR: number;
  maxLR: number;
  oneCycleMaxLR: number;
  /** Null where the test with Adam gave no bounds: the recipe then trains at the defaults (the README's `?? {}`). */
  scheduleFreeAdamW: ScheduleFreeAdamWSettings | null;
}

export interface CompareRun {
  name: string;
  /** The run's settings, in one line. */
  describe: string;
  optimizer: () => tf.Optimizer;
  callbacks: () => tf.Callback[];
  /** Also keep an EMA of the weights (decay warmed up, the library's default) and score it at the end. */
  ema?: boolean;
}

/** Momentum SGD's momentum in every scheduled run (the paper's, PyTorch's OneCycleLR default cycles it). */
const MOMENTUM = 0.9;
/** Whole triangular2 cycles in the budget (the study's choice, bench:suggest). */
export const CYCLES = 3;

/** The page's batch size (its range tests and every run). */
export const BATCH_SIZE = 32;

/** The batches in `epochs` passes over `examples` in batches of `batchSize` (the last one partial). */
export const runIterations = (examples: number, batchSize: number, epochs: number) => Math.ceil(examples / batchSize) * epochs;

/** A setting as the page writes it: 3 significant digits. */
export const fmt = (v: number) => String(Number(v.toPrecision(3)));

/** CLR's half cycle for a run of `iterations` batches: {@link CYCLES} whole cycles in it. */
export const clrStepSize = (iterations: number) => Math.max(1, Math.floor(iterations / (2 * CYCLES)));

/** The six runs, for a budget of `iterations` batches. */
export function comparisonRuns(s: Suggested, iterations: number): CompareRun[] {
  const sgd = (lr: number) => () => tf.train.momentum(lr, MOMENTUM);
  const stepSize = clrStepSize(iterations);
  return [
    { name: 'fixed at baseLR', describe: `Momentum SGD, ${fmt(s.baseLR)} throughout`, optimizer: sgd(s.baseLR), callbacks: () => [] },
    { name: 'fixed at maxLR', describe: `Momentum SGD, ${fmt(s.maxLR)} throughout`, optimizer: sgd(s.maxLR), callbacks: () => [] },
    {
      name: 'CLR triangular2',
      describe: `Momentum SGD, CyclicLR ${fmt(s.baseLR)} ↔ ${fmt(s.maxLR)}, stepSize ${stepSize} (${CYCLES} cycles)`,
      optimizer: sgd(s.baseLR),
      callbacks: () => [new CyclicLR({ baseLR: s.baseLR, maxLR: s.maxLR, stepSize, mode: 'triangular2' })],
      ema: true,
    },
    {
      name: '1cycle',
      describe: `Momentum SGD, OneCycleLR to ${fmt(s.oneCycleMaxLR)} over ${iterations} iterations`,
      optimizer: sgd(s.oneCycleMaxLR),
      callbacks: () => [new OneCycleLR({ maxLR: s.oneCycleMaxLR, totalSteps: iterations })],
    },
    { name: 'Schedule-Free AdamW', describe: 'its defaults (LR 0.0025), no schedule, no range test', optimizer: () => scheduleFreeAdamW(), callbacks: () => [] },
    {
      name: 'range test + Schedule-Free AdamW',
      describe: s.scheduleFreeAdamW
        ? `the library's recipe: scheduleFreeAdamWOptions from a range test run with Adam, LR ${fmt(s.scheduleFreeAdamW.learningRate)}` +
          (s.scheduleFreeAdamW.warmupSteps ? `, warmed up over ${s.scheduleFreeAdamW.warmupSteps} iterations` : '')
        : 'the range test with Adam gave no bounds: its defaults',
      optimizer: () => scheduleFreeAdamW(s.scheduleFreeAdamW ?? {}),
      callbacks: () => [],
    },
  ];
}

/**
 * The page's first button: the zero-config range test on the task's model (fresh, the same initial weights
 * as every run) compiled with Momentum SGD 0.9, batches of `batchSize`; `callbacks` see its batches (live
 * curve, progress). Its CLR bounds and 1cycle peak are what {@link comparisonRuns} trains with. The model
 * is disposed after.
 */
export function zeroConfigTest(task: Pick<CompareTask, 'xs' | 'ys' | 'model'>, o: { batchSize: number; callbacks?: tf.Callback[] }): Promise<RangeTestOutcome> {
  return freshRangeTest(task, tf.train.momentum(0.01, MOMENTUM), o);
}

/** `rangeTest` on a fresh copy of the task's model compiled with `optimizer`; the model and optimizer disposed after. */
async function freshRangeTest(
  task: Pick<CompareTask, 'xs' | 'ys' | 'model'>,
  optimizer: tf.Optimizer,
  o: { batchSize: number; trainingSteps?: number; callbacks?: tf.Callback[] },
): Promise<RangeTestOutcome> {
  const model = task.model();
  try {
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return await rangeTest(model, { x: task.xs, y: task.ys }, { ...o, callbacks: o.callbacks ?? [] });
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * The library's recommended zero-config recipe, its settings: the range test run on the task's model
 * (fresh, the same initial weights as every run) compiled with Adam, told the training's length for
 * the warmup (`rangeTest`'s `scheduleFreeAdamWOptions`). `callbacks` see the test's batches (progress);
 * the model is disposed after. Null settings where the test gave no bounds (its notes say why).
 */
export async function scheduleFreeAdamWRecipe(
  task: CompareTask,
  o: { batchSize: number; trainingSteps: number; callbacks?: tf.Callback[] },
): Promise<{ settings: ScheduleFreeAdamWSettings | null; iterations: number; notes: string[] }> {
  const r = await freshRangeTest(task, tf.train.adam(), o);
  return { settings: r.scheduleFreeAdamWOptions, iterations: r.iterations, notes: r.suggestion.notes };
}

export interface RunOutcome {
  name: string;
  describe: string;
  /** Test accuracy after each epoch. */
  accuracy: number[];
  finalAccuracy: number;
  bestAccuracy: number;
  /** With `ema`: the final test accuracy of the EMA of the weights (the raw weights' is `finalAccuracy`). */
  emaAccuracy?: number;
  /** The LR each batch used. */
  lr: number[];
  seconds: number;
  imagesPerSecond: number;
}

/** Live hooks of a run: after each batch (its 0-based iteration and the LR it used), after each epoch. */
export interface RunHooks {
  onBatch?: (iteration: number, lr: number) => void | Promise<void>;
  onEpoch?: (epoch: number, accuracy: number) => void | Promise<void>;
}

/** Test accuracy after each epoch, the LR of each batch, and the hooks for live charts. */
class Recorder extends tf.Callback {
  readonly accuracy: number[] = [];
  readonly lr: number[] = [];
  constructor(
    private readonly test: { xs: tf.Tensor; ys: tf.Tensor },
    private readonly hooks: RunHooks,
  ) {
    super();
  }
  override async onBatchEnd(): Promise<void> {
    const lr = getLearningRate(this.model.optimizer);
    this.lr.push(lr);
    await this.hooks.onBatch?.(this.lr.length - 1, lr);
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    const acc = await testAccuracy(this.model, this.test);
    this.accuracy.push(acc);
    await this.hooks.onEpoch?.(epoch, acc);
  }
}

/** The fraction of the test set `model` classifies right. */
async function testAccuracy(model: tf.LayersModel, test: { xs: tf.Tensor; ys: tf.Tensor }): Promise<number> {
  const correct = tf.tidy(() => tf.equal(tf.argMax(model.predict(test.xs) as tf.Tensor, 1), tf.argMax(test.ys, 1)).sum());
  const acc = (await correct.data())[0] / test.ys.shape[0];
  correct.dispose();
  return acc;
}

/**
 * Trains `run` for `epochs` over the task's data in its given order (no shuffling: every run sees the
 * same batches) and returns its record; the hooks feed live charts and progress.
 */
export async function trainRun(
  task: CompareTask,
  run: CompareRun,
  o: { epochs: number; batchSize: number } & RunHooks,
): Promise<RunOutcome> {
  const model = task.model();
  const optimizer = run.optimizer();
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rec = new Recorder(task.test, o);
  const ema = run.ema ? new WeightAveraging({ mode: 'ema', swapAtEnd: false }) : null;
  const t0 = performance.now();
  let emaAccuracy: number | undefined;
  try {
    await model.fit(task.xs, task.ys, { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0, callbacks: [...run.callbacks(), ...(ema ? [ema] : []), rec] });
    if (ema) emaAccuracy = await ema.withAverage(() => testAccuracy(model, task.test));
  } finally {
    ema?.dispose();
    optimizer.dispose();
    model.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    name: run.name,
    describe: run.describe,
    accuracy: rec.accuracy,
    finalAccuracy: rec.accuracy[rec.accuracy.length - 1],
    bestAccuracy: Math.max(...rec.accuracy),
    ...(emaAccuracy !== undefined ? { emaAccuracy } : {}),
    lr: rec.lr,
    seconds,
    imagesPerSecond: (rec.lr.length * o.batchSize) / seconds,
  };
}
