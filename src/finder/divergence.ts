/**
 * The range test's divergence rule as a pure, step-by-step monitor: feed it each batch's loss, it says
 * when the test should stop. `LRFinder` runs it live; the same monitor replays a recorded loss series.
 * @packageDocumentation
 */
import { median } from '../analysis/stats.js';

/** Settings of {@link divergenceMonitor}. */
export interface DivergenceOptions {
  /** Weight of the past in the loss's moving average (0 ≤ β < 1). */
  smoothing: number;
  /** Batches before the rule is checked (the noise is measured over them). */
  burnIn: number;
  /** Multiple of the scale the smoothed loss must rise by. */
  factor: number;
  /** Consecutive batches the rule must hold. */
  patience: number;
}

/** What the monitor says after a batch. */
export interface DivergenceStep {
  /** The bias-corrected moving average of the loss (NaN for a non-finite loss). */
  smooth: number;
  /** The first batch of the run that broke the rule, once it has held for `patience` batches; else null. */
  divergedAt: number | null;
}

/** The burn-in `LRFinder` uses for a sweep of `n` batches unless told otherwise: max(10, 5 % of it). */
export function defaultBurnIn(n: number): number {
  return Math.max(10, Math.round(0.05 * n));
}

/** Least rise, as a fraction of |start|, that counts: a flat loss drifting with the batches is not divergence. */
export const MIN_RELATIVE_RISE = 0.05;

/**
 * Divergence: after the burn-in, the smoothed loss is above min(best, start) by more than
 * `factor` × max(start − best, 3σ, 5 % of |start|), for `patience` batches in a row; start is the
 * median of the first 3 losses (the untouched model, not one lucky batch, and not yet the blow-up of a
 * sweep that starts too high), σ the batch-to-batch noise over the burn-in, best the lowest smoothed loss since. No absolute threshold, so it works for losses that go
 * negative; the 5 % floor keeps a flat loss that drifts with the batches (a model not learning yet,
 * at LR 1e-7) from tripping it, as it did twice in the study.
 */
export function divergenceMonitor(opts: DivergenceOptions): (i: number, loss: number) => DivergenceStep {
  const { smoothing: beta, burnIn, factor, patience } = opts;
  const early: number[] = [];
  let avg = 0;
  let best = Infinity;
  let start = NaN;
  let noise = 0;
  let since = -1;
  return (i, loss) => {
    if (!Number.isFinite(loss)) return { smooth: NaN, divergedAt: null };
    avg = beta * avg + (1 - beta) * loss;
    const smooth = avg / (1 - beta ** (i + 1));
    if (i < burnIn) early.push(loss);
    if (i + 1 === burnIn) {
      const diffs = early.slice(1).map((v, k) => Math.abs(v - early[k]));
      noise = (1.4826 * median(diffs)) / Math.SQRT2;
      start = median(early.slice(0, 3));
    }
    if (i + 1 < burnIn) return { smooth, divergedAt: null };
    best = Math.min(best, smooth);
    const scale = Math.max(start - best, 3 * noise, MIN_RELATIVE_RISE * Math.abs(start));
    const breaks = scale > 0 && smooth - Math.min(best, start) > factor * scale;
    since = breaks ? (since < 0 ? i : since) : -1;
    return { smooth, divergedAt: breaks && i - since + 1 >= patience ? since : null };
  };
}
