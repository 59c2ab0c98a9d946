/**
 * What the suggestion rules read (a range test's curves) and what they return, with the small helpers
 * they share: the usable prefix of a curve, the sweep's axis, and an empty suggestion.
 * @packageDocumentation
 */

/** One recorded sweep: the parts of a range test that the analysis reads (an `LRFinder` result has them all). */
export interface RangeCurve {
  /** The LR of every batch, in the order they ran. */
  lr: readonly number[];
  /** Training loss per batch (null or non-finite where it was not a number). */
  loss?: readonly (number | null)[] | null;
  /** Training accuracy per batch, if the model had an accuracy metric. */
  accuracy?: readonly (number | null)[] | null;
  /** Accuracy and loss on a fixed validation set every few batches. */
  validation?: {
    lr: readonly number[];
    loss: readonly (number | null)[];
    accuracy: readonly (number | null)[] | null;
    /** Examples in the validation set (sets the binomial noise of its accuracy). */
    samples?: number | null;
  } | null;
  /** Examples per batch (sets the binomial noise of per-batch training accuracy), if known. */
  batchSize?: number | null;
  /** How the LR was swept; decides the slope's axis (default: guessed from the LRs). */
  mode?: 'linear' | 'exponential';
  /** Index of the batch where the test stopped on a non-finite loss or divergence, if it did. */
  stoppedAt?: number | null;
  /**
   * The optimizer's class name (`getClassName()`), as `LRFinder` records it: adaptive optimizers
   * (Adam, Adamax, RMSProp, Adagrad, Adadelta) are read differently by the default rule (see thumbRule).
   */
  optimizer?: string | null;
  /**
   * Whether that optimizer scales each step by a running gradient statistic, as `LRFinder` records it
   * (the tfjs table for built-ins, the optimizer's own `adaptive` for tfjs-clr's learning-rate-free
   * ones); when absent, the rules decide by `optimizer`'s name among tfjs's built-ins.
   */
  adaptive?: boolean | null;
  /**
   * The zero-config test's first stage: a short exponential sweep (from ~1e-7 until the loss
   * diverges) that found the region the linear sweep (this curve) then covered. Loss rules read it.
   */
  probe?: RangeCurve | null;
  /** Independent repeats this curve is the mean of (the zero-config test's probes): read one by one for the suggestion's spread. */
  repeats?: readonly RangeCurve[] | null;
}

/** Names of the built-in rules (see {@link suggestionRules}). */
export type RuleName = 'accuracy' | 'thumb' | 'valley' | 'steep' | 'minimum';

/** Where a rule placed `maxLR`. */
export type MaxLRReason = 'rise-slows' | 'ragged' | 'peak' | 'valley' | 'steepest' | 'minimum' | 'bottom' | 'center';

/** What a suggestion rule found. LRs are null where the curve does not support a suggestion. */
export interface BoundsSuggestion {
  /** The rule that made it. */
  rule: RuleName | string;
  /** The lower bound. */
  baseLR: number | null;
  /** The upper bound. */
  maxLR: number | null;
  maxLRReason: MaxLRReason | null;
  /** The paper's alternatives for the lower bound: maxLR/3 and maxLR/4. */
  alternatives: { maxOver3: number | null; maxOver4: number | null };
  /** `none`: no suggestion; `low`: a guess (see `notes`); `high` only where the study's regret was small. */
  confidence: 'high' | 'medium' | 'low' | 'none';
  /** The series the bounds were read from. */
  source: 'validation-accuracy' | 'training-accuracy' | 'training-loss' | 'probe-loss';
  /** Loss-based landmarks: the steepest descent of the smoothed loss and its minimum (probe if there is one). */
  loss: { steepestLR: number | null; minLossLR: number | null };
  /** Rise of the smoothed accuracy above its start, and the noise σ of the raw points (accuracy rules; else 0). */
  rise: number;
  noise: number;
  /** Points analysed (those before any NaN, divergence or stop). */
  usablePoints: number;
  /** Indices into the analysed series (accuracy rules; null elsewhere). */
  indices: { base: number | null; max: number | null; peak: number | null; slows: number | null; ragged: number | null };
  /**
   * Where the curve is the mean of repeats (the zero-config test's probes): each repeat's own maxLR
   * reading and max/min of them (before any cap). A rerun of the test lands about this far apart.
   */
  spread?: { readings: number[]; ratio: number } | null;
  /** Plain-language remarks: why confidence is what it is, what to change in the test. */
  notes: string[];
}

