/**
 * Several probes read as one: the pointwise mean of independent exponential probes of the same
 * schedule, so the zero-config test reads a curve whose batch-to-batch noise is √k smaller.
 * @packageDocumentation
 */
import { usableLength } from '../analysis/curve.js';
import type { RangeTestResult } from './result.js';

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** Pointwise mean of a per-batch series over the probes still running at each batch (null where none recorded it). */
function meanSeries(probes: readonly RangeTestResult[], pick: (p: RangeTestResult) => ReadonlyArray<number | null> | null, lengths: readonly number[], n: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    const v: number[] = [];
    probes.forEach((p, j) => {
      const x = pick(p)?.[i];
      if (lengths[j] > i && typeof x === 'number' && Number.isFinite(x)) v.push(x);
    });
    out.push(v.length > 0 ? mean(v) : null);
  }
  return out;
}

/**
 * The mean curve of `probes` (same LR schedule, each from the same starting weights with its own data
 * order), with the probes kept in `repeats`. At batch `i` the loss is the mean over the probes whose
 * usable part (before any stop or non-finite loss) reaches `i`; the curve stops where the median probe
 * stopped (fewer than half the probes left after it), so one probe that broke early or late does not
 * move the end. A single probe is returned as it is.
 *
 * @example
 * ```ts
 * const p = (loss: number[]) => ({ mode: 'exponential', minLR: 1e-3, maxLR: 1, numIterations: 3, iteration: [0, 1, 2],
 *   lr: [1e-3, 3.16e-2, 1], loss, accuracy: null, accuracyKey: null, smoothedLoss: loss, batchSize: 8,
 *   validation: null, stopReason: 'completed', stoppedAt: null, restored: true }) as const;
 * meanProbe([p([2, 1, 3]), p([2, 3, 5])]).loss; // [2, 2, 4]
 * ```
 */
export function meanProbe(probes: readonly RangeTestResult[]): RangeTestResult {
  if (probes.length === 0) throw new Error('meanProbe: no probes to average');
  if (probes.length === 1) return probes[0];
  const lengths = probes.map((p) => usableLength(p));
  const sorted = [...lengths].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const longest = probes.reduce((a, b) => (b.lr.length > a.lr.length ? b : a));
  const n = longest.lr.length;
  const loss = meanSeries(probes, (p) => p.loss, lengths, n).map((v, i) => (i < median ? v : null));
  const stopped = median < n;
  const stopProbe = probes[lengths.indexOf(median)];
  return {
    ...longest,
    loss,
    smoothedLoss: meanSeries(probes, (p) => p.smoothedLoss, lengths, n).map((v, i) => (i < median ? v : null)),
    accuracy: probes.every((p) => p.accuracy) ? meanSeries(probes, (p) => p.accuracy, lengths, n).map((v, i) => (i < median ? v : null)) : null,
    validation: null,
    stoppedAt: stopped ? median : null,
    stopReason: stopped ? stopProbe.stopReason : longest.stopReason,
    restored: probes.every((p) => p.restored),
    repeats: [...probes],
  };
}
