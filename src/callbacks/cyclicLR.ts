/**
 * The `CyclicLR` callback: the cyclical learning rate of Smith (2017), set before every batch.
 * @packageDocumentation
 */
import {
  cyclicLRForStepSize,
  cyclicMomentumForStepSize,
  CYCLIC_LR_KEYS,
  type CyclicLROptions,
} from '../schedules/cyclic.js';
import { bool, checkedElsewhere, fail, fromTable, integerAtLeast, optionsObject, positive, type OptionRule } from '../validate.js';
import { NAN_OPTION, ScheduledLRCallback, type NaNOption, type Schedules } from './scheduled.js';
import type { RunShape } from '../tfjs/runShape.js';

/** Options of {@link CyclicLR}: the schedule's (see {@link cyclicLearningRate}) plus the callback's own. */
export interface CyclicLRCallbackOptions extends Omit<CyclicLROptions, 'stepSize'>, NaNOption {
  /** Iterations in the rising half-cycle. Give this or `stepSizeEpochs`. */
  stepSize?: number;
  /**
   * The rising half-cycle in epochs (the paper advises 2–10), turned into iterations at the first train
   * begin from tfjs's `params`: ceil(samples / batchSize) batches per epoch in `fit`, `batchesPerEpoch`
   * or the dataset's size in `fitDataset`. Resolved once and kept across later `fit` calls.
   */
  stepSizeEpochs?: number;
  /** Cycle momentum opposite to the LR (Momentum, RMSProp; beta1 on Adam/Adamax). Default false. */
  cycleMomentum?: boolean;
  /** Momentum at the LR's peak when cycling momentum; default 0.8 (as PyTorch). */
  baseMomentum?: number;
  /** Momentum at the LR's trough when cycling momentum; default 0.9 (as PyTorch). */
  maxMomentum?: number;
  /** Global iteration of the first batch, to resume a run; default 0. */
  initialIteration?: number;
}

/** The callback's own options; the schedule's are checked by its table, momentum bounds by the momentum schedule's, initialIteration by the base class. */
const TABLE: Record<string, OptionRule> = {
  ...checkedElsewhere([...CYCLIC_LR_KEYS, 'baseMomentum', 'maxMomentum', 'initialIteration']),
  stepSizeEpochs: { check: positive },
  cycleMomentum: { check: bool },
  ...NAN_OPTION,
};

/**
 * Sets the optimizer's learning rate before every batch from the cyclical policy (triangular,
 * triangular2, exp_range, or a custom scale), keeping a global batch counter across epochs and
 * across repeated `fit`/`fitDataset` calls. Batch `k` uses `lr(iteration)`; `history.lr[k]` is that
 * value, and `logs.learning_rate` (Keras 3's key; `logs.lr` as an alias) carries it to later callbacks and to the epoch logs of the fit's `History`.
 *
 * @example
 * ```ts
 * const clr = new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSizeEpochs: 4, mode: 'triangular2' });
 * await model.fit(xs, ys, { epochs: 24, batchSize: 100, callbacks: [clr] }); // 3 whole cycles
 * clr.history.lr; // the LR of every batch
 * ```
 */
export class CyclicLR extends ScheduledLRCallback {
  private opts: CyclicLRCallbackOptions;
  /** The schedules for a step size in iterations (every other option already checked). */
  private forStepSize: (stepSize: number) => Schedules;
  /** The rising half-cycle in iterations, once known (at once, or at train begin for stepSizeEpochs). */
  private stepSizeIterations: number | null = null;

  constructor(opts: CyclicLRCallbackOptions) {
    optionsObject('CyclicLR', opts);
    super('CyclicLR', opts.initialIteration, opts.cycleMomentum ?? false, opts.onNaN);
    this.forStepSize = checked(this.where, opts);
    this.opts = { ...opts };
    this.rebuild(this.iteration, this.opts.cycleMomentum ?? false);
  }

  protected override buildSchedules(shape: RunShape | null): Schedules | null {
    const epochs = this.opts.stepSizeEpochs;
    this.stepSizeIterations = null;
    if (epochs === undefined) {
      this.stepSizeIterations = this.opts.stepSize ?? null;
      return this.stepSizeIterations === null ? null : this.forStepSize(this.stepSizeIterations);
    }
    if (shape === null) return null;
    if (shape.stepsPerEpoch === null) {
      throw new Error(
        `${this.where}: stepSizeEpochs needs the number of batches per epoch, which this run does not tell ` +
          `(fitDataset without batchesPerEpoch on a dataset of unknown size); pass batchesPerEpoch to ` +
          `fitDataset, or give stepSize in iterations`,
      );
    }
    this.stepSizeIterations = epochs * shape.stepsPerEpoch;
    return this.forStepSize(this.stepSizeIterations);
  }

