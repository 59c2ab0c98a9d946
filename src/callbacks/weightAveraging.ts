/**
 * Averaging the weights a run visits: SWA (Izmailov et al. 2018, PyTorch's `AveragedModel`) and EMA
 * (PyTorch's `get_ema_multi_avg_fn`, Keras's `use_ema`), as a callback.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { assertCalledOn } from './active.js';
import { runShape } from '../tfjs/runShape.js';
import { atLeast, bool, choice, fail, fromTable, inRange, satisfies, type TableOf } from '../validate.js';

/**
 * A scheduling callback whose cycles are known: tfjs-clr's `CyclicLR` (a cycle ends where the next
 * iteration is a multiple of `cycleLength`), or one that says where each ends (an `lrScheduler` of a
 * `cosineRestartsSchedule`: `isCycleEnd(i)` for batch `i`).
 */
export type CycleSource =
  | {
      /** Iterations per cycle (null until the schedule knows it). */
      readonly cycleLength: number | null;
    }
  | {
      /** Whether batch `iteration` (0-based global) is the last of its cycle. */
      readonly isCycleEnd?: (iteration: number) => boolean;
    };

/** Whether batch `i` ends a cycle of `source` (false while a CyclicLR does not know its length yet). */
function endsCycle(source: CycleSource, i: number): boolean {
  if ('isCycleEnd' in source && typeof source.isCycleEnd === 'function') return source.isCycleEnd(i);
  const n = (source as { cycleLength: number | null }).cycleLength;
  return n !== null && (i + 1) % n === 0;
}

/** A value that can be a {@link CycleSource}. */
const isCycleSource = (v: unknown): v is CycleSource =>
  typeof v === 'object' && v !== null && ('cycleLength' in v || typeof (v as { isCycleEnd?: unknown }).isCycleEnd === 'function');

/** Options of {@link WeightAveraging}. */
export interface WeightAveragingOptions {
  /** `'swa'`: the equal average of the updates (default); `'ema'`: an exponential moving average. */
  mode?: 'swa' | 'ema';
  /**
   * EMA only: given, every update is exactly `a ← decay·a + (1 − decay)·w` (after the first, which
   * copies). Left out, it warms up: `decay = min(0.999, (1 + n) / (10 + n))` after n updates (as
   * TensorFlow's `ExponentialMovingAverage` with `num_updates`).
   */
  decay?: number;
  /**
   * The global iteration (0-based batch index, across fits) from which updates count. Default: EMA 0;
   * SWA at cycle ends 0 (the first update is the first cycle's end); other SWA ¾ of the run planned at
   * the first train begin (epochs × batches per epoch of that fit), as PyTorch's SWA recipes start late.
   * The initial weights are never averaged in: updates come after a batch.
   */
  start?: number;
  /**
   * When to update, after a batch: every N iterations (`(iteration + 1) % N === 0`), or `'cycle'`: at
   * each cycle's end of `schedule`. Default: EMA 1; SWA `'cycle'` with a `schedule`, else once an
   * epoch (the batches per epoch of the first fit).
   */
  every?: number | 'cycle';
  /**
   * The scheduling callback of the same run whose cycles `every: 'cycle'` follows: a `CyclicLR`, or an
   * `lrScheduler` of a `cosineRestartsSchedule`. With 1cycle (one cycle) leave it out: SWA's default
   * (once an epoch from ¾ of the run) averages over its final, falling phase.
   */
  schedule?: CycleSource;
  /**
   * Put the average into the model when a fit ends (default true). The raw weights are kept in its
   * place, and a later fit with this callback swaps them back before its first batch: the model holds
   * the average whenever it is not training, and training always continues from the raw weights (so a
   * run split into several fits trains exactly as one). Set false to swap by hand with {@link WeightAveraging.applyTo}.
   */
  swapAtEnd?: boolean;
  /** Average the non-trainable weights too (BatchNorm's moving statistics; PyTorch's `use_buffers`); default false. */
  useBuffers?: boolean;
}

type Resolved = Required<Pick<WeightAveragingOptions, 'mode' | 'swapAtEnd' | 'useBuffers'>> & Omit<WeightAveragingOptions, 'mode' | 'swapAtEnd' | 'useBuffers'>;

const TABLE: TableOf<Resolved> = {
  mode: { check: choice(['swa', 'ema'] as const), otherwise: 'swa' },
  decay: { check: (w, o, v) => inRange(w, o, v, 0, 1) },
  start: { check: atLeast(0) },
  every: { check: satisfies<number | 'cycle'>((v) => v === 'cycle' || (typeof v === 'number' && Number.isInteger(v) && v >= 1), 'an integer >= 1 or "cycle"') },
  schedule: { check: satisfies<CycleSource>(isCycleSource, 'a scheduling callback with cycles (a CyclicLR, or an lrScheduler of a cosineRestartsSchedule)') },
  swapAtEnd: { check: bool, otherwise: true },
  useBuffers: { check: bool, otherwise: false },
};

