/**
 * Stopping at a cycle's end (the paper: three cycles are usually enough, four or more better; stop
 * where the LR is lowest and accuracy peaks). Early stopping that only looks at cycle ends.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import type { CyclicLR } from './cyclicLR.js';
import type { UnresolvedLogs } from './scheduled.js';
import { readLog } from '../tfjs/logs.js';
import { assertCalledOn } from './active.js';
import { improvementTest } from './monitor.js';
import { BestWeights } from '../tfjs/bestWeights.js';
import { atLeast, bool, choice, fromTable, nonNegative, satisfies, type OptionRule } from '../validate.js';

/** Options of {@link CycleEndStopping}. */
export interface CycleEndStoppingOptions {
  /** The `CyclicLR` in the same fit, whose cycles are watched. */
  clr: CyclicLR;
  /** The epoch-log key to watch; default `'val_loss'`. */
  monitor?: string;
  /** Cycle ends without improvement before stopping; default 1. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
  /** `'min'`, `'max'`, or `'auto'` (max for accuracy-like keys, min otherwise, as Keras); default `'auto'`. */
  mode?: 'auto' | 'min' | 'max';
  /** Stop after this many whole cycles, whatever the metric. */
  maxCycles?: number;
  /**
   * When the fit ends — stopped here, by another callback, or at its last epoch — put back the weights
   * of the epoch in which the best cycle ended (the same mechanism as `KeepBest`); default false.
   */
  restoreBestWeights?: boolean;
}

/** Each option's check and default (Keras's EarlyStopping where it has one). */
const TABLE: Record<keyof CycleEndStoppingOptions, OptionRule> = {
  clr: { check: satisfies((v) => !!v && typeof v === 'object' && 'cycleLength' in v && 'iteration' in v, 'the CyclicLR callback of the same fit'), required: true },
  monitor: { check: satisfies((v) => typeof v === 'string', 'a string (an epoch-log key such as "val_loss")'), otherwise: 'val_loss' },
  patience: { check: atLeast(1), otherwise: 1 },
  minDelta: { check: nonNegative, otherwise: 0 },
  mode: { check: choice(['auto', 'min', 'max']), otherwise: 'auto' },
  maxCycles: { check: atLeast(1) },
  restoreBestWeights: { check: bool, otherwise: false },
};

/**
 * Stops training at the end of a CLR cycle once the monitored value has not improved for `patience`
 * cycle ends, or after `maxCycles` cycles. The value is read only at cycle ends: from the logs of the
 * epoch in which a cycle ended (tfjs computes validation metrics per epoch). Training then stops at
 * the next cycle boundary — at once when the epoch ended on it — so `clr.iteration` is always a
 * multiple of the cycle length when it stops, never mid-cycle. Keras's `EarlyStopping` semantics for
 * `patience`, `minDelta`, `mode`; state is reset at each train begin.
 *
 * @example
 * ```ts
 * const clr = cyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSizeEpochs: 2, mode: 'triangular2' });
 * const stop = cycleEndStopping({ clr, monitor: 'val_acc', patience: 1, maxCycles: 6 });
 * await model.fit(xs, ys, { epochs: 100, validationData: [vx, vy], callbacks: [clr, stop] });
 * stop.stoppedAt;   // { iteration, cycle, reason } — iteration is a multiple of clr.cycleLength
 * ```
 */
export class CycleEndStopping extends tf.Callback {
  private readonly clr: CyclicLR;
  private readonly monitor: string;
  private readonly patience: number;
  private readonly improves: (current: number, best: number | null) => boolean;
  private readonly maxCycles: number | undefined;
  private readonly restoreBest: boolean;
  /** The monitored value at each cycle end seen (cycle = whole cycles completed by then). */
  readonly record: { cycle: number[]; value: number[] } = { cycle: [], value: [] };
  /** Where and why training stopped, once it did. */
  stoppedAt: { iteration: number; cycle: number; reason: 'no-improvement' | 'max-cycles' } | null = null;
  /** The best cycle end so far. */
  best: { cycle: number; value: number } | null = null;
  private wait = 0;
  private seenCycles = 0;
  private pending: 'no-improvement' | null = null;
  private readonly bestWeights = new BestWeights();
  /** Whether the last fit's end put the best cycle's weights back. */
  restored = false;

  constructor(opts: CycleEndStoppingOptions) {
    super();
    const o = fromTable('CycleEndStopping', opts, TABLE) as Required<CycleEndStoppingOptions>;
    this.clr = o.clr;
    this.monitor = o.monitor;
    this.patience = o.patience;
    this.improves = improvementTest(this.monitor, o.mode, o.minDelta);
    this.maxCycles = o.maxCycles as number | undefined; // no default: left out, no limit
    this.restoreBest = o.restoreBestWeights;
  }


  private length(): number {
    const n = this.clr.cycleLength;
    if (n === null) throw new Error('CycleEndStopping: the CyclicLR does not know its cycle length yet; put it before CycleEndStopping in the same callbacks array');
    return n;
  }

  private stop(reason: 'no-improvement' | 'max-cycles'): void {
    const iteration = this.clr.iteration;
    this.stoppedAt = { iteration, cycle: iteration / this.length(), reason };
    this.model.stopTraining = true;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, CycleEndStopping, 'CycleEndStopping');
    this.wait = 0;
    this.best = null;
    this.pending = null;
    this.stoppedAt = null;
    this.seenCycles = Math.floor(this.clr.iteration / this.length());
    this.bestWeights.drop();
    this.restored = false;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onBatchEnd(): Promise<void> {
    const n = this.length();
    const i = this.clr.iteration;
    if (this.stoppedAt !== null || i === 0 || i % n !== 0) return;
    if (this.pending) this.stop(this.pending);
    else if (this.maxCycles !== undefined && i / n >= this.maxCycles) this.stop('max-cycles');
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const cycles = Math.floor(this.clr.iteration / this.length());
    if (cycles <= this.seenCycles || this.pending) return;
    this.seenCycles = cycles;
    const value = await readLog(logs?.[this.monitor]);
    if (!Number.isFinite(value)) {
      throw new Error(
        `CycleEndStopping: monitor "${this.monitor}" is not a number in the epoch logs (keys: ${Object.keys(logs ?? {}).join(', ') || 'none'}); ` +
          'pass validationData to fit for val_ metrics, or choose another monitor',
      );
    }
    this.record.cycle.push(cycles);
    this.record.value.push(value);
    if (this.improves(value, this.best?.value ?? null)) {
      this.best = { cycle: cycles, value };
      this.wait = 0;
      if (this.restoreBest) this.bestWeights.remember(this.model);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.pending = 'no-improvement';
      if (this.clr.iteration % this.length() === 0) this.stop('no-improvement');
    }
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainEnd(): Promise<void> {
    this.restored = this.bestWeights.restoreInto(this.model);
  }
}

/** Factory for {@link CycleEndStopping}, like tfjs's `tf.callbacks.earlyStopping`. */
export function cycleEndStopping(opts: CycleEndStoppingOptions): CycleEndStopping {
  return new CycleEndStopping(opts);
}
