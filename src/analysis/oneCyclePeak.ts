/**
 * The peak of a zero-config 1cycle, read from the same range test as the CLR bounds. 1cycle spends
 * only a short stretch at its peak and anneals far below it, so its peak might sit higher than the CLR
 * maxLR (Smith 2018: the largest LR that still trains); measured, the CLR maxLR itself trained best
 * and most evenly across seeds (see {@link DEFAULT_ONE_CYCLE_READING}).
 * @packageDocumentation
 */
import type { BoundsSuggestion, RangeCurve } from './curve.js';
import { bottomIndex, lossSeries } from './lossRules.js';

/**
 * Where the 1cycle peak is read:
 * - `'right'`: the right end of the smoothed loss's floor on the probes' mean curve (the largest LR
 *   at which the loss is still at its lowest), at most the LR where the linear sweep diverged;
 * - `'double'`: twice the CLR maxLR (`suggestion.maxLR`);
 * - `'suggested'`: the CLR maxLR itself.
 */
export type OneCycleReading = 'right' | 'double' | 'suggested';

/** The readings in the order the study compares them. */
export const ONE_CYCLE_READINGS: readonly OneCycleReading[] = ['right', 'double', 'suggested'];

/**
 * The reading `rangeTest`'s `oneCycleLROptions` use: the CLR maxLR itself. Chosen over 4 tasks × 5 seeds
 * × {Momentum SGD, Adam} (`npm run bench:suggest`, bench/results/suggest): mean test accuracy over the
 * tasks 77.96 / 78.90 % for `suggested`, against 75.07 / 77.35 for `right` and 73.27 / 78.83 for
 * `double` — the higher peaks diverged on some seeds (words-lang with Momentum SGD: 33–35 points
 * between seeds), `suggested` stayed within 0.5–2.4 points on every task.
 */
export const DEFAULT_ONE_CYCLE_READING: OneCycleReading = 'suggested';

/** The floor of the curve's smoothed loss (its probe's, when it has one; up to where the loss first turns up): the LRs at its left end, its minimum and its right end. */
export function lossFloor(curve: RangeCurve): { left: number; minimum: number; right: number } | null {
  const series = lossSeries(curve);
  if (!series) return null;
  const n = series.lr.length;
  const lo = Math.floor(0.1 * n);
  if (n - 1 - lo < 3) return null;
  const b = bottomIndex(series, lo, n - 1);
  return { left: series.lr[b.index], minimum: series.lr[b.minimum], right: series.lr[b.right] };
}

/**
 * The 1cycle peak for a range test's curve and its CLR suggestion; null where the suggestion has no
 * bounds. Never below the suggestion's maxLR.
 */
export function oneCyclePeak(curve: RangeCurve, suggestion: BoundsSuggestion, reading: OneCycleReading): number | null {
  const max = suggestion.maxLR;
  if (max === null) return null;
  if (reading === 'suggested') return max;
  if (reading === 'double') return 2 * max;
  const floor = lossFloor(curve);
  if (floor === null) return max;
  // The trained model breaks at lower LRs than the untrained probe: never past the sweep's divergence.
  const diverged = curve.probe && typeof curve.stoppedAt === 'number' && curve.stoppedAt >= 0 ? curve.lr[curve.stoppedAt] : Infinity;
  return Math.max(max, Math.min(floor.right, diverged));
}