/** The JSON part of a {@link WeightAveraging}'s state (its average's tensors are weights, not JSON). */
export interface WeightAveragingState {
  kind: 'WeightAveraging';
  iteration: number;
  updates: number;
  start: number | null;
  every: number | 'cycle' | null;
  /** The average is in the model (and the raw weights are the saved tensors). */
  swapped: boolean;
}

const STATE_TABLE: TableOf<WeightAveragingState> = {
  kind: { check: satisfies<'WeightAveraging'>((v) => v === 'WeightAveraging', '"WeightAveraging" (a state from getState() of a WeightAveraging)'), required: true },
  iteration: { check: atLeast(0), required: true },
  updates: { check: atLeast(0), required: true },
  start: { check: satisfies<number | null>((v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0), 'an integer >= 0 or null'), required: true },
  every: { check: satisfies<number | 'cycle' | null>((v) => v === null || v === 'cycle' || (typeof v === 'number' && Number.isInteger(v) && v >= 1), 'an integer >= 1, "cycle" or null'), required: true },
  swapped: { check: bool, required: true },
};

/**
 * Keeps a running average of the model's weights as it trains — SWA's equal average or an EMA — and
 * puts it into the model when a fit ends. One copy of the weights is kept, on the backend; nothing leaks.
 *
 * @example
 * ```ts
 * const clr = cyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSizeEpochs: 2 });
 * const swa = weightAveraging({ every: 'cycle', schedule: clr });   // SWA at each cycle's end
 * await model.fit(xs, ys, { epochs: 12, callbacks: [clr, swa] });
 * // The model now holds the average of the weights at the 3 cycle ends.
 * ```
 */
export class WeightAveraging extends tf.Callback {
  private readonly o: Resolved;
  /** The next batch's global iteration. */
  iteration = 0;
  /** Updates averaged in so far. */
  updates = 0;
  private average: tf.Variable[] | null = null;
  /** The average is in the model and the raw weights in `average`. */
  private swapped = false;
  private start: number | null;
  private every: number | 'cycle' | null;
  private warnedBatchNorm = false;

  constructor(opts: WeightAveragingOptions = {}) {
    super();
    this.o = fromTable('WeightAveraging', opts, TABLE);
    if (this.o.decay !== undefined && this.o.mode !== 'ema') fail('WeightAveraging', 'decay', 'left out unless mode is "ema"', this.o.decay);
    if (this.o.every === 'cycle' && this.o.schedule === undefined) fail('WeightAveraging', 'schedule', 'the CyclicLR whose cycles every: "cycle" follows', this.o.schedule);
    this.every = this.o.every ?? (this.o.mode === 'ema' ? 1 : this.o.schedule !== undefined ? 'cycle' : null);
    this.start = this.o.start ?? (this.o.mode === 'ema' || this.every === 'cycle' ? 0 : null);
  }

