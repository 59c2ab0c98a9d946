/**
 * One training run of the study: a task's model from seed-fixed initial weights, data in a seed-fixed
 * order, a fixed LR, CyclicLR (triangular2, 3 whole cycles in the budget) or 1cycle over the budget,
 * with Momentum SGD 0.9 (or Adam, RMSProp), or a
 * learning-rate-free optimizer at its defaults or at an LR the range test gives (evaluated at its own evaluation point); the
 * accuracy on the task's test set at the end of the budget.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, OneCycleLR, WeightAveraging, scheduleFreeSGDSettings } from 'tfjs-clr';
import { LR_FREE, makeOptimizer, type LRFreeName } from '../../examples/cifar/optimizers.js';
import { permutation, type Task, type TaskData } from './tasks.js';
// KeepBest's own rule and weight copy (internal to the library, so from its source, as bench/overhead.ts does).
import { improvementTest } from '../../src/callbacks/monitor.js';
import { BestWeights } from '../../src/tfjs/bestWeights.js';

/** The learning-rate-free optimizers, at their defaults, measured against their family's grid. */
export { LR_FREE, type LRFreeName };

export type Policy =
  | { kind: 'fixed'; lr: number; ema?: boolean }
  | { kind: 'clr'; baseLR: number; maxLR: number; swa?: boolean; ema?: boolean }
  | { kind: 'onecycle'; maxLR: number; swa?: boolean; ema?: boolean }
  | { kind: 'lrfree'; optimizer: LRFreeName; lr?: number; warmupSteps?: number; keepBest?: boolean };

export interface RunOutcome {
  accuracy: number;
  loss: number;
  /** Final training loss was finite (the run did not blow up). */
  finite: boolean;
  /** With weight averaging: the test accuracy of the averaged weights of the same run (`accuracy` is the raw weights'). */
  averagedAccuracy?: number;
  /**
   * With `keepBest` (the library's `KeepBest` semantics, checked after every epoch on the task's validation split):
   * the test accuracy of the weights at the epoch of the lowest validation loss (`loss`, KeepBest's default monitor)
   * and of the highest validation accuracy (`acc`), and those epochs (0-based) of `epochs`; `accuracy` is the final weights'.
   */
  kept?: { loss: number; acc: number; lossEpoch: number; accEpoch: number; epochs: number };
  seconds: number;
}

export const MOMENTUM = 0.9;

/**
 * Schedule-Free SGD at `multiple` × Momentum SGD's suggested maxLR, with a linear warmup over the fraction `warmup` of
 * the task's budget when given — the library's `scheduleFreeSGDSettings` with that factor and warmup — or none
 * (bench:suggest's `--sf-sgd`, `--sf-warmup`; the report finds the runs by the same policy).
 */
export function scheduleFreeSGDRun(multiple: number, maxLR: number, iterations: number, warmup?: number): Policy {
  const { learningRate, warmupSteps } = scheduleFreeSGDSettings(maxLR, iterations, { factor: multiple, warmup: warmup ?? 0 });
  return { kind: 'lrfree', optimizer: 'scheduleFreeSGD', lr: learningRate, ...(warmup === undefined ? {} : { warmupSteps }) };
}

/** Schedule-Free AdamW's warmup steps over the fraction `warmup` of a budget of `iterations` (bench:suggest's `--sf-adamw-warmup`), rounded as Schedule-Free SGD's. */
export const scheduleFreeAdamWWarmup = (warmup: number, iterations: number): number => Math.round(warmup * iterations);

