/**
 * What the LR range test takes and gives: its options, its result (plain JSON), and its sweep.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import type { Schedule } from '../schedules/schedule.js';
import { constantSchedule, exponentialDecaySchedule, linearSchedule } from '../schedules/decay.js';
import { joinSchedules } from '../schedules/compose.js';

/** How the range test sweeps the LR. */
export type SweepMode = 'linear' | 'exponential';

/** Options of {@link LRFinder}. */
export interface LRFinderOptions {
  /** LR of the first batch; default maxLR / 1000. Must be > 0 for exponential sweeps. */
  minLR?: number;
  /** LR of the last batch (finite, > minLR). */
  maxLR: number;
  /** Batches in the sweep (>= 2); default: every batch of the fit (epochs × batches per epoch). */
  numIterations?: number;
  /** `'linear'` (the paper, default) or `'exponential'` (fastai and the other loss-based finders). */
  mode?: SweepMode;
  /** Stop at the first non-finite loss; default true. */
  stopOnNonFinite?: boolean;
  /** Stop when the smoothed loss diverges (see `divergenceFactor`); default true. */
  stopOnDivergence?: boolean;
  /**
   * Divergence: after the burn-in, the smoothed loss is above min(best, start) by more than
   * `divergenceFactor` × max(start − best, 3 noise σ, 5 % of |start|), where start is the median of the
   * first 3 losses (the untouched model) and σ the batch-to-batch noise in the burn-in
   * (src/finder/divergence.ts). No absolute threshold, so it works for losses that go negative. With
   * the default 1 it fires when the loss climbs back to where it started, or, if it never fell, rises
   * 3σ (at least 5 %) above its start.
   */
  divergenceFactor?: number;
  /**
   * Consecutive batches the divergence rule must hold before the test stops (one bad batch is a spike,
   * not divergence); default 3. `stoppedAt` is the first batch of that run.
   */
  divergencePatience?: number;
  /** Batches before divergence is checked (the noise is measured over them); default max(10, 5 % of the sweep). */
  burnIn?: number;
  /** Weight of the past in the loss's moving average for divergence (0 ≤ β < 1); default 0.9. */
  smoothing?: number;
  /** A fixed validation set `[x, y]`, evaluated every `evaluateEvery` batches (the paper plots test accuracy). */
  validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  /**
   * Evaluate `validationData` after the first batch, every this many batches, and after the last;
   * default: the sweep's length / 40, so the curve has about 40 points (at least 30 resolve the rise).
   */
  evaluateEvery?: number;
  /** Batch size for evaluating `validationData`; default 256. */
  validationBatchSize?: number;
  /** Put the model's weights and the optimizer's state back after the test; default true. */
  restore?: boolean;
  /** The logs key of the accuracy metric; default: found in the logs (`acc`, `accuracy`, …). */
  accuracyKey?: string;
}

/** Why the test ended. */
export type StopReason = 'completed' | 'end-of-fit' | 'non-finite-loss' | 'diverged';

/** A finished (or running) range test: plain data, JSON-serialisable (non-finite values become null). */
export interface RangeTestResult {
  mode: SweepMode;
  minLR: number;
  maxLR: number;
  numIterations: number;
  /** Per batch: index, LR used, training loss and accuracy (null where not finite / not recorded). */
  iteration: number[];
  lr: number[];
  loss: Array<number | null>;
  accuracy: Array<number | null> | null;
  accuracyKey: string | null;
  /** The optimizer's class (`getClassName()`: `'Adam'`, `'MomentumOptimizer'`, …); the suggestion rules read it. */
  optimizer?: string | null;
  /** Whether it is adaptive (see RangeCurve.adaptive); the default rule's reading depends on it. */
  adaptive?: boolean | null;
  /** Smoothed loss used for the divergence rule, per batch. */
  smoothedLoss: Array<number | null>;
  /** Examples per batch (from `fit`'s params; null under `fitDataset`, which does not tell). */
  batchSize: number | null;
  /** Validation accuracy and loss after the first batch and every `evaluateEvery` batches, if `validationData` was given. */
  validation: {
    iteration: number[];
    lr: number[];
    loss: Array<number | null>;
    accuracy: Array<number | null> | null;
    /** Examples in the validation set. */
    samples: number;
  } | null;
  /** The zero-config test's exponential probe, when `rangeTest` ran one before this sweep. */
  probe?: RangeTestResult | null;
  /**
   * The independent probes this curve is the mean of (see `meanProbe`), when the zero-config
   * test ran more than one; the suggestion reads each for its spread.
   */
  repeats?: RangeTestResult[] | null;
  stopReason: StopReason;
  /**
   * Index of the batch where the trouble began: the non-finite loss, or the first batch of the run that
   * broke the divergence rule (the test ran `divergencePatience − 1` batches past it); else null.
   */
  stoppedAt: number | null;
  /** Whether the model and optimizer were put back. */
  restored: boolean;
}

/**
 * The sweep: batch `i` of `n` uses `minLR + (maxLR − minLR)·i/(n−1)` (linear) or
 * `minLR·(maxLR/minLR)^(i/(n−1))` (exponential): the first batch uses `minLR`, the last exactly `maxLR`.
 * Built from the composable schedules (a linear or exponential ramp joined to a constant).
 */
export function rangeTestSchedule(minLR: number, maxLR: number, n: number, mode: SweepMode): Schedule {
  if (n <= 1) return constantSchedule(maxLR);
  const steps = n - 1;
  const ramp =
    mode === 'linear'
      ? linearSchedule({ from: minLR, to: maxLR, steps })
      : exponentialDecaySchedule({ from: minLR, steps, rate: maxLR / minLR });
  return joinSchedules([ramp, constantSchedule(maxLR)], [steps]);
}
