/**
 * The demo's comparison (browser-safe, also run in Node by its test): from the zero-config range
 * test's suggestion, the same model from the same initial weights trained five ways for the same
 * budget — a fixed LR at the suggestion's baseLR and at its maxLR, CLR (triangular2) between them,
 * 1cycle to the suggested peak (all Momentum SGD 0.9), and Schedule-Free AdamW at its defaults — with
 * test accuracy after every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, OneCycleLR, getLearningRate } from 'tfjs-clr';
import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';

/** The data and model of a comparison: a model factory that gives the same initial weights every call. */
export interface CompareTask {
  xs: tf.Tensor;
  ys: tf.Tensor;
  test: { xs: tf.Tensor; ys: tf.Tensor };
  model: () => tf.LayersModel;
}

/** What the range test gave: CLR's bounds and 1cycle's peak (`rangeTest`'s `cyclicLROptions` / `oneCycleLROptions`). */
export interface Suggested {
  baseLR: number;
  maxLR: number;
  oneCycleMaxLR: number;
}

export interface CompareRun {
  name: string;
  /** The run's settings, in one line. */
  describe: string;
  optimizer: () => tf.Optimizer;
  callbacks: () => tf.Callback[];
}

/** Momentum SGD's momentum in every scheduled run (the paper's, PyTorch's OneCycleLR default cycles it). */
const MOMENTUM = 0.9;
/** Whole triangular2 cycles in the budget (the study's choice, bench:suggest). */
const CYCLES = 3;

const fmt = (v: number) => String(Number(v.toPrecision(3)));

/** The five runs, for a budget of `iterations` batches. */
export function comparisonRuns(s: Suggested, iterations: number): CompareRun[] {
  const sgd = (lr: number) => () => tf.train.momentum(lr, MOMENTUM);
  const stepSize = Math.max(1, Math.floor(iterations / (2 * CYCLES)));
  return [
    { name: 'fixed at baseLR', describe: `Momentum SGD, ${fmt(s.baseLR)} throughout`, optimizer: sgd(s.baseLR), callbacks: () => [] },
    { name: 'fixed at maxLR', describe: `Momentum SGD, ${fmt(s.maxLR)} throughout`, optimizer: sgd(s.maxLR), callbacks: () => [] },
    {
      name: 'CLR triangular2',
      describe: `Momentum SGD, CyclicLR ${fmt(s.baseLR)} ↔ ${fmt(s.maxLR)}, stepSize ${stepSize} (${CYCLES} cycles)`,
      optimizer: sgd(s.baseLR),
      callbacks: () => [new CyclicLR({ baseLR: s.baseLR, maxLR: s.maxLR, stepSize, mode: 'triangular2' })],
    },
    {
      name: '1cycle',
      describe: `Momentum SGD, OneCycleLR to ${fmt(s.oneCycleMaxLR)} over ${iterations} iterations`,
      optimizer: sgd(s.oneCycleMaxLR),
      callbacks: () => [new OneCycleLR({ maxLR: s.oneCycleMaxLR, totalSteps: iterations })],
    },
    { name: 'Schedule-Free AdamW', describe: 'its defaults (LR 0.0025), no schedule, no range test', optimizer: () => scheduleFreeAdamW(), callbacks: () => [] },
  ];
}

export interface RunOutcome {
  name: string;
  describe: string;
  /** Test accuracy after each epoch. */
  accuracy: number[];
  finalAccuracy: number;
  bestAccuracy: number;
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
    const correct = tf.tidy(() => tf.equal(tf.argMax(this.model.predict(this.test.xs) as tf.Tensor, 1), tf.argMax(this.test.ys, 1)).sum());
    const acc = (await correct.data())[0] / this.test.ys.shape[0];
    correct.dispose();
    this.accuracy.push(acc);
    await this.hooks.onEpoch?.(epoch, acc);
  }
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
  const t0 = performance.now();
  try {
    await model.fit(task.xs, task.ys, { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0, callbacks: [...run.callbacks(), rec] });
  } finally {
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
    lr: rec.lr,
    seconds,
    imagesPerSecond: (rec.lr.length * o.batchSize) / seconds,
  };
}