  /**
   * Iterations in one whole cycle (`stepSize + stepSizeDown`), or null until it is known
   * (`stepSizeEpochs` before the first fit). Cycles end where `iteration` is a multiple of it.
   */
  get cycleLength(): number | null {
    const up = this.stepSizeIterations;
    return up === null ? null : up + (this.opts.stepSizeDown ?? up);
  }

  /** The options in force (after any `reset`). */
  get options(): Readonly<CyclicLRCallbackOptions> {
    return { ...this.opts };
  }

  protected override stateOptions(): Record<string, unknown> {
    // The step size in iterations once known; a custom scaleFn is code, not state (kept by setState).
    const { initialIteration: _i, scaleFn: _f, stepSizeEpochs, ...opts } = this.opts;
    const step = this.stepSizeIterations;
    return step !== null ? { ...opts, stepSize: step } : { ...opts, stepSizeEpochs };
  }

  protected override restoreOptions(options: Record<string, unknown> | undefined): void {
    if (options === undefined) return;
    const merged = { ...options, ...(this.opts.scaleFn ? { scaleFn: this.opts.scaleFn } : {}) } as CyclicLRCallbackOptions;
    this.forStepSize = checked(`${this.where}.setState options`, merged);
    this.opts = merged;
    this.rebuild(this.iteration, this.opts.cycleMomentum ?? false);
  }

  /**
   * Restarts the cycle at iteration 0 (or `newOpts.initialIteration`), optionally with new bounds,
   * step size or policy (as the Keras CLR callback's `_reset`). New options are merged into the current
   * ones and validated first: on a bad option this throws and nothing changes. The history is kept
   * (its `iteration` entries restart from the new counter). Safe to call between or during fits.
   */
  reset(newOpts: Partial<CyclicLRCallbackOptions> = {}): void {
    optionsObject(this.where, newOpts);
    const merged: CyclicLRCallbackOptions = { ...this.opts };
    if (newOpts.stepSize !== undefined || newOpts.stepSizeEpochs !== undefined) {
      delete merged.stepSize;
      delete merged.stepSizeEpochs;
    }
    delete merged.initialIteration;
    Object.assign(merged, newOpts);
    const start = merged.initialIteration ?? 0;
    integerAtLeast(this.where, 'initialIteration', start, 0);
    this.forStepSize = checked(this.where, merged); // throws before anything changes
    this.opts = merged;
    this.rebuild(start, this.opts.cycleMomentum ?? false);
  }
}

/**
 * Checks every option, the step size too when it is given in iterations, and returns the schedules
 * for a step size (for `stepSizeEpochs`, called once the first fit tells the batches per epoch).
 */
function checked(where: string, opts: CyclicLRCallbackOptions): (stepSize: number) => Schedules {
  fromTable(where, opts, TABLE);
  if (opts.cycleMomentum !== true) {
    for (const key of ['baseMomentum', 'maxMomentum'] as const) {
      if (opts[key] !== undefined) fail(where, key, 'left out unless cycleMomentum is true', opts[key]);
    }
  }
  if (opts.stepSize !== undefined && opts.stepSizeEpochs !== undefined) {
    fail(where, 'stepSizeEpochs', 'left out when stepSize is given (give one of them)', opts.stepSizeEpochs);
  }
  if (opts.stepSize === undefined && opts.stepSizeEpochs === undefined) {
    fail(where, 'stepSize', 'given (iterations), or stepSizeEpochs (epochs)', opts.stepSize);
  }
  const { stepSize, stepSizeEpochs: _e, cycleMomentum, baseMomentum, maxMomentum, initialIteration: _i, onNaN: _n, ...schedule } = opts;
  const lr = cyclicLRForStepSize(where, schedule);
  const momentum =
    cycleMomentum === true ? cyclicMomentumForStepSize(where, { ...schedule, baseMomentum: baseMomentum ?? 0.8, maxMomentum: maxMomentum ?? 0.9 }) : null;
  const forStepSize = (up: number): Schedules => ({ lr: lr(up), momentum: momentum === null ? null : momentum(up) });
  if (stepSize !== undefined) forStepSize(stepSize);
  return forStepSize;
}

/** Factory for {@link CyclicLR}, like tfjs's own `tf.callbacks.earlyStopping`. */
export function cyclicLR(opts: CyclicLRCallbackOptions): CyclicLR {
  return new CyclicLR(opts);
}
