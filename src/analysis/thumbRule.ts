/**
 * The paper's rule of thumb, read from the probe's loss: the library's default rule.
 * @packageDocumentation
 */
import { withBounds, type BoundsSuggestion, type RangeCurve } from './curve.js';
import { accuracyRule } from './accuracyRule.js';
import { bottomIndex, lossRule, type LossRuleOptions } from './lossRules.js';

/** Options of {@link thumbRule}. */
export interface ThumbRuleOptions extends LossRuleOptions {
  /** baseLR = maxLR / divisor: the paper says 3 or 4; default 4 (`baseDivisor` is the same). */
  divisor?: number;
  /**
   * Which point of the smoothed loss is maxLR: `'minimum'` (its lowest point), `'bottom'` (where it
   * bottoms out: the left end of its floor) or `'auto'` (default): `minimum` for the zero-config probe
   * of a non-adaptive optimizer (SGD, Momentum), `bottom` otherwise (adaptive optimizers, and a single
   * sweep of your own). See {@link thumbRule} for the evidence.
   */
  reading?: LossReading;
}

/** Where on the smoothed loss {@link thumbRule} reads maxLR. */
export type LossReading = 'minimum' | 'bottom' | 'auto';

/** Optimizers that scale each step by a running gradient statistic (tfjs class names). */
export const ADAPTIVE_OPTIMIZERS: readonly string[] = ['Adam', 'Adamax', 'RMSProp', 'Adagrad', 'Adadelta'];

/** The reading `'auto'` picks for a curve (see {@link ThumbRuleOptions.reading}). */
export function autoReading(curve: RangeCurve): 'minimum' | 'bottom' {
  const adaptive = ADAPTIVE_OPTIMIZERS.includes(curve.optimizer ?? curve.probe?.optimizer ?? '');
  return curve.probe != null && !adaptive ? 'minimum' : 'bottom';
}

/**
 * The paper's rule of thumb, and the library's default (lowest regret in `npm run bench:suggest`):
 * `maxLR` = the largest LR at which training still converges, read on the probe's smoothed loss
 * (or, without a probe, on your own sweep's), `baseLR = maxLR / 4` (the paper: /3 or /4). Where on it
 * depends on the optimizer and the test (`reading: 'auto'`):
 * - the zero-config probe of SGD or Momentum: the LR at the smoothed loss's **minimum**, which trained
 *   best for Momentum SGD in the study (reading where it bottoms out instead cost up to 5 points on
 *   CIFAR-10);
 * - adaptive optimizers (Adam, RMSProp, …) and single sweeps without a probe: where the loss
 *   **bottoms out**, the left end of its floor: the first LR whose smoothed loss is within noise (3σ
 *   of a smoothed value, at most a fifth of the fall) of the minimum. Near its floor a loss curve is
 *   flat within noise over a wide range, and Adam's probe floor spans a decade or more: the minimum
 *   lands anywhere in it (8× apart between two seeds on CIFAR-10), and on noisy single sweeps 2–3×
 *   past the clean curve's minimum.
 *
 * When the linear sweep diverged, `maxLR` is at most half the LR where it did (the model, trained by
 * then, breaks at lower LRs than the untrained probe did).
 *
 * Confidence (calibrated on `npm run bench:suggest`): `none` when the loss never fell; `low` when it fell
 * less than 5 % (an already trained model) or was still falling at the probe's end; `medium` when the
 * cap applied; else `high` when the paper's accuracy reading of the
 * linear sweep (its `maxLR`) agrees within a factor of 3, `medium` when it does not (both are in `notes`).
 */
export function thumbRule(curve: RangeCurve, opts: ThumbRuleOptions = {}): BoundsSuggestion {
  const divisor = opts.divisor ?? opts.baseDivisor ?? 4;
  const reading = opts.reading === undefined || opts.reading === 'auto' ? autoReading(curve) : opts.reading;
  let minimum = -1; // the smoothed loss's own minimum (at or past the floor's left end)
  const s = lossRule('thumb', reading, curve, { ...opts, baseDivisor: divisor }, (series, lo, hi) => {
    const b = bottomIndex(series, lo, hi);
    minimum = b.minimum;
    const k = reading === 'bottom' ? b.index : b.minimum;
    return { index: k, lr: series.lr[k] };
  });
  if (s.maxLR === null) return s;
  const notes = [...s.notes];
  // The probe's model is untrained; by the sweep the model has learned and breaks at lower LRs. Where
  // the sweep diverged, the largest LR that converges is below that: keep maxLR at half of it at most
  // (the paper: the best LR is within a factor of two of the largest that converges).
  if (curve.probe && typeof curve.stoppedAt === 'number' && curve.stoppedAt >= 0 && curve.lr[curve.stoppedAt] / 2 < s.maxLR) {
    const cap = curve.lr[curve.stoppedAt] / 2;
    notes.push(`maxLR capped at ${cap.toPrecision(3)}, half the LR where the linear sweep diverged (the probe's loss read at ${s.maxLR.toPrecision(3)})`);
    // 'medium', not 'low': in the study the capped suggestions trained as well as the grid's best.
    return withBounds({ ...s, notes }, { baseLR: cap / divisor, maxLR: cap, reason: reading, confidence: s.confidence === 'low' ? 'low' : 'medium' });
  }
  if (s.confidence === 'low') return s;
  const n = s.usablePoints; // the loss points the rule read
  if (minimum >= n - 1 - Math.max(2, Math.round(n / 20))) {
    notes.push('the loss was still falling at the end of the probe: the largest usable LR may be higher (sweep higher)');
    return { ...s, confidence: 'low', notes };
  }
  const hasAccuracy = Boolean(curve.validation?.accuracy || curve.accuracy);
  const paper = hasAccuracy ? accuracyRule({ ...curve, probe: null }) : null;
  if (paper?.maxLR == null) return { ...s, notes: [...notes, 'no accuracy curve to cross-check the loss minimum against'] };
  const ratio = paper.maxLR / s.maxLR;
  const agree = ratio >= 1 / 3 && ratio <= 3;
  notes.push(`the paper's accuracy reading of the sweep puts maxLR at ${paper.maxLR.toPrecision(3)} (${paper.maxLRReason}), ${agree ? 'within' : 'not within'} a factor of 3 of the loss minimum`);
  return { ...s, confidence: agree ? 'high' : 'medium', notes };
}
