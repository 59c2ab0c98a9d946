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

/** Least rise, as a fraction of |start|, that counts: a flat loss with tiny noise is not divergence. */
export const MIN_RELATIVE_RISE = 0.02;

/**
 * Divergence: after the burn-in, the smoothed loss is above min(best, start) by more than
 * `factor` × max(start − best, 3σ, 2 % of |start|), for `patience` batches in a row; start is the first
 * batch's loss (the untouched model), σ the batch-to-batch noise over the burn-in, best the lowest
 * smoothed loss since. No absolute threshold, so it works for losses that go negative; the 2 % floor
 * keeps a flat loss whose noise is tiny (a model not learning yet) from tripping it.
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
    if (i === 0) start = loss;
    if (i < burnIn) early.push(loss);
    if (i + 1 === burnIn) {
      const diffs = early.slice(1).map((v, k) => Math.abs(v - early[k]));
      noise = (1.4826 * median(diffs)) / Math.SQRT2;
    }
    if (i + 1 < burnIn) return { smooth, divergedAt: null };
    best = Math.min(best, smooth);
    const scale = Math.max(start - best, 3 * noise, MIN_RELATIVE_RISE * Math.abs(start));
    const breaks = scale > 0 && smooth - Math.min(best, start) > factor * scale;
    since = breaks ? (since < 0 ? i : since) : -1;
    return { smooth, divergedAt: breaks && i - since + 1 >= patience ? since : null };
  };
}
