/**
 * Reading an LR range test: the paper's accuracy rule for `baseLR`/`maxLR`, made robust, a loss-based
 * second opinion, and the paper's rule for the step size.
 * @packageDocumentation
 */
import { integerAtLeast, knownKeys, optionsObject, positive, fail } from '../validate.js';
import { median, noiseSigma, residualSigma, slopes, smoothZeroPhase } from './stats.js';

/** The parts of a range test that the analysis reads (an `LRFinder` result has them all). */
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
  } | null;
  /** How the LR was swept; decides the loss slope's axis (default: guessed from the LRs). */
  mode?: 'linear' | 'exponential';
  /** Index of the batch where the test stopped on a non-finite loss or divergence, if it did. */
  stoppedAt?: number | null;
}

/** Options of {@link suggestBounds}. */
export interface SuggestBoundsOptions {
  /** Which accuracy to read: validation (the paper's curves), training, or `'auto'` (validation when it has >= 20 points). */
  source?: 'auto' | 'validation' | 'training';
  /** Half-width of the smoothing window in points; default max(1, round(points / 40)). */
  smoothing?: number;
  /** A rise counts once the smoothed accuracy exceeds its start by this many noise σ (of the smoothed curve); default 3. */
  riseNoise?: number;
  /** "Rise slows" fires where the slope falls below this fraction of its steepest value; default 0.25. */
  slowFraction?: number;
  /** "Ragged" fires where the local noise exceeds this multiple of the early noise; default 3. */
  raggedFactor?: number;
}

/** Which rule placed `maxLR`. */
export type MaxLRReason = 'rise-slows' | 'ragged' | 'peak';

/** What {@link suggestBounds} found. LRs are null where the curve does not support a suggestion. */
export interface BoundsSuggestion {
  /** Where accuracy first rises clearly (beyond the noise) above its start. */
  baseLR: number | null;
  /** The earliest of: the rise slows, the curve turns ragged, the peak. */
  maxLR: number | null;
  maxLRReason: MaxLRReason | null;
  /** The paper's alternatives for the lower bound: maxLR/3 and maxLR/4. */
  alternatives: { maxOver3: number | null; maxOver4: number | null };
  /** `none` for a flat curve (no suggestion); `low` for short, noisy or still-rising curves. */
  confidence: 'high' | 'medium' | 'low' | 'none';
  /** The series the bounds were read from. */
  source: 'validation-accuracy' | 'training-accuracy' | 'training-loss';
  /** Loss-based second opinion: the steepest descent of the smoothed loss (against log LR for exponential sweeps, LR for linear) and its minimum. */
  loss: { steepestLR: number | null; minLossLR: number | null };
  /** Rise of the smoothed curve above its start, and the noise σ of the raw points around it. */
  rise: number;
  noise: number;
  /** Points analysed (those before any NaN, divergence or stop). */
  usablePoints: number;
  /** Indices into the analysed series (training batches, or validation points). */
  indices: { base: number | null; max: number | null; peak: number | null; slows: number | null; ragged: number | null };
  /** Plain-language remarks: why confidence is what it is, what to change in the test. */
  notes: string[];
}

const OPTION_KEYS = ['source', 'smoothing', 'riseNoise', 'slowFraction', 'raggedFactor'];

/** Index of the first entry that is not a finite number, or `n`. */
function firstBad(values: readonly (number | null)[] | null | undefined, n: number): number {
  if (!values) return n;
  for (let k = 0; k < n; k++) if (!(typeof values[k] === 'number' && Number.isFinite(values[k]))) return k;
  return n;
}

function guessMode(lr: readonly number[]): 'linear' | 'exponential' {
  if (lr.length < 3 || lr.some((v) => !(v > 0))) return 'linear';
  const n = lr.length;
  const linDev = Math.abs(lr[n >> 1] - (lr[0] + lr[n - 1]) / 2);
  const expDev = Math.abs(lr[n >> 1] - Math.sqrt(lr[0] * lr[n - 1]));
  return expDev < linDev ? 'exponential' : 'linear';
}

