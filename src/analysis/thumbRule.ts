/**
 * The paper's rule of thumb, read from the probe's loss: the library's default rule.
 * @packageDocumentation
 */
import { withBounds, type BoundsSuggestion, type LossReading, type RangeCurve, type RuleOptions } from './curve.js';
import { accuracyRule } from './accuracyRule.js';
import { optimizerNames } from '../optimizerFacts.js';
import { bottomIndex, lossRule, lossSeries, type LossRuleOptions, type LossSeries } from './lossRules.js';

/** Options of {@link thumbRule}. */
export interface ThumbRuleOptions extends LossRuleOptions, Pick<RuleOptions, 'source' | 'smoothing' | 'riseNoise' | 'slowFraction' | 'raggedFactor' | 'acrossBumps'> {
  /** baseLR = maxLR / divisor: the paper says 3 or 4; default 4 (`baseDivisor` is the same). */
  divisor?: number;
  /**
   * Which point of the smoothed loss is maxLR: `'minimum'` (its lowest point), `'bottom'` (where it
   * bottoms out: the left end of its floor), `'center'` (the geometric middle of its floor: between
   * where it bottoms out and where it rises again) or `'auto'` (default): `center` for the zero-config
   * probe of a non-adaptive optimizer (SGD, Momentum), `bottom` otherwise (adaptive optimizers, and a
   * single sweep of your own). See {@link thumbRule} for the evidence.
   */
  reading?: LossReading;
}

export type { LossReading };

/** A reading resolved for one curve. */
type Reading = Exclude<LossReading, 'auto'>;

/** Spread above which a suggestion's own repeats disagree too much for confidence `high`. */
export const MAX_HIGH_SPREAD = 2;

/** Optimizers that scale each step by a running gradient statistic (tfjs class names). */
export const ADAPTIVE_OPTIMIZERS: readonly string[] = optimizerNames((f) => f.adaptive);

/** The reading `'auto'` picks for a curve (see {@link ThumbRuleOptions.reading}). */
export function autoReading(curve: RangeCurve): 'center' | 'bottom' {
  const recorded = curve.adaptive ?? curve.probe?.adaptive;
  const adaptive = typeof recorded === 'boolean' ? recorded : ADAPTIVE_OPTIMIZERS.includes(curve.optimizer ?? curve.probe?.optimizer ?? '');
  return curve.probe != null && !adaptive ? 'center' : 'bottom';
}

/** Log-distances closer than this are a tie (rounding of the LRs), far below a probe step's log(1.2) ≈ 0.18. */
const TIE = 1e-6;

/** The index `reading` names on a smoothed loss, between `lo` and `hi`. */
function readingIndex(series: LossSeries, lo: number, hi: number, reading: Reading, acrossBumps = false): { index: number; lr: number; minimum: number } {
  const b = bottomIndex(series, lo, hi, acrossBumps);
  if (reading === 'center') {
    // The floor's geometric middle: the LR nearest √(LR at its left end × LR at its right end). On the
    // probe's exponential grid a floor of an odd number of steps has two nearest points, equally far:
    // the lower is taken, so the last digits of the LRs (a curve saved as JSON and read again) cannot
    // move the reading a whole step.
    const target = Math.sqrt(series.lr[b.index] * series.lr[b.right]);
    const distance = (j: number) => Math.abs(Math.log(series.lr[j] / target));
    let k = b.index;
    for (let j = b.index; j <= b.right; j++) if (distance(j) < distance(k) - TIE) k = j;
    return { index: k, lr: series.lr[k], minimum: b.minimum };
  }
  const k = reading === 'bottom' ? b.index : b.minimum;
  return { index: k, lr: series.lr[k], minimum: b.minimum };
}

/**
 * Each repeat of the curve the rule read (the zero-config test's probes) read alone with the same
 * reading: their maxLRs, and max/min of them. Null without at least two readable repeats.
 */
