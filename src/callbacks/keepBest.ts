/**
 * Keeping the best weights of a fit and restoring them at its end: what tfjs's
 * `earlyStopping({ restoreBestWeights })` declares but does not implement (tfjs issue #8488).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { assertCalledOn } from './active.js';
import { improvementTest } from './monitor.js';
import { BestWeights } from '../tfjs/bestWeights.js';
import type { UnresolvedLogs } from './scheduled.js';
import { readLog } from '../tfjs/logs.js';
import { choice, fromTable, nonNegative, satisfies, type TableOf } from '../validate.js';

/** Options of {@link KeepBest}. */
export interface KeepBestOptions {
  /** The epoch-log key to watch; default `'val_loss'`. */
  monitor?: string;
  /** `'min'`, `'max'`, or `'auto'` (max for accuracy-like keys, else min, as Keras); default `'auto'`. */
  mode?: 'auto' | 'min' | 'max';
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
}

const TABLE: TableOf<Required<KeepBestOptions>> = {
  monitor: { check: satisfies<string>((v) => typeof v === 'string', 'a string (an epoch-log key such as "val_loss")'), otherwise: 'val_loss' },
  mode: { check: choice(['auto', 'min', 'max'] as const), otherwise: 'auto' },
  minDelta: { check: nonNegative, otherwise: 0 },
};

/**
 * Keeps a copy of all the model's weights at the epoch whose monitored value was best, and puts them
 * back when the fit ends — however it ends: all epochs run, or stopped by another callback (early
 * stopping, `cycleEndStopping`, `onNaN: 'stop'`). Keras's `EarlyStopping(restore_best_weights=True)`
 * without the stopping. A key missing from the epoch logs warns once and keeps nothing.
 *
 * @example
 * ```ts
 * const best = keepBest({ monitor: 'val_acc' });
 * await model.fit(xs, ys, { epochs: 30, validationData: [vx, vy], callbacks: [clr, best] });
 * best.best;   // { epoch, value } — the model now holds that epoch's weights
 * ```
 */
export class KeepBest extends tf.Callback {
  private readonly o: Required<KeepBestOptions>;
  private readonly improves: (current: number, best: number | null) => boolean;
  private readonly weights = new BestWeights();
  private warned = false;
  /** The best epoch of the last fit and its value (null before one). */
  best: { epoch: number; value: number } | null = null;
  /** Whether the last fit's end put the best weights back. */
  restored = false;

  constructor(opts: KeepBestOptions = {}) {
    super();
    this.o = fromTable('KeepBest', opts, TABLE);
    this.improves = improvementTest(this.o.monitor, this.o.mode, this.o.minDelta);
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, KeepBest, 'KeepBest');
    this.weights.drop();
    this.best = null;
    this.restored = false;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const value = await readLog(logs?.[this.o.monitor]);
    if (!Number.isFinite(value)) {
      if (!this.warned && logs?.[this.o.monitor] === undefined) {
        this.warned = true;
        console.warn(`KeepBest: "${this.o.monitor}" is not in the epoch logs (keys: ${Object.keys(logs ?? {}).join(', ') || 'none'}); pass validationData to fit for val_ metrics, or choose another monitor`);
      }
      return;
    }
    if (!this.improves(value, this.best?.value ?? null)) return;
    this.best = { epoch, value };
    this.weights.remember(this.model);
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainEnd(): Promise<void> {
    this.restored = this.weights.restoreInto(this.model);
  }
}

/** Factory for {@link KeepBest}. */
export function keepBest(opts: KeepBestOptions = {}): KeepBest {
  return new KeepBest(opts);
}