/**
 * Suggests CLR bounds from an LR range test, after the paper: `baseLR` where accuracy starts to rise,
 * `maxLR` where the rise slows, turns ragged, or accuracy peaks (the earliest of the three).
 *
 * The rule, step by step:
 * 1. Keep the points before the first non-finite loss or accuracy and before the test's stop point
 *    (`stoppedAt`, a NaN or divergence), so nothing is suggested at or beyond one.
 * 2. Read validation accuracy when there are >= 20 points of it (the paper's curves), else training accuracy,
 *    else the negated training loss (noted).
 * 3. Smooth with a zero-phase filter (no lag), and estimate the noise σ robustly: the lower of a
 *    second-difference estimate (trend-free; a kink is one outlier the median ignores) and a
 *    residual estimate around the smoothed curve; σ/√window is the noise of the smoothed curve.
 * 4. The start level is the median of the first window of raw points. If the smoothed curve never
 *    rises above it by more than 4 noise σ (and, for accuracy, 2 points), the curve is flat:
 *    confidence `none`, no bounds.
 * 5. `baseLR` is the LR of the first point whose smoothed value exceeds the start by
 *    max(`riseNoise`·σ, 5 % of the total rise).
 * 6. After it: "rise slows" is the first point past the steepest slope whose slope drops below
 *    `slowFraction` of the steepest; "ragged" is the first point whose local noise exceeds
 *    `raggedFactor` × the noise before the rise (both from second differences, over windows of 4h+1
 *    points); "peak" is the smoothed maximum. `maxLR` is the earliest.
 *
 * @example
 * ```ts
 * const result = finder.result;             // after fitting with an LRFinder
 * const s = suggestBounds(result);
 * if (s.confidence !== 'none') cyclicLR({ baseLR: s.baseLR!, maxLR: s.maxLR!, stepSize: 2000 });
 * ```
 */
