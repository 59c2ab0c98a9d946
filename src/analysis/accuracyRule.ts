/**
 * The paper's accuracy rule (section 3.3), made robust: `baseLR` where accuracy starts to rise,
 * `maxLR` where the rise slows, turns ragged, or accuracy peaks.
 * @packageDocumentation
 */
import { firstBad, type RuleOptions, noSuggestion, sweepAxis, sweepMode, usableLength, withBounds, type BoundsSuggestion, type MaxLRReason, type RangeCurve } from './curve.js';
import { lossLandmarks, lossSeries } from './lossRules.js';
import { median, noiseSigma, residualSigma, slopes, smoothZeroPhase } from './stats.js';
import { fail } from '../validate.js';

/** Options of {@link accuracyRule}. */
/** Options of {@link accuracyRule}: the shared rule options (`baseDivisor` sets baseLR = maxLR / baseDivisor instead of where the rise starts). */
export type AccuracyRuleOptions = RuleOptions;

interface Series {
  source: BoundsSuggestion['source'];
  x: number[];
  y: number[];
  /** Examples behind each point (binomial noise), if known. */
  samples: number | null;
}

function chooseSeries(curve: RangeCurve, sourceOpt: string, notes: string[]): Series {
  const n = usableLength(curve);
  const val = curve.validation;
  const lastLR = curve.lr[Math.max(0, n - 1)] ?? -Infinity;
  const valUsable = val?.accuracy ? val.lr.filter((lr) => lr <= lastLR).length : 0;
  if (val?.accuracy && (sourceOpt === 'validation' || (sourceOpt === 'auto' && valUsable >= 10))) {
    const m = Math.min(valUsable, firstBad(val.accuracy, valUsable), firstBad(val.loss, valUsable));
    return { source: 'validation-accuracy', x: val.lr.slice(0, m), y: val.accuracy.slice(0, m) as number[], samples: val.samples ?? null };
  }
  if (curve.accuracy && sourceOpt !== 'validation') {
    const m = Math.min(n, firstBad(curve.accuracy, n));
    return { source: 'training-accuracy', x: curve.lr.slice(0, m), y: curve.accuracy.slice(0, m) as number[], samples: curve.batchSize ?? null };
  }
  if (curve.loss && sourceOpt !== 'validation') {
    notes.push('no accuracy was recorded: bounds are read from the negated training loss');
    return { source: 'training-loss', x: curve.lr.slice(0, n), y: (curve.loss.slice(0, n) as number[]).map((v) => -v), samples: null };
  }
  return fail('accuracyRule', 'curve', sourceOpt === 'validation' ? 'a result with validation accuracy (source: "validation")' : 'a result with accuracy or loss', curve.accuracy ?? null);
}

/** Binomial σ of an accuracy p measured on `samples` examples (0 when unknown). */
function binomial(p: number, samples: number | null): number {
  return samples ? Math.sqrt(Math.max(0, Math.min(1, p) * (1 - Math.min(1, p))) / samples) : 0;
}

/**
 * The paper's rule: `baseLR` where accuracy starts to rise, `maxLR` where the rise slows, turns
 * ragged, or accuracy peaks (the earliest of the three).
 *
 * 1. Keep the points before the first non-finite loss or accuracy and before the test's stop point;
 *    no bounds when the test diverged within its first 10 batches (it started too high).
 * 2. Read validation accuracy when it has >= 10 points (the paper's curves), else per-batch training
 *    accuracy, else the negated training loss.
 * 3. Smooth with a zero-phase filter (no lag) and estimate the noise σ robustly (the lower of a
 *    second-difference and a residual estimate); σ/√window is the noise of the smoothed curve.
 * 4. The start level is the median of the first window, or the first point if it is clearly lower (so a
 *    rise inside the first window does not lift it). If the smoothed curve never rises above it by
 *    more than 4σ (and 2 accuracy points), the curve is flat: no bounds, and the note says whether
 *    the rise happened before the first point (accuracy already high: sweep lower) or not at all.
 * 5. `baseLR`: the first point whose smoothed value exceeds the start by max(3σ, 5 % of the rise).
 * 6. `maxLR`: the earliest of "rise slows" (past the steepest slope, the slope drops below ¼ of it),
 *    "ragged" (the local noise exceeds 3× the noise expected there: the early noise, or, when the
 *    number of examples N behind each point is known, the binomial √(p(1−p)/N) at the local level,
 *    which grows as accuracy rises from chance and is not raggedness), and the peak.
 */
