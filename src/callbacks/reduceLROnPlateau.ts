/**
 * `ReduceLROnPlateau`: Keras's callback, which tfjs lacks, and which also works with a schedule in the
 * same fit (it scales the schedule instead of being overwritten at the next batch).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { getLearningRate, setLearningRate, checkLearningRateSupport } from '../tfjs/optimizers.js';
import { logLearningRate, readLog } from '../tfjs/logs.js';
import { atLeast, choice, fromTable, nonNegative, satisfies, type OptionRule, type TableOf } from '../validate.js';
import { activeSchedules, assertCalledOn } from './active.js';
import { improvementTest } from './monitor.js';
import type { UnresolvedLogs } from './scheduled.js';

/** Options of {@link ReduceLROnPlateau} (Keras's names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** The epoch-log key to watch; default `'val_loss'`. */
  monitor?: string;
  /** New LR = LR × factor, in (0, 1); default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing; default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 1e-4. */
  minDelta?: number;
  /** Epochs after a reduction during which nothing is counted; default 0. */
  cooldown?: number;
  /** The LR is never reduced below this; default 0. */
  minLR?: number;
  /** `'min'`, `'max'`, or `'auto'` (max for accuracy-like keys, min otherwise); default `'auto'`. */
  mode?: 'auto' | 'min' | 'max';
}

/** {@link ReduceLROnPlateau}'s state as plain JSON (`best` is null until the first reading). */
export interface ReduceLROnPlateauState {
  kind: 'ReduceLROnPlateau';
  best: number | null;
  wait: number;
  cooldownCounter: number;
  /** The LR it last set on the optimizer (no schedule in the fit), to put back on resume. */
  lr: number | null;
}

/** Each option's check and Keras's default. */
const TABLE: Record<keyof ReduceLROnPlateauOptions, OptionRule> = {
  monitor: { check: satisfies((v) => typeof v === 'string', 'a string (an epoch-log key such as "val_loss")'), otherwise: 'val_loss' },
  factor: { check: satisfies((v) => typeof v === 'number' && v > 0 && v < 1, 'a number in (0, 1)'), otherwise: 0.1 },
  patience: { check: atLeast(0), otherwise: 10 },
  minDelta: { check: nonNegative, otherwise: 1e-4 },
  cooldown: { check: atLeast(0), otherwise: 0 },
  minLR: { check: nonNegative, otherwise: 0 },
  mode: { check: choice(['auto', 'min', 'max']), otherwise: 'auto' },
};

/** What a saved state must hold (every field required; a state from another callback fails on `kind`). */
const STATE_TABLE: TableOf<ReduceLROnPlateauState> = {
  kind: { check: satisfies((v) => v === 'ReduceLROnPlateau', '"ReduceLROnPlateau" (a state from getState() of a ReduceLROnPlateau)'), required: true },
  best: { check: satisfies((v) => v === null || (typeof v === 'number' && Number.isFinite(v)), 'a finite number or null'), required: true },
  wait: { check: atLeast(0), required: true },
  cooldownCounter: { check: atLeast(0), required: true },
  lr: { check: (where, option, v) => (v === null ? null : nonNegative(where, option, v)), required: true },
};

/**
 * Reduces the learning rate when a metric has stopped improving, with Keras's semantics exactly: at
 * each epoch end, a cooldown counts down (and resets the wait); an improvement is beyond `minDelta`;
 * after `patience` epochs without one (outside cooldown), LR = max(LR · factor, minLR) if LR > minLR,
 * then the cooldown starts. A missing monitor key warns once and changes nothing.
 *
 * With a schedule callback (`CyclicLR`, `OneCycleLR`, `LRScheduler`) in the same fit, the reduction
 * scales the schedule (both bounds of a cycle) and the LR never goes below `minLR`; without one, it sets
 * the optimizer's LR. `logs.learning_rate` (and its alias `logs.lr`) carries the LR at each epoch end.
 *
 * @example
 * ```ts
 * const clr = cyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSizeEpochs: 2 });
 * const plateau = reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 4 });
 * await model.fit(xs, ys, { epochs: 60, validationData: [vx, vy], callbacks: [clr, plateau] });
 * ```
 */
export class ReduceLROnPlateau extends tf.Callback {
  private readonly monitor: string;
  private readonly factor: number;
  private readonly patience: number;
  private readonly cooldown: number;
  private readonly minLR: number;
  private readonly improves: (current: number, best: number | null) => boolean;
  private best: number | null = null;
  private wait = 0;
  private cooldownCounter = 0;
  private lastSetLR: number | null = null;
  private restored = false;
  private warned = false;
  /** The LR after each reduction, with the epoch it happened at. */
  readonly reductions: Array<{ epoch: number; lr: number }> = [];

  constructor(opts: ReduceLROnPlateauOptions = {}) {
    super();
    const o = fromTable('ReduceLROnPlateau', opts, TABLE) as Required<ReduceLROnPlateauOptions>;
    this.monitor = o.monitor;
    this.factor = o.factor;
    this.patience = o.patience;
    this.cooldown = o.cooldown;
    this.minLR = o.minLR;
    this.improves = improvementTest(this.monitor, o.mode, o.minDelta);
  }


  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, ReduceLROnPlateau, 'ReduceLROnPlateau');
    checkLearningRateSupport(this.model.optimizer);
    if (this.restored) {
      // Resuming: keep the saved state, and the LR it had set.
      this.restored = false;
      if (this.lastSetLR !== null) setLearningRate(this.model.optimizer, this.lastSetLR);
      return;
    }
    this.best = null;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const schedules = activeSchedules(this.model);
    const lr = schedules[0]?.lastLR ?? getLearningRate(this.model.optimizer);
    const current = await readLog(logs?.[this.monitor]);
    logLearningRate(logs, lr);
    if (!Number.isFinite(current)) {
      if (!this.warned) {
        this.warned = true;
        console.warn(`ReduceLROnPlateau: monitor "${this.monitor}" is not in the epoch logs (keys: ${Object.keys(logs ?? {}).filter((k) => k !== 'lr' && k !== 'learning_rate').join(', ') || 'none'}); the LR is left alone`);
      }
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.improves(current, this.best)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait++;
    if (this.wait < this.patience || !(lr > this.minLR)) return;
    const next = Math.max(lr * this.factor, this.minLR);
    if (schedules.length > 0) {
      for (const s of schedules) s.scaleLR(next / lr, this.minLR);
    } else {
      setLearningRate(this.model.optimizer, next);
      this.lastSetLR = next;
    }
    this.reductions.push({ epoch, lr: next });
    logLearningRate(logs, next);
    this.cooldownCounter = this.cooldown;
    this.wait = 0;
  }

  /** Plain-JSON state, to resume with {@link setState} on a new callback. */
  getState(): ReduceLROnPlateauState {
    return { kind: 'ReduceLROnPlateau', best: this.best, wait: this.wait, cooldownCounter: this.cooldownCounter, lr: this.lastSetLR };
  }

  /** Restores a {@link getState} result; the next fit continues from it instead of starting afresh. */
  setState(state: ReduceLROnPlateauState): void {
    const { best, wait, cooldownCounter, lr } = fromTable('ReduceLROnPlateau.setState', state, STATE_TABLE);
    this.best = best;
    this.wait = wait;
    this.cooldownCounter = cooldownCounter;
    this.lastSetLR = lr;
    this.restored = true;
  }
}

/** Factory for {@link ReduceLROnPlateau}. */
export function reduceLROnPlateau(opts: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(opts);
}