  /** The weights averaged: trainable ones, or all with `useBuffers`. */
  private tracked(): tf.LayerVariable[] {
    return this.o.useBuffers ? this.model.weights : this.model.trainableWeights;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, WeightAveraging, 'WeightAveraging');
    if (this.swapped) this.swap(); // the raw weights back: training continues from them
    if (this.every !== null && this.start !== null) return;
    const shape = runShape(this.params);
    if (shape.stepsPerEpoch === null) {
      throw new Error('WeightAveraging: this run does not tell its batches per epoch (fitDataset without batchesPerEpoch); give every and start in iterations');
    }
    this.every ??= shape.stepsPerEpoch;
    this.start ??= Math.floor(0.75 * (this.iteration + shape.epochs * shape.stepsPerEpoch));
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onBatchEnd(): Promise<void> {
    const i = this.iteration++;
    if (this.start === null || i < this.start) return;
    const due = this.every === 'cycle' ? this.o.schedule !== undefined && endsCycle(this.o.schedule, i) : this.every !== null && (i + 1) % this.every === 0;
    if (due) this.update();
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainEnd(): Promise<void> {
    if (this.o.swapAtEnd && this.average !== null && !this.swapped) {
      this.swap();
      this.warnBatchNorm();
    }
  }

  /** Averages the model's current weights in. */
  private update(): void {
    const weights = this.tracked();
    const n = this.updates;
    if (this.average === null) {
      // The first update copies (PyTorch's AveragedModel), in both modes.
      this.average = weights.map((w) => tf.variable(w.read(), false));
    } else {
      const average = this.average;
      const keep = this.o.mode === 'swa' ? n / (n + 1) : this.o.decay ?? Math.min(0.999, (1 + n) / (10 + n));
      tf.tidy(() => weights.forEach((w, k) => average[k].assign(tf.add(tf.mul(average[k], keep), tf.mul(w.read(), 1 - keep)))));
    }
    this.updates = n + 1;
  }

  /** Exchanges the model's weights and the kept ones. */
  private swap(): void {
    const average = this.average as tf.Variable[];
    this.tracked().forEach((w, k) => {
      const raw = tf.clone(w.read());
      w.write(average[k]);
      average[k].assign(raw);
      raw.dispose();
    });
    this.swapped = !this.swapped;
  }

  private warnBatchNorm(): void {
    if (this.warnedBatchNorm || this.o.useBuffers) return;
    if (!this.model.layers.some((l) => l.getClassName() === 'BatchNormalization')) return;
    this.warnedBatchNorm = true;
    console.warn(
      'WeightAveraging: the model has BatchNormalization layers, whose moving statistics were computed for the raw weights, not the average; ' +
        'recompute them with updateBatchNorm(model, data) (or average them too with useBuffers: true)',
    );
  }

  /** Copies of the average, in the order of `model.trainableWeights` (all weights with `useBuffers`); dispose them. */
  averaged(): tf.Tensor[] {
    if (this.average === null) throw new Error('WeightAveraging: nothing averaged yet (no update has happened)');
    return this.swapped ? this.tracked().map((w) => tf.clone(w.read())) : this.average.map((a) => tf.clone(a));
  }

  /**
   * Runs `body` with the average in the model (evaluate or predict with it mid-run), then puts back
   * what was there, also when `body` throws. When the average is already in the model (swapped at a
   * fit's end), `body` just runs.
   *
   * @example
   * ```ts
   * const ema = weightAveraging({ mode: 'ema', swapAtEnd: false });
   * await model.fit(xs, ys, { epochs: 4, callbacks: [ema] });
   * const averaged = await ema.withAverage(() => model.evaluate(testXs, testYs));
   * ```
   */
  async withAverage<T>(body: () => T | Promise<T>): Promise<T> {
    if (this.average === null) throw new Error('WeightAveraging.withAverage: nothing averaged yet (no update has happened)');
    if (this.swapped) return await body();
    this.swap();
    try {
      return await body();
    } finally {
      this.swap();
    }
  }

  /** Writes the average into `model` (the one trained, or a copy of its architecture). */
  applyTo(model: tf.LayersModel): void {
    const values = this.averaged();
    const target = this.o.useBuffers ? model.weights : model.trainableWeights;
    if (target.length !== values.length) {
      tf.dispose(values);
      fail('WeightAveraging.applyTo', 'model', `a model with ${values.length} ${this.o.useBuffers ? '' : 'trainable '}weights, as averaged`, `one with ${target.length}`);
    }
    target.forEach((w, k) => w.write(values[k]));
    tf.dispose(values);
  }

  /**
   * The position and settings as plain JSON; the average's tensors travel as weights
   * ({@link getStateTensors}: `saveTraining` saves both, `loadTraining` restores both).
   */
  getState(): WeightAveragingState {
    return { kind: 'WeightAveraging', iteration: this.iteration, updates: this.updates, start: this.start, every: this.every, swapped: this.swapped };
  }

  /** Restores a {@link getState} result (checked first: a bad state changes nothing); the tensors come with {@link setStateTensors}. */
  setState(state: WeightAveragingState): void {
    const s = fromTable('WeightAveraging.setState', state, STATE_TABLE);
    tf.dispose(this.average ?? []);
    this.average = null;
    ({ iteration: this.iteration, updates: this.updates, start: this.start, every: this.every, swapped: this.swapped } = s);
  }

  /** Copies of the kept weights (the average, or the raw weights while the average is in the model), for saving. */
  getStateTensors(): tf.Tensor[] {
    return (this.average ?? []).map((a) => tf.clone(a));
  }

  /** Takes back {@link getStateTensors}'s tensors (owning them), after {@link setState}. */
  setStateTensors(tensors: tf.Tensor[]): void {
    if (tensors.length === 0 && this.updates > 0) {
      throw new Error(`WeightAveraging.setStateTensors: the state says ${this.updates} updates were averaged, but no tensors came with it`);
    }
    tf.dispose(this.average ?? []);
    this.average = tensors.length === 0 ? null : tensors.map((t) => tf.variable(t, false));
    tf.dispose(tensors);
  }

  /** Frees the average (and puts the raw weights back into the model if the average is in it). */
  dispose(): void {
    if (this.swapped) this.swap();
    tf.dispose(this.average ?? []);
    this.average = null;
  }
}

/** Factory for {@link WeightAveraging}. */
export function weightAveraging(opts: WeightAveragingOptions = {}): WeightAveraging {
  return new WeightAveraging(opts);
}