export function accuracyRule(curve: RangeCurve, opts: AccuracyRuleOptions = {}): BoundsSuggestion {
  const where = 'accuracyRule';
  const sourceOpt = opts.source ?? 'auto';
  if (!['auto', 'validation', 'training'].includes(sourceOpt)) fail(where, 'source', 'one of "auto", "validation", "training"', sourceOpt);
  const notes: string[] = [];
  const { source, x, y, samples } = chooseSeries(curve, sourceOpt, notes);
  const m = y.length;
  const isAccuracy = source !== 'training-loss';
  const loss = lossLandmarks(lossSeries(curve));
  const none = (reason: string, rise = 0, noise = 0) => noSuggestion('accuracy', source, loss, m, [...notes, reason], rise, noise);
  if (typeof curve.stoppedAt === 'number' && curve.stoppedAt < 10) {
    return none(`the test diverged at batch ${curve.stoppedAt}, among its first 10: the sweep started above the LRs that train; start it lower`);
  }
  if (m < 5) return none(`only ${m} usable points: run the test longer (or lower its maxLR if it stopped early)`);

  const c = smoothed(y, opts.smoothing ?? Math.max(1, Math.round(m / 40)), isAccuracy);
  if (!(c.rise > c.minRise)) {
    const already = isAccuracy && c.start >= 0.5;
    return none(
      already
        ? `accuracy was already ${c.start.toFixed(3)} at the first point and stayed within the noise: the rise happened before the sweep began (or the model is already trained); sweep from a lower minLR`
        : `flat curve: the smoothed ${isAccuracy ? 'accuracy' : 'curve'} rises ${c.rise.toFixed(4)} above its start, within the noise (needs > ${c.minRise.toFixed(4)}); widen the LR range or train the test longer`,
      c.rise,
      c.sigma,
    );
  }
  const base = findBase(x, c, opts.riseNoise ?? 3);
  if (!(x[base] > 0)) return none('no positive LR where accuracy rises: sweep over positive LRs');
  const found = findMax(curve, x, y, c, base, { slowFraction: opts.slowFraction ?? 0.25, raggedFactor: opts.raggedFactor ?? 3, samples, isAccuracy });
  const confidence = confidenceOf(c, base, found.max, m, isAccuracy, notes);
  const maxLR = x[found.max];
  return withBounds(noSuggestion('accuracy', source, loss, m, notes, c.rise, c.sigma), {
    baseLR: opts.baseDivisor ? maxLR / opts.baseDivisor : x[base],
    maxLR,
    reason: found.reason,
    confidence,
    indices: { base, max: found.max, peak: c.peak, slows: found.slows, ragged: found.ragged },
  });
}

/** The smoothed curve and what is read off it: noise, start level, peak and rise. */
interface Smoothed {
  h: number;
  s: number[];
  sigma: number;
  sigmaSmooth: number;
  start: number;
  peak: number;
  rise: number;
  minRise: number;
}

/**
 * Steps 3–4: zero-phase smoothing, the noise (the lower of two robust estimates), the start level (the
 * first point when it is clearly lower than the first window's median, 4σ and 5 accuracy points, so a
 * rise inside the first window does not lift it), the peak, and the smallest rise that is not noise.
 */