/** The settings `suggestBounds` passes to a rule; each rule reads the ones it uses. */
export interface RuleOptions {
  /** Which accuracy to read: validation, training, or `'auto'` (validation when it has >= 10 points); default `'auto'`. */
  source?: 'auto' | 'validation' | 'training';
  /** Half-width of the smoothing window in points; default max(1, round(points / 40)). */
  smoothing?: number;
  /** A rise counts once the smoothed accuracy exceeds its start by this many noise σ (of the smoothed curve); default 3. */
  riseNoise?: number;
  /** "Rise slows" fires where the slope falls below this fraction of its steepest value; default 0.25. */
  slowFraction?: number;
  /** "Ragged" fires where the local noise exceeds this multiple of the expected noise; default 3. */
  raggedFactor?: number;
  /** baseLR = maxLR / baseDivisor (the paper: 3 or 4); each rule has its own default. */
  baseDivisor?: number;
  /** Loss rules: leading fraction of the points to skip (fastai skips the first tenth); default 0.1. */
  skipBegin?: number;
  /** Loss rules: trailing points to skip (Lightning skips 1, fastai 5); default 1. */
  skipEnd?: number;
  /** `thumb`: which point of the smoothed loss is maxLR (see {@link LossReading}); default `'auto'`. */
  reading?: LossReading;
  /**
   * `thumb`: read the floor across bumps, to the end of the usable curve (the reading before
   * 2026-12-05), not only up to where the loss first turns up; default false (see `thumbRule`).
   */
  acrossBumps?: boolean;
  /** `minimum`: maxLR = (LR at the smoothed loss's minimum) / divisor; default 10 (fastai's). */
  divisor?: number;
}

/**
 * Where on the smoothed loss the `thumb` rule reads maxLR: `'minimum'` (its lowest point), `'bottom'`
 * (where it bottoms out: the left end of its floor), `'center'` (the geometric middle of its floor) or
 * `'auto'`: `center` for the zero-config probe of a non-adaptive optimizer, `bottom` otherwise.
 */
export type LossReading = 'minimum' | 'bottom' | 'center' | 'auto';

/**
 * A suggestion rule: every rule, built-in or yours, has this signature and can be passed to
 * `suggestBounds` (which hands it the options it was given, without `rule`).
 */
export type SuggestionRule = (curve: RangeCurve, options?: RuleOptions) => BoundsSuggestion;

/** Index of the first entry that is not a finite number, or `n`. */
export function firstBad(values: readonly (number | null)[] | null | undefined, n: number): number {
  if (!values) return n;
  for (let k = 0; k < n; k++) if (!(typeof values[k] === 'number' && Number.isFinite(values[k]))) return k;
  return n;
}

/** Batches before the curve's first non-finite loss and before its stop point. */
export function usableLength(curve: RangeCurve): number {
  let n = curve.lr.length;
  if (typeof curve.stoppedAt === 'number' && curve.stoppedAt >= 0) n = Math.min(n, curve.stoppedAt);
  return Math.min(n, firstBad(curve.loss, n));
}

/** `curve.mode`, or a guess: exponential when the middle LR is nearer the geometric than the arithmetic mean. */
export function sweepMode(curve: RangeCurve): 'linear' | 'exponential' {
  if (curve.mode) return curve.mode;
  const lr = curve.lr;
  if (lr.length < 3 || lr.some((v) => !(v > 0))) return 'linear';
  const n = lr.length;
  const linDev = Math.abs(lr[n >> 1] - (lr[0] + lr[n - 1]) / 2);
  const expDev = Math.abs(lr[n >> 1] - Math.sqrt(lr[0] * lr[n - 1]));
  return expDev < linDev ? 'exponential' : 'linear';
}

/** The slope axis of a sweep: log LR for exponential sweeps (where the LRs are positive), LR for linear ones. */
export function sweepAxis(lr: readonly number[], mode: 'linear' | 'exponential'): number[] {
  return mode === 'exponential' && lr.every((v) => v > 0) ? lr.map(Math.log) : [...lr];
}

/** A suggestion with no bounds, and why. */
export function noSuggestion(
  rule: BoundsSuggestion['rule'],
  source: BoundsSuggestion['source'],
  loss: BoundsSuggestion['loss'],
  usablePoints: number,
  notes: string[],
  rise = 0,
  noise = 0,
): BoundsSuggestion {
  return {
    rule,
    baseLR: null,
    maxLR: null,
    maxLRReason: null,
    alternatives: { maxOver3: null, maxOver4: null },
    confidence: 'none',
    source,
    loss,
    rise,
    noise,
    usablePoints,
    indices: { base: null, max: null, peak: null, slows: null, ragged: null },
    notes,
  };
}

/** A suggestion with bounds; the paper's alternatives maxLR/3 and maxLR/4 are filled in. */
export function withBounds(
  base: BoundsSuggestion,
  bounds: { baseLR: number; maxLR: number; reason: MaxLRReason; confidence: BoundsSuggestion['confidence']; indices?: Partial<BoundsSuggestion['indices']> },
): BoundsSuggestion {
  const { baseLR, maxLR, reason, confidence, indices } = bounds;
  return {
    ...base,
    baseLR,
    maxLR,
    maxLRReason: reason,
    alternatives: { maxOver3: maxLR / 3, maxOver4: maxLR / 4 },
    confidence,
    indices: { ...base.indices, ...indices },
  };
}