export function suggestBounds(curve: RangeCurve, opts: SuggestBoundsOptions = {}): BoundsSuggestion {
  const where = 'suggestBounds';
  optionsObject(where, curve);
  optionsObject(where, opts);
  knownKeys(where, opts, OPTION_KEYS);
  if (!Array.isArray(curve.lr)) fail(where, 'curve.lr', 'an array of learning rates', curve.lr);
  const sourceOpt = opts.source ?? 'auto';
  if (!['auto', 'validation', 'training'].includes(sourceOpt)) fail(where, 'source', 'one of "auto", "validation", "training"', sourceOpt);
  const riseNoise = opts.riseNoise === undefined ? 3 : positive(where, 'riseNoise', opts.riseNoise);
  const slowFraction = opts.slowFraction === undefined ? 0.25 : positive(where, 'slowFraction', opts.slowFraction);
  const raggedFactor = opts.raggedFactor === undefined ? 3 : positive(where, 'raggedFactor', opts.raggedFactor);
  const notes: string[] = [];

  // 1. The usable prefix of the training series.
  let n = curve.lr.length;
  if (typeof curve.stoppedAt === 'number' && curve.stoppedAt >= 0) n = Math.min(n, curve.stoppedAt);
  n = Math.min(n, firstBad(curve.loss, n));
  const lossEnd = n;

  // 2. Choose the series.
  const val = curve.validation;
  const valUsable = val?.accuracy ? val.lr.filter((lr) => lr <= (curve.lr[Math.max(0, n - 1)] ?? -Infinity)).length : 0;
  let source: BoundsSuggestion['source'];
  let x: number[];
  let y: number[];
  if (val?.accuracy && (sourceOpt === 'validation' || (sourceOpt === 'auto' && valUsable >= 20))) {
    const m = Math.min(valUsable, firstBad(val.accuracy, valUsable), firstBad(val.loss, valUsable));
    source = 'validation-accuracy';
    x = val.lr.slice(0, m);
    y = val.accuracy.slice(0, m) as number[];
  } else if (curve.accuracy && sourceOpt !== 'validation') {
    const m = Math.min(n, firstBad(curve.accuracy, n));
    source = 'training-accuracy';
    x = curve.lr.slice(0, m);
    y = curve.accuracy.slice(0, m) as number[];
  } else if (curve.loss && sourceOpt !== 'validation') {
    source = 'training-loss';
    x = curve.lr.slice(0, n);
    y = (curve.loss.slice(0, n) as number[]).map((v) => -v);
    notes.push('no accuracy was recorded: bounds are read from the negated training loss');
  } else {
    fail(where, 'curve', sourceOpt === 'validation' ? 'a result with validation accuracy (source: "validation")' : 'a result with accuracy or loss', curve.accuracy ?? null);
  }
  const m = y.length;
  const isAccuracy = source !== 'training-loss';
  const mode = curve.mode ?? guessMode(curve.lr);

  const loss = lossOpinion(curve.lr.slice(0, lossEnd), curve.loss?.slice(0, lossEnd) as number[] | undefined, mode);
  const empty = (reason: string, rise = 0, noise = 0): BoundsSuggestion => ({
    baseLR: null,
    maxLR: null,
    maxLRReason: null,
    alternatives: { maxOver3: null, maxOver4: null },
    confidence: 'none',
    source,
    loss,
    rise,
    noise,
    usablePoints: m,
    indices: { base: null, max: null, peak: null, slows: null, ragged: null },
    notes: [...notes, reason],
  });
  if (m < 5) return empty(`only ${m} usable points: run the test longer (or lower its maxLR if it stopped early)`);

  // 3. Smooth and estimate the noise.
  const h = opts.smoothing === undefined ? Math.max(1, Math.round(m / 40)) : integerAtLeast(where, 'smoothing', opts.smoothing, 1);
  const s = smoothZeroPhase(y, h);
  // Two robust estimates: second differences (blind to kinks, but count a sparse curve's bend as
  // noise) and residuals around the smoothed curve (the reverse); each errs high, so take the lower.
  const sigma = Math.min(noiseSigma(y), residualSigma(y, s, h));
  const sigmaSmooth = sigma / Math.sqrt(2 * h + 1);

  // 4. Start level, rise, flatness.
  const start = median(y.slice(0, 2 * h + 1));
  let peak = 0;
  for (let k = 1; k < m; k++) if (s[k] > s[peak]) peak = k;
  const rise = s[peak] - start;
  const minRise = Math.max(4 * sigmaSmooth, isAccuracy ? 0.02 : 1e-3 * Math.abs(start));
  if (!(rise > minRise)) {
    return empty(
      `flat curve: the smoothed ${isAccuracy ? 'accuracy' : 'curve'} rises ${rise.toFixed(4)} above its start, ` +
        `within the noise (needs > ${minRise.toFixed(4)}); widen the LR range or train the test longer`,
      rise,
      sigma,
    );
  }

  // 5. baseLR.
  const delta = Math.max(riseNoise * sigmaSmooth, 0.05 * rise);
  let base = 0;
  while (base < peak && s[base] < start + delta) base++;

  // 6. maxLR: the earliest of rise-slows, ragged and peak, after base.
  const axis = mode === 'exponential' && x.every((v) => v > 0) ? x.map(Math.log) : x;
  const slope = slopes(axis, s);
  let steepest = base;
  for (let k = base; k <= peak; k++) if (slope[k] > slope[steepest]) steepest = k;
  let slows: number | null = null;
  for (let k = steepest + 1; k <= peak; k++) {
    if (slope[k] < slowFraction * slope[steepest]) {
      slows = k;
      break;
    }
  }
  const w = 2 * h + 1;
  const early = y.slice(0, Math.max(2 * w, base + 1));
  const baseline = Math.max(noiseSigma(early), 0.5 * sigma, 1e-3 * rise);
  let ragged: number | null = null;
  for (let k = base + 1; k < m; k++) {
    const local = noiseSigma(y.slice(Math.max(0, k - 2 * h), Math.min(m, k + 2 * h + 1)));
    if (local > raggedFactor * baseline) {
      ragged = k;
      break;
    }
  }
  const candidates: Array<[number, MaxLRReason]> = [];
  if (slows !== null) candidates.push([slows, 'rise-slows']);
  if (ragged !== null && ragged > base) candidates.push([ragged, 'ragged']);
  if (peak > base) candidates.push([peak, 'peak']);
  candidates.sort((a, b) => a[0] - b[0]);
  const [maxIdx, reason] = candidates[0] ?? [peak, 'peak' as MaxLRReason];

  // Confidence.
  let confidence: BoundsSuggestion['confidence'] = rise >= 10 * sigmaSmooth ? 'high' : 'medium';
  if (peak >= m - 1 - h) {
    confidence = 'low';
    notes.push('accuracy was still rising at the end of the sweep: run the test to a higher maxLR');
  }
  if (m < 20) {
    confidence = 'low';
    notes.push(`only ${m} points: a longer test gives steadier bounds`);
  }
  if (maxIdx - base < 2) {
    confidence = 'low';
    notes.push('the rise is only a few points wide: use a finer sweep (more iterations)');
  }
  const baseLR = x[base];
  const maxLR = x[maxIdx];
  return {
    baseLR,
    maxLR,
    maxLRReason: reason,
    alternatives: { maxOver3: maxLR / 3, maxOver4: maxLR / 4 },
    confidence,
    source,
    loss,
    rise,
    noise: sigma,
    usablePoints: m,
    indices: { base, max: maxIdx, peak, slows, ragged },
    notes,
  };
}