function smoothed(y: number[], h: number, isAccuracy: boolean): Smoothed {
  const s = smoothZeroPhase(y, h);
  const sigma = Math.min(noiseSigma(y), residualSigma(y, s, h));
  const sigmaSmooth = sigma / Math.sqrt(2 * h + 1);
  const windowStart = median(y.slice(0, 2 * h + 1));
  const start = y[0] < windowStart - Math.max(4 * sigma, isAccuracy ? 0.05 : 0) ? y[0] : windowStart;
  let peak = 0;
  for (let k = 1; k < s.length; k++) if (s[k] > s[peak]) peak = k;
  const minRise = Math.max(4 * sigmaSmooth, isAccuracy ? 0.02 : 1e-3 * Math.abs(start));
  return { h, s, sigma, sigmaSmooth, start, peak, rise: s[peak] - start, minRise };
}

/** Step 5: the first point above the start by max(riseNoise·σ, 5 % of the rise), at a positive LR. */
function findBase(x: number[], c: Smoothed, riseNoise: number): number {
  const delta = Math.max(riseNoise * c.sigmaSmooth, 0.05 * c.rise);
  let base = 0;
  while (base < c.peak && (c.s[base] < c.start + delta || !(x[base] > 0))) base++;
  return base;
}

/** Step 6: the earliest of "rise slows", "ragged" and the peak, after `base`. */
function findMax(
  curve: RangeCurve,
  x: number[],
  y: number[],
  c: Smoothed,
  base: number,
  o: { slowFraction: number; raggedFactor: number; samples: number | null; isAccuracy: boolean },
): { max: number; reason: MaxLRReason; slows: number | null; ragged: number | null } {
  const { s, h, peak } = c;
  const m = y.length;
  const slope = slopes(sweepAxis(x, sweepMode(curve)), s);
  let steepest = base;
  for (let k = base; k <= peak; k++) if (slope[k] > slope[steepest]) steepest = k;
  let slows: number | null = null;
  for (let k = steepest + 1; k <= peak && slows === null; k++) if (slope[k] < o.slowFraction * slope[steepest]) slows = k;
  const early = y.slice(0, Math.max(2 * (2 * h + 1), base + 1));
  const baseline = Math.max(noiseSigma(early), 0.5 * c.sigma, 1e-3 * c.rise);
  let ragged: number | null = null;
  for (let k = base + 1; k < m && ragged === null; k++) {
    const local = noiseSigma(y.slice(Math.max(0, k - 2 * h), Math.min(m, k + 2 * h + 1)));
    const expected = Math.max(baseline, o.isAccuracy ? binomial(s[k], o.samples) : 0);
    if (local > o.raggedFactor * expected) ragged = k;
  }
  const candidates: Array<[number, MaxLRReason]> = [];
  if (slows !== null) candidates.push([slows, 'rise-slows']);
  if (ragged !== null && ragged > base) candidates.push([ragged, 'ragged']);
  if (peak > base) candidates.push([peak, 'peak']);
  candidates.sort((a, b) => a[0] - b[0]);
  const [max, reason] = candidates[0] ?? [peak, 'peak' as MaxLRReason];
  return { max, reason, slows, ragged };
}

/** How far to trust the bounds: high when the rise is ≥ 10σ, low (with a note) for each known weakness. */
function confidenceOf(c: Smoothed, base: number, max: number, m: number, isAccuracy: boolean, notes: string[]): BoundsSuggestion['confidence'] {
  let confidence: BoundsSuggestion['confidence'] = c.rise >= 10 * c.sigmaSmooth ? 'high' : 'medium';
  const low = (why: string) => {
    confidence = 'low';
    notes.push(why);
  };
  if (c.peak >= m - 1 - c.h) low('accuracy was still rising at the end of the sweep: run the test to a higher maxLR');
  if (m < 20) low(`only ${m} points: a longer test gives steadier bounds`);
  if (max - base < 2) low('the rise is only a few points wide: use a finer sweep (more iterations), or sweep lower if it happened at the first points');
  if (isAccuracy && c.start >= 0.5 && c.rise < 0.1) {
    low(`accuracy starts at ${c.start.toFixed(3)} and rises only ${(c.rise * 100).toFixed(1)} points: the model is already trained (or the rise happened before the first point); the bounds are a guess`);
  }
  return confidence;
}