/** The optimizers the study covers: the paper's Momentum SGD, and the adaptive Adam and RMSProp (tfjs defaults). */
const STUDIED = ['momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof STUDIED)[number];
export const OPTIMIZERS: Record<OptimizerName, (lr: number) => tf.Optimizer> = Object.fromEntries(STUDIED.map((n) => [n, (lr: number) => makeOptimizer(n, lr, MOMENTUM)])) as Record<OptimizerName, (lr: number) => tf.Optimizer>;
/** Iterations between SWA updates in the 1cycle + SWA runs. */
export const SWA_EVERY = 10;

/** Whole triangular2 cycles in every CLR run's budget. */
export const CYCLES = 3;

export function compileFor(model: tf.LayersModel, lr: number, optimizer: OptimizerName = 'momentum'): void {
  model.compile({ optimizer: OPTIMIZERS[optimizer](lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}

/** Accuracy and loss of `model` on a split. */
export async function evaluateOn(model: tf.LayersModel, set: { x: tf.Tensor; y: tf.Tensor }): Promise<{ accuracy: number; loss: number }> {
  const out = model.evaluate(set.x, set.y, { batchSize: 500 }) as tf.Scalar[];
  const [loss, accuracy] = await Promise.all(out.map(async (t) => (await t.data())[0]));
  tf.dispose(out);
  return { accuracy, loss };
}

/**
 * Trains `model` for `task.iterations` batches in the study's data order for `seed` (a seeded
 * permutation per epoch), stopping early on a non-finite loss; returns the last epoch's loss.
 */
export async function fitBudget(model: tf.LayersModel, task: Task, data: TaskData, seed: number, callbacks: tf.Callback[] = [], afterEpoch?: (epoch: number) => Promise<void>): Promise<number> {
  const n = data.train.x.shape[0];
  const perEpoch = Math.floor(n / task.batchSize);
  let done = 0;
  let lastLoss = NaN;
  for (let epoch = 0; done < task.iterations; epoch++) {
    const batches = Math.min(perEpoch, task.iterations - done);
    const idx = tf.tensor1d(Int32Array.from(permutation(n, seed * 1000 + epoch).subarray(0, batches * task.batchSize)), 'int32');
    const x = tf.gather(data.train.x, idx);
    const y = tf.gather(data.train.y, idx);
    const h = await model.fit(x, y, { batchSize: task.batchSize, epochs: 1, shuffle: false, verbose: 0, callbacks });
    tf.dispose([idx, x, y]);
    lastLoss = h.history.loss[0] as number;
    done += batches;
    if (!Number.isFinite(lastLoss)) break;
    await afterEpoch?.(epoch);
  }
  return lastLoss;
}

/** Trains `task.iterations` batches with `policy` and returns the test accuracy. */
export async function trainRun(task: Task, data: TaskData, seed: number, policy: Policy, optimizer: OptimizerName = 'momentum'): Promise<RunOutcome> {
  const t0 = performance.now();
  const model = task.build(seed);
  if (policy.kind === 'lrfree') model.compile({ optimizer: LR_FREE[policy.optimizer].make(policy.lr, policy.warmupSteps), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  else compileFor(model, policy.kind === 'fixed' ? policy.lr : policy.kind === 'clr' ? policy.baseLR : policy.maxLR, optimizer);
  const callbacks: tf.Callback[] = [];
  const clr = policy.kind === 'clr' ? new CyclicLR({ baseLR: policy.baseLR, maxLR: policy.maxLR, stepSize: task.iterations / (2 * CYCLES), mode: 'triangular2' }) : null;
  if (clr) callbacks.push(clr);
  // 1cycle over the whole budget, PyTorch's defaults (divFactor 25, pctStart 0.3, cosine, momentum 0.95 → 0.85 → 0.95).
  if (policy.kind === 'onecycle') callbacks.push(new OneCycleLR({ maxLR: policy.maxLR, totalSteps: task.iterations }));
  // SWA over 1cycle's last quarter, every SWA_EVERY iterations, or at each of CLR's cycle ends (Izmailov et
  // al.), or an EMA of every batch (decay warmed up, the library's default); the raw weights stay in the
  // model (scored both ways).
  const swa = policy.kind === 'onecycle' && policy.swa
    ? new WeightAveraging({ start: Math.floor(0.75 * task.iterations), every: SWA_EVERY, swapAtEnd: false })
    : clr && policy.kind === 'clr' && policy.swa
      ? new WeightAveraging({ every: 'cycle', schedule: clr, swapAtEnd: false })
    : policy.kind !== 'lrfree' && policy.ema
      ? new WeightAveraging({ mode: 'ema', swapAtEnd: false })
      : null;
  if (swa) callbacks.push(swa);
  const best = policy.kind === 'lrfree' && policy.keepBest ? new BestOnValidation(model, data) : null;
  const lastLoss = await fitBudget(model, task, data, seed, callbacks, best ? (epoch) => best.check(epoch) : undefined);
  const { accuracy, loss } = Number.isFinite(lastLoss) ? await evaluateOn(model, data.test) : { accuracy: NaN, loss: NaN };
  let averagedAccuracy: number | undefined;
  if (swa && Number.isFinite(lastLoss)) averagedAccuracy = (await swa.withAverage(() => evaluateOn(model, data.test))).accuracy;
  swa?.dispose();
  const kept = best && Number.isFinite(lastLoss) ? await best.score() : undefined;
  best?.dispose();
  const outcome = { accuracy: Number.isFinite(accuracy) ? accuracy : chance(data), loss, finite: Number.isFinite(lastLoss), seconds: (performance.now() - t0) / 1000, ...(averagedAccuracy !== undefined ? { averagedAccuracy } : {}), ...(kept ? { kept } : {}) };
  model.optimizer.dispose();
  model.dispose();
  return outcome;
}

/**
 * The best weights of a run by its validation split, checked after every epoch with the library's own `KeepBest`
 * pieces (its improvement rule, `improvementTest`, and its weight copy, `BestWeights`): one track for the lowest loss,
 * one for the highest accuracy. The bench trains an epoch per `fit` (its own data order), so it cannot use `KeepBest`
 * itself, which starts over with each `fit`.
 */
class BestOnValidation {
  private readonly loss = track('val_loss');
  private readonly acc = track('val_acc');
  private epochs = 0;
  constructor(private readonly model: tf.LayersModel, private readonly data: TaskData) {}

  async check(epoch: number): Promise<void> {
    this.epochs = epoch + 1;
    const { loss, accuracy } = await evaluateOn(this.model, this.data.val);
    this.consider(this.loss, loss, epoch);
    this.consider(this.acc, accuracy, epoch);
  }

  /** The test accuracy of each kept set of weights (the model is left holding the last one scored). */
  async score(): Promise<NonNullable<RunOutcome['kept']>> {
    const scored = async (t: Track) => {
      t.weights.restoreInto(this.model);
      return (await evaluateOn(this.model, this.data.test)).accuracy;
    };
    return { loss: await scored(this.loss), acc: await scored(this.acc), lossEpoch: this.loss.epoch, accEpoch: this.acc.epoch, epochs: this.epochs };
  }

  dispose(): void {
    this.loss.weights.drop();
    this.acc.weights.drop();
  }

  /** KeepBest's step: a finite value that improves on the best so far (strictly; the first best kept) takes a copy. */
  private consider(t: Track, value: number, epoch: number): void {
    if (!Number.isFinite(value) || !t.improves(value, t.value)) return;
    t.value = value;
    t.epoch = epoch;
    t.weights.remember(this.model);
  }
}

interface Track {
  improves: (current: number, best: number | null) => boolean;
  value: number | null;
  epoch: number;
  weights: BestWeights;
}
const track = (monitor: string): Track => ({ improves: improvementTest(monitor, 'auto', 0), value: null, epoch: -1, weights: new BestWeights() });

/** The accuracy of always guessing the most common class (what a diverged run is scored as). */
function chance(data: TaskData): number {
  return tf.tidy(() => data.test.y.sum(0).max().dataSync()[0] / data.test.y.shape[0]);
}
