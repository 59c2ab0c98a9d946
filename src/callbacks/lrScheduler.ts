/**
 * `LRScheduler`: any schedule function as a callback (like Keras's LearningRateScheduler, but per
 * batch and with the global iteration), e.g. a step-decay baseline to compare CLR against.
 * @packageDocumentation
 */
import type { CyclicSchedule, Schedule } from '../schedules/schedule.js';
import { fromTable, later, satisfies, type OptionRule } from '../validate.js';
import { NAN_OPTION, ScheduledLRCallback, type NaNOption, type Schedules } from './scheduled.js';

/** Options of {@link LRScheduler}. */
export interface LRSchedulerOptions extends NaNOption {
  /** The LR batch `i` uses (0-based global iteration). */
  lr: Schedule;
  /** Momentum (beta1 on Adam/Adamax) batch `i` uses; the optimizer must have one. */
  momentum?: Schedule;
  /** Global iteration of the first batch; default 0. */
  initialIteration?: number;
}

const aSchedule = satisfies((v) => typeof v === 'function', 'a function of the iteration');
/** LRScheduler's options (initialIteration is checked by the base class). */
const TABLE: Record<keyof LRSchedulerOptions, OptionRule> = {
  lr: { check: aSchedule, required: true },
  momentum: { check: aSchedule },
  initialIteration: { check: later },
  ...NAN_OPTION,
};

/**
 * Sets the optimizer's LR (and momentum) before every batch from any function of the global
 * iteration, with the same history, `logs.learning_rate` / `logs.lr` and checks as {@link CyclicLR}.
 *
 * @example
 * ```ts
 * // Caffe-style step drops: 0.001, then ×0.1 at iterations 60,000 and 65,000.
 * const steps = lrScheduler({ lr: (i) => 0.001 * 0.1 ** ((i >= 60000 ? 1 : 0) + (i >= 65000 ? 1 : 0)) });
 * ```
 */
export class LRScheduler extends ScheduledLRCallback {
  private readonly given: Schedules;
  /**
   * Whether batch `i` ends a cycle, when the `lr` schedule says (a `cosineRestartsSchedule`); absent
   * otherwise. `weightAveraging({ every: 'cycle', schedule })` follows it.
   */
  readonly isCycleEnd?: (iteration: number) => boolean;

  constructor(opts: LRSchedulerOptions) {
    fromTable('LRScheduler', opts, TABLE);
    super('LRScheduler', opts.initialIteration, opts.momentum !== undefined, opts.onNaN);
    this.given = { lr: opts.lr, momentum: opts.momentum ?? null };
    const ends = (opts.lr as Partial<CyclicSchedule>).isCycleEnd;
    if (typeof ends === 'function') this.isCycleEnd = ends;
    this.rebuild(this.iteration, opts.momentum !== undefined);
  }

  protected override buildSchedules(): Schedules {
    return this.given;
  }
}

/** Factory for {@link LRScheduler}. */
export function lrScheduler(opts: LRSchedulerOptions): LRScheduler {
  return new LRScheduler(opts);
}