/** The loss-based second opinion: steepest descent of the smoothed loss, and its minimum. */
function lossOpinion(
  lr: number[],
  loss: number[] | undefined,
  mode: 'linear' | 'exponential',
): BoundsSuggestion['loss'] {
  if (!loss || loss.length < 5) return { steepestLR: null, minLossLR: null };
  const h = Math.max(1, Math.round(loss.length / 40));
  const s = smoothZeroPhase(loss, h);
  const axis = mode === 'exponential' && lr.every((v) => v > 0) ? lr.map(Math.log) : lr;
  const slope = slopes(axis, s);
  let steep = h;
  let min = 0;
  for (let k = h; k < s.length - h; k++) if (slope[k] < slope[steep]) steep = k;
  for (let k = 0; k < s.length; k++) if (s[k] < s[min]) min = k;
  return { steepestLR: slope[steep] < 0 ? lr[steep] : null, minLossLR: lr[min] };
}

/** Options of {@link suggestStepSize}. */
export interface StepSizeOptions {
  /** Training samples per epoch. */
  samples: number;
  /** Batch size. */
  batchSize: number;
  /** Epochs per half cycle; the paper advises 2–10; default 4. */
  epochsPerHalfCycle?: number;
  /** Whole cycles to train (at least 3, as the paper advises); default 3. */
  cycles?: number;
}

/** A step size and a training plan that ends at a cycle's end. */
export interface TrainingPlan {
  iterationsPerEpoch: number;
  stepSize: number;
  cycleLength: number;
  cycles: number;
  totalIterations: number;
  /** Epochs the plan takes (may be fractional when an epoch does not divide the cycle). */
  epochs: number;
}

/**
 * The paper's step-size rule: 2–10 epochs per half cycle (default 4), in iterations, and a plan of
 * whole cycles (at least 3) so training stops at a cycle's end, where the LR is lowest.
 *
 * @example
 * ```ts
 * suggestStepSize({ samples: 50000, batchSize: 100 });
 * // { iterationsPerEpoch: 500, stepSize: 2000, cycleLength: 4000, cycles: 3, totalIterations: 12000, epochs: 24 }
 * ```
 */
export function suggestStepSize(opts: StepSizeOptions): TrainingPlan {
  const where = 'suggestStepSize';
  optionsObject(where, opts);
  knownKeys(where, opts, ['samples', 'batchSize', 'epochsPerHalfCycle', 'cycles']);
  const samples = integerAtLeast(where, 'samples', opts.samples, 1);
  const batchSize = integerAtLeast(where, 'batchSize', opts.batchSize, 1);
  const epochs = opts.epochsPerHalfCycle ?? 4;
  if (typeof epochs !== 'number' || !(epochs >= 2 && epochs <= 10)) {
    fail(where, 'epochsPerHalfCycle', 'a number in [2, 10] (the paper: 2–10 epochs per half cycle)', epochs);
  }
  const cycles = integerAtLeast(where, 'cycles', opts.cycles ?? 3, 3);
  const iterationsPerEpoch = Math.ceil(samples / batchSize);
  const stepSize = Math.round(epochs * iterationsPerEpoch);
  const totalIterations = cycles * 2 * stepSize;
  return {
    iterationsPerEpoch,
    stepSize,
    cycleLength: 2 * stepSize,
    cycles,
    totalIterations,
    epochs: totalIterations / iterationsPerEpoch,
  };
}
