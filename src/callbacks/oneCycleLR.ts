/**
 * The `OneCycleLR` callback: the 1cycle policy, one cycle over the whole run.
 * @packageDocumentation
 */
import {
  oneCycleLRForTotal,
  oneCycleMomentumForTotal,
  ONE_CYCLE_KEYS,
  type OneCycleOptions,
} from '../schedules/oneCycle.js';
import { bool, checkedElsewhere, choice, fromTable, optionsObject, type TableOf } from '../validate.js';
import { NAN_OPTION, ScheduledLRCallback, type NaNOption, type Schedules } from './scheduled.js';
import type { RunShape } from '../tfjs/runShape.js';

/** Options of {@link OneCycleLR}: the schedule's (see {@link oneCycleLearningRate}) plus the callback's own. */
export interface OneCycleLRCallbackOptions extends Omit<OneCycleOptions, 'totalSteps'>, NaNOption {
  /**
   * Iterations in the cycle. Left out, it is taken at the first train begin as
   * (epochs − initialEpoch) × batches per epoch of that fit call; later fits hold the final LR.
   */
  totalSteps?: number;
  /**
   * Cycle momentum opposite to the LR (0.95 → 0.85 → 0.95 by default). Default: on where the
   * optimizer has momentum (Momentum, RMSProp; beta1 on Adam/Adamax), off elsewhere; `true` makes an
   * optimizer without momentum an error.
   */
  cycleMomentum?: boolean;
  /** Momentum at the LR's peak; default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end; default 0.95. */
  maxMomentum?: number;
  /** Global iteration of the first batch, to resume a run; default 0. */
  initialIteration?: number;
  /**
   * A later `fit` after the cycle has ended: `'warn'` (default) says so once and runs at the final LR,
   * `'restart'` starts a new cycle from iteration 0.
   */
  afterEnd?: 'warn' | 'restart';
}

/** The callback's own options; the schedules' are checked by their tables, initialIteration by the base class. */
const TABLE: TableOf<OneCycleLRCallbackOptions> = {
  ...checkedElsewhere([...ONE_CYCLE_KEYS, 'baseMomentum', 'maxMomentum', 'initialIteration'] as const),
  cycleMomentum: { check: bool },
  afterEnd: { check: choice(['warn', 'restart'] as const) },
  ...NAN_OPTION,
};

/**
 * Sets the learning rate (and, where the optimizer has one, the momentum) before every batch from the
 * 1cycle policy, after PyTorch's `OneCycleLR`.
 *
 * @example
 * ```ts
 * const one = new OneCycleLR({ maxLR: 0.01 }); // totalSteps from the fit: 10 epochs × batches
 * await model.fit(xs, ys, { epochs: 10, batchSize: 100, callbacks: [one] });
 * ```
 */
export class OneCycleLR extends ScheduledLRCallback {
  private opts: OneCycleLRCallbackOptions;
  /** The schedules for a cycle length (every other option already checked). */
  private forTotal: (totalSteps: number) => Schedules;
  /** The cycle's length once known (given, or from the first fit). */
  private total: number | null = null;
  private warned = false;

  constructor(opts: OneCycleLRCallbackOptions) {
    optionsObject('OneCycleLR', opts);
    super('OneCycleLR', opts.initialIteration, opts.cycleMomentum ?? 'auto', opts.onNaN);
    this.forTotal = checked(this.where, opts);
    this.opts = { ...opts };
    this.rebuild(this.iteration, this.opts.cycleMomentum ?? 'auto');
  }

  protected override buildSchedules(shape: RunShape | null): Schedules | null {
    this.total = this.opts.totalSteps ?? null;
    if (this.opts.totalSteps !== undefined) return this.forTotal(this.opts.totalSteps);
    if (shape === null) return null;
    if (shape.stepsPerEpoch === null) {
      throw new Error(
        `${this.where}: totalSteps was not given and this run does not tell the batches per epoch ` +
          `(fitDataset without batchesPerEpoch on a dataset of unknown size); give totalSteps, or pass batchesPerEpoch to fitDataset`,
      );
    }
    this.total = shape.epochs * shape.stepsPerEpoch;
    return this.forTotal(this.total);
  }

  /** Starts the cycle again at iteration 0 (the history is kept). */
  reset(): void {
    this.rebuild(0, this.opts.cycleMomentum ?? 'auto');
    this.warned = false;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    await super.onTrainBegin();
    if (this.total === null || this.iteration < this.total) return;
    if (this.opts.afterEnd === 'restart') {
      this.iteration = 0;
      return;
    }
    if (!this.warned) {
      this.warned = true;
      console.warn(
        `${this.where}: the cycle ended at iteration ${this.total} (this is ${this.iteration}); this fit runs at its final LR ` +
          `${this.lrAt(this.total - 1).toPrecision(3)}. Call reset() before it, or create the callback with afterEnd: 'restart'.`,
      );
    }
  }

  protected override stateOptions(): Record<string, unknown> {
    const { initialIteration: _i, ...opts } = this.opts;
    return { ...opts, ...(this.total !== null ? { totalSteps: this.total } : {}) };
  }

  protected override restoreOptions(options: Record<string, unknown> | undefined): void {
    if (options === undefined) return;
    const opts = fromTable<OneCycleLRCallbackOptions>(`${this.where}.setState options`, { ...options }, TABLE); // throws before anything changes
    this.forTotal = checked(`${this.where}.setState options`, opts);
    this.opts = opts;
    this.rebuild(this.iteration, this.opts.cycleMomentum ?? 'auto');
  }

  /** The options in force. */
  get options(): Readonly<OneCycleLRCallbackOptions> {
    return { ...this.opts };
  }
}

/** Checks every option, the length too when given, and returns the schedules for a cycle length. */
function checked(where: string, opts: OneCycleLRCallbackOptions): (totalSteps: number) => Schedules {
  fromTable(where, opts, TABLE);
  const { totalSteps, cycleMomentum, baseMomentum, maxMomentum, initialIteration: _i, afterEnd: _a, onNaN: _n, ...schedule } = opts;
  const lr = oneCycleLRForTotal(where, schedule);
  const momentum = cycleMomentum === false ? null : oneCycleMomentumForTotal(where, { ...schedule, baseMomentum, maxMomentum });
  const forTotal = (n: number): Schedules => ({ lr: lr(n), momentum: momentum === null ? null : momentum(n) });
  if (totalSteps !== undefined) forTotal(totalSteps);
  return forTotal;
}

/** Factory for {@link OneCycleLR}. */
export function oneCycleLR(opts: OneCycleLRCallbackOptions): OneCycleLR {
  return new OneCycleLR(opts);
}