export function repeatSpread(curve: RangeCurve, reading: Reading, acrossBumps = false): { readings: number[]; ratio: number } | null {
  const repeats = (curve.probe ?? curve).repeats ?? [];
  const readings: number[] = [];
  for (const r of repeats) {
    const series = lossSeries(r);
    if (!series) continue;
    const n = series.lr.length;
    const lo = Math.floor(0.1 * n);
    if (n - 1 - lo < 3) continue;
    readings.push(readingIndex(series, lo, n - 1, reading, acrossBumps).lr);
  }
  if (readings.length < 2) return null;
  return { readings, ratio: Math.max(...readings) / Math.min(...readings) };
}

/**
 * The paper's rule of thumb, and the library's default (lowest regret in `npm run bench:suggest`):
 * `maxLR` = the largest LR at which training still converges, read on the probe's smoothed loss
 * (or, without a probe, on your own sweep's), `baseLR = maxLR / 4` (the paper: /3 or /4). Where on it
 * depends on the optimizer and the test (`reading: 'auto'`):
 * - the zero-config probe of SGD or Momentum: the geometric **center** of the smoothed loss's floor
 *   (between where it bottoms out and where it rises again); on a convnet the floor is flat within
 *   noise over a decade, and its minimum moved 3–7× between reruns, its ends less;
 * - adaptive optimizers (Adam, RMSProp, …) and single sweeps without a probe: where the loss
 *   **bottoms out**, the left end of its floor: the first LR whose smoothed loss is within noise (3σ
 *   of a smoothed value, at most a fifth of the fall) of the minimum. Adam's probe floor spans a
 *   decade or more: the minimum lands anywhere in it, and on noisy single sweeps 2–3× past the clean
 *   curve's minimum.
 * The floor is read only up to where the loss first turns up (once it has made half its fall): a short
 * probe trains the model as the LR grows, so past an already unstable LR its loss can fall again to a
 * deeper minimum. On a held-out MLP with Adam (bench:suggest's words-lang-north) the probes bumped up at
 * ~0.045 and bottomed out again at 0.14–0.17, where Adam and Schedule-Free AdamW diverged; read across
 * the bump, maxLR moved 7.7× across 5 seeds, read before it 1.2× (0.018–0.022); on the 4 tasks the
 * rule was chosen on, not one of 40 readings moved. On a held-out convnet with Adam (fashion-cnn) a
 * bump cut 4 of 5 seeds to 0.004–0.006 where reading across gave 0.022–0.038: CLR trained about as
 * well (84.81 against 85.09 %), Schedule-Free AdamW from it better (86.98 against 86.58). A note gives
 * the reading across the bump; `acrossBumps: true` takes it (the reading before).
 * The zero-config test reads the mean of its probes; each probe read alone gives the suggestion's
 * `spread`, and a spread over 2× is never `high` confidence.
 *
 * When the linear sweep diverged, `maxLR` is at most half the LR where it did (the model, trained by
 * then, breaks at lower LRs than the untrained probe did).
 *
 * Options: `reading`, `divisor` (= `baseDivisor`), the loss rules' `skipBegin`/`skipEnd`, and the
 * accuracy rule's options for the cross-check below.
 *
 * Confidence (calibrated on `npm run bench:suggest`): `none` when the loss never fell; `low` when it fell
 * less than 5 % (an already trained model) or was still falling at the probe's end; `medium` when the
 * cap applied; else `high` when the paper's accuracy reading of the
 * linear sweep (its `maxLR`) agrees within a factor of 3, `medium` when it does not (both are in `notes`).
 */
