/**
 * The paper's rule of thumb, read from the probe's loss: the library's default rule.
 * @packageDocumentation
 */
import type { BoundsSuggestion, RangeCurve } from './curve.js';
import { accuracyRule } from './accuracyRule.js';
import { argMin, lossRule, lossSeries, type LossRuleOptions } from './lossRules.js';

/** Options of {@link thumbRule}. */
export interface ThumbRuleOptions extends LossRuleOptions {
  /** baseLR = maxLR / divisor: the paper says 3 or 4; default 4 (`baseDivisor` is the same). */
  divisor?: number;
}

/**
 * The paper's rule of thumb, and the library's default (lowest regret in `npm run bench:suggest`):
 * `maxLR` = the largest LR at which training still converges, read as the LR at the minimum of the
 * probe's smoothed loss (past it, the loss climbs); `baseLR = maxLR / 4` (the paper: /3 or /4).
 *
 * Confidence: `none` when the loss never fell; `low` when it fell less than 10 % (an already trained
 * model) or was still falling at the probe's end; else `high` when the paper's accuracy reading of the
 * linear sweep (its `maxLR`) agrees within a factor of 3, `medium` when it does not (both are in `notes`).
 */
export function thumbRule(curve: RangeCurve, opts: ThumbRuleOptions = {}): BoundsSuggestion {
  const divisor = opts.divisor ?? opts.baseDivisor ?? 4;
  const s = lossRule('thumb', 'minimum', curve, { ...opts, baseDivisor: divisor }, (series, lo, hi) => {
    const k = lo + argMin(series.smooth.slice(lo, hi));
    return { index: k, lr: series.lr[k] };
  });
  if (s.maxLR === null || s.confidence === 'low') return s;
  const series = lossSeries(curve);
  const notes = [...s.notes];
  if (series && (s.indices.max as number) >= series.lr.length - 1 - Math.max(2, Math.round(series.lr.length / 20))) {
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