export function thumbRule(curve: RangeCurve, opts: ThumbRuleOptions = {}): BoundsSuggestion {
  const divisor = opts.divisor ?? opts.baseDivisor ?? 4;
  const reading = opts.reading === undefined || opts.reading === 'auto' ? autoReading(curve) : opts.reading;
  // What the pick saw: the smoothed loss's own minimum (at or past the floor's left end), and the same
  // reading across bumps where a bump cut the floor short.
  const seen: { minimum: number; across: number | null } = { minimum: -1, across: null };
  const r = lossRule('thumb', reading, curve, { ...opts, baseDivisor: divisor }, (series, lo, hi) => {
    const picked = readingIndex(series, lo, hi, reading, opts.acrossBumps);
    seen.minimum = picked.minimum;
    if (!opts.acrossBumps) {
      const whole = readingIndex(series, lo, hi, reading, true);
      if (series.smooth[whole.minimum] < series.smooth[picked.minimum] && whole.lr > picked.lr) seen.across = whole.lr;
    }
    return picked;
  });
  if (r.maxLR === null) return r;
  const spread = repeatSpread(curve, reading, opts.acrossBumps);
  const s = spread ? { ...r, spread } : r;
  const maxLR = r.maxLR;
  const notes = [...s.notes];
  if (seen.across !== null) {
    notes.push(
      `the loss turned up past maxLR and fell again at higher LRs (the model trains during the probe): maxLR is read before it turned up; ` +
        `read across (acrossBumps: true) it would be ${seen.across.toPrecision(3)} (on bench:suggest's held-out tasks 1cycle diverged from that reading on one; on the other it trained CLR 0.2 points better and Schedule-Free AdamW 0.4 worse)`,
    );
  }
  if (spread) {
    notes.push(`the ${spread.readings.length} probes read alone put maxLR at ${spread.readings.map((v) => v.toPrecision(3)).join(', ')} (${spread.ratio.toFixed(2)}× apart); their mean curve at ${r.maxLR.toPrecision(3)}`);
  }
  // High confidence needs repeats that agree (within MAX_HIGH_SPREAD×), where there are repeats.
  const capHigh = (c: BoundsSuggestion['confidence']): BoundsSuggestion['confidence'] => (c === 'high' && spread && spread.ratio > MAX_HIGH_SPREAD ? 'medium' : c);
  // The probe's model is untrained; by the sweep the model has learned and breaks at lower LRs. Where
  // the sweep diverged, the largest LR that converges is below that: keep maxLR at half of it at most
  // (the paper: the best LR is within a factor of two of the largest that converges).
  if (curve.probe && typeof curve.stoppedAt === 'number' && curve.stoppedAt >= 0 && curve.lr[curve.stoppedAt] / 2 < maxLR) {
    const cap = curve.lr[curve.stoppedAt] / 2;
    notes.push(`maxLR capped at ${cap.toPrecision(3)}, half the LR where the linear sweep diverged (the probe's loss read at ${maxLR.toPrecision(3)})`);
    // 'medium', not 'low': in the study the capped suggestions trained as well as the grid's best.
    return withBounds({ ...s, notes }, { baseLR: cap / divisor, maxLR: cap, reason: reading, confidence: s.confidence === 'low' ? 'low' : 'medium' });
  }
  if (s.confidence === 'low') return { ...s, notes };
  const n = s.usablePoints; // the loss points the rule read
  if (seen.minimum >= n - 1 - Math.max(2, Math.round(n / 20))) {
    const end = (curve.probe ?? curve).lr[n - 1];
    notes.push(
      `the loss was still falling at the end of the probe (LR ${end.toPrecision(3)}): the largest usable LR may be higher; ` +
        `sweep past it with rangeTest's (or LRFinder's) maxLR option, e.g. maxLR: ${(10 * end).toPrecision(2)}`,
    );
    return { ...s, confidence: 'low', notes };
  }
  const hasAccuracy = Boolean(curve.validation?.accuracy || curve.accuracy);
  // The paper's reading, with the accuracy options given (source, smoothing, riseNoise, slowFraction, raggedFactor).
  const { source, smoothing, riseNoise, slowFraction, raggedFactor } = opts;
  const paper = hasAccuracy ? accuracyRule({ ...curve, probe: null }, { source, smoothing, riseNoise, slowFraction, raggedFactor }) : null;
  if (paper?.maxLR == null) return { ...s, notes: [...notes, 'no accuracy curve to cross-check the loss reading against'] };
  const ratio = paper.maxLR / maxLR;
  const agree = ratio >= 1 / 3 && ratio <= 3;
  notes.push(`the paper's accuracy reading of the sweep puts maxLR at ${paper.maxLR.toPrecision(3)} (${paper.maxLRReason}), ${agree ? 'within' : 'not within'} a factor of 3 of the loss reading`);
  const confidence = capHigh(agree ? 'high' : 'medium');
  if (agree && confidence !== 'high') notes.push(`confidence medium, not high: the probes disagree by more than ${MAX_HIGH_SPREAD}×`);
  return { ...s, confidence, notes };
}
