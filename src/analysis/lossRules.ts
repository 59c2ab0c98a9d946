/**
 * Loss-based suggestion rules, after fastai's suggest functions and Lightning's `suggestion()`. Each
 * reads the training loss of the exponential probe when the test ran one (`curve.probe`), else of the
 * curve itself, smoothed without lag, and names one LR; the bounds are `[lr / baseDivisor, lr]`
 * (the paper's rule of thumb: baseLR = maxLR/3 or /4; default 4).
 * @packageDocumentation
 */
import { noSuggestion, sweepAxis, sweepMode, usableLength, withBounds, type BoundsSuggestion, type MaxLRReason, type RangeCurve, type RuleName } from './curve.js';
import { median, noiseSigma, slopes, smootherKernel, smoothZeroPhase } from './stats.js';

/** Options shared by the loss rules. */
export interface LossRuleOptions {
  /** Leading fraction of the points to skip (fastai skips the first tenth); default 0.1. */
  skipBegin?: number;
  /** Trailing points to skip (Lightning skips 1, fastai 5); default 1. */
  skipEnd?: number;
  /** baseLR = maxLR / baseDivisor; default 4. */
  baseDivisor?: number;
}

/** The smoothed loss a loss rule reads, and where it came from. */
export interface LossSeries {
  lr: number[];
  smooth: number[];
  raw: number[];
  mode: 'linear' | 'exponential';
  fromProbe: boolean;
  /** Half-width of the smoother. */
  h: number;
}

/** The probe's (or the curve's) usable loss, smoothed with the zero-phase filter (half-width n/40). */
export function lossSeries(curve: RangeCurve): LossSeries | null {
  const c = curve.probe ?? curve;
  const n = usableLength(c);
  if (!c.loss || n < 5) return null;
  const raw = c.loss.slice(0, n) as number[];
  const h = Math.max(1, Math.round(n / 40));
  return { lr: c.lr.slice(0, n), smooth: smoothZeroPhase(raw, h), raw, mode: sweepMode(c), fromProbe: curve.probe != null, h };
}

/** Steepest descent and minimum of the smoothed loss (the landmarks every suggestion reports). */
export function lossLandmarks(series: LossSeries | null): BoundsSuggestion['loss'] {
  if (!series) return { steepestLR: null, minLossLR: null };
  const k = steepestIndex(series, 0.1, 1);
  return { steepestLR: k === null ? null : series.lr[k], minLossLR: series.lr[argMin(series.smooth)] };
}

/**
 * The floor of the smoothed loss: where it bottoms out (`index`, never past the minimum), its minimum,
 * and where it leaves the floor again (`right`, never before the minimum). The floor is the stretch
 * from `lo` on whose smoothed loss is within the smoothing's own noise of the minimum (3σ of a smoothed
 * value, σ from the raw loss; at most a fifth of the fall). Near its floor a loss curve is flat to
 * within noise over a wide range of LRs, and the plain argmin lands anywhere in it, often far right
 * (2–5× past the clean curve's minimum on noisy exponential sweeps: `npm run bench:robustness`); the
 * floor's ends are crossings of slopes, and move less. The floor is sought only up to where the loss
 * first turns up ({@link firstRiseIndex}), unless `acrossBumps`.
 */
export function bottomIndex(s: LossSeries, lo: number, end: number, acrossBumps = false): { index: number; minimum: number; right: number } {
  const start = rawStart(s, lo);
  const hi = acrossBumps ? end : firstRiseIndex(s, lo, end, start);
  const m = lo + argMin(s.smooth.slice(lo, hi));
  const tolerance = floorTolerance(s, start, m);
  let k = lo;
  while (k < m && s.smooth[k] > s.smooth[m] + tolerance) k++;
  let r = m;
  while (r + 1 < hi && s.smooth[r + 1] <= s.smooth[m] + tolerance) r++;
  return { index: k, minimum: m, right: r };
}

/**
 * How far above its minimum (index `m`) the smoothed loss may be and still be on its floor: 3σ of a
 * smoothed value, at most a fifth of the fall from `start` (the read part's start, robust to early
 * spikes: {@link rawStart}), so very noisy curves are not read on their way down.
 */
function floorTolerance(s: LossSeries, start: number, m: number): number {
  return Math.min(3 * smoothedSigma(s), 0.2 * (start - s.smooth[m]));
}

/**
 * Where the smoothed loss first turns up: the first index in [`lo`, `hi`) more than twice the floor's
 * tolerance ({@link bottomIndex}) above the lowest value before it, counted once the loss has made at
 * least half of its fall (`start` → minimum over [`lo`, `hi`)); `hi` where it never does. (Once the
 * tolerance cut one of 30 noisy CIFAR-10 Adam probes at a blip 16× below its siblings' readings; twice
 * it, none; the held-out bumps are cut up to 4× it.) A short probe
 * trains the model as the LR grows, so past an LR that is already unstable its loss can fall again and
 * reach a lower minimum far to the right: on a held-out MLP with Adam the probes' mean curve bumped up
 * at ~0.045 and bottomed out again at 0.14–0.17, where Adam and Schedule-Free AdamW diverged.
 */
function firstRiseIndex(s: LossSeries, lo: number, hi: number, start: number): number {
  if (hi - lo < 2) return hi;
  const g = lo + argMin(s.smooth.slice(lo, hi));
  const tolerance = 2 * floorTolerance(s, start, g);
  const halfway = start - 0.5 * (start - s.smooth[g]);
  let m = lo;
  for (let k = lo + 1; k < hi; k++) {
    if (s.smooth[k] < s.smooth[m]) m = k;
    else if (s.smooth[m] <= halfway && s.smooth[k] > s.smooth[m] + tolerance) return k;
  }
  return hi;
}

/** The loss where the read part starts, robust to a spike there: the median of the raw points under the smoother at `from`. */
function rawStart(s: LossSeries, from: number): number {
  return median(s.raw.slice(from, from + 2 * s.h + 1));
}

/** Noise σ of one smoothed value: the raw loss's σ × √(Σ w²) over the smoother's weights. */
function smoothedSigma(s: LossSeries): number {
  return noiseSigma(s.raw) * Math.sqrt(smootherKernel(s.h).reduce((a, w) => a + w * w, 0));
}

/** Index of the smallest value. */
function argMin(v: readonly number[]): number {
  let m = 0;
  for (let k = 1; k < v.length; k++) if (v[k] < v[m]) m = k;
  return m;
}

function steepestIndex(s: LossSeries, skipBegin: number, skipEnd: number): number | null {
  const slope = slopes(sweepAxis(s.lr, s.mode), s.smooth);
  const lo = Math.floor(skipBegin * s.lr.length);
  const hi = s.lr.length - skipEnd;
  let best: number | null = null;
  for (let k = lo; k < hi; k++) if (slope[k] < 0 && (best === null || slope[k] < slope[best])) best = k;
  return best;
}

/** Index of fastai's valley point: the longest strictly decreasing run (not necessarily contiguous) of the smoothed loss, a half of the way in (1/3 + 1/6). */
function valleyIndex(v: readonly number[]): number | null {
  const n = v.length;
  const lds = new Array<number>(n).fill(1);
  let end = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) if (v[i] < v[j] && lds[j] + 1 > lds[i]) lds[i] = lds[j] + 1;
    if (lds[i] > lds[end]) end = i;
  }
  if (lds[end] < 3) return null;
  const start = end - lds[end];
  const third = (end - start) / 3;
  return Math.max(0, start + Math.floor(third) + Math.floor(third / 2));
}

/** A loss rule: `pick` names the LR on the smoothed loss; the rest (checks, bounds, confidence) is shared. */
export function lossRule(rule: RuleName, reason: MaxLRReason, curve: RangeCurve, opts: LossRuleOptions, pick: (s: LossSeries, lo: number, hi: number) => { index: number; lr: number } | null): BoundsSuggestion {
  const skipBegin = opts.skipBegin ?? 0.1;
  const skipEnd = opts.skipEnd ?? 1;
  const baseDivisor = opts.baseDivisor ?? 4;
  const series = lossSeries(curve);
  const loss = lossLandmarks(series);
  const source = series?.fromProbe ? 'probe-loss' : 'training-loss';
  if (!series) return noSuggestion(rule, source, loss, 0, ['fewer than 5 usable loss values: run the test longer (or check why the loss is not finite)']);
  const m = series.lr.length;
  const lo = Math.floor(skipBegin * m);
  const hi = m - skipEnd;
  // The start, robust to a spike there (an already trained model's loss is small and spiky, and one
  // spike in the smoothed start made a flat curve look like a fall): the lower of the smoothed value
  // and the median of the raw points under the smoother.
  const first = Math.min(lo, m - 1);
  const start = Math.min(series.smooth[first], rawStart(series, first));
  const min = Math.min(...series.smooth.slice(lo, Math.max(lo + 1, hi)));
  const noise = noiseSigma(series.raw);
  // A fall is real when it is well beyond what noise moves a smoothed value (5σ of one; 3σ of the raw
  // loss declined sweeps whose smoothed loss fell clearly, once the per-batch noise was a fifth of the fall).
  if (hi - lo < 3 || !(start - min > Math.max(5 * smoothedSigma(series), 1e-3 * Math.abs(start)))) {
    return noSuggestion(rule, source, loss, m, [
      `the smoothed loss never fell clearly below its start (${start.toPrecision(3)} → ${min.toPrecision(3)}, noise ${noise.toPrecision(2)}): ` +
        'the model is already trained, or nothing in this LR range trains it',
    ]);
  }
  const picked = pick(series, lo, hi);
  if (!picked) return noSuggestion(rule, source, loss, m, ['the rule found no point on this curve']);
  const notes: string[] = [];
  let confidence: BoundsSuggestion['confidence'] = 'medium';
  if ((start - min) / Math.abs(start) < 0.05) {
    confidence = 'low';
    notes.push(`the loss fell only ${(((start - min) / Math.abs(start)) * 100).toFixed(0)} % below its start (an already trained model?): the bounds are a guess`);
  }
  const maxLR = picked.lr;
  return withBounds(noSuggestion(rule, source, loss, m, notes), { baseLR: maxLR / baseDivisor, maxLR, reason, confidence, indices: { max: picked.index } });
}

/**
 * fastai's `valley`: the longest valley of the smoothed loss — the longest strictly decreasing
 * subsequence, from index `a` to `b` — and the point `a + ⌊(b−a)/3⌋ + ⌊(b−a)/6⌋` in it; maxLR is its LR.
 */
export function valleyRule(curve: RangeCurve, opts: LossRuleOptions = {}): BoundsSuggestion {
  return lossRule('valley', 'valley', curve, opts, (s, lo, hi) => {
    const k = valleyIndex(s.smooth.slice(lo, hi));
    return k === null ? null : { index: lo + k, lr: s.lr[lo + k] };
  });
}

/**
 * `steep` (fastai) / Lightning's suggestion: the LR where the smoothed loss falls fastest,
 * argmin d(loss)/d(log LR) (d/dLR for linear sweeps), after skipping `skipBegin` and `skipEnd`.
 */
export function steepRule(curve: RangeCurve, opts: LossRuleOptions = {}): BoundsSuggestion {
  return lossRule('steep', 'steepest', curve, opts, (s) => {
    const k = steepestIndex(s, opts.skipBegin ?? 0.1, opts.skipEnd ?? 1);
    return k === null ? null : { index: k, lr: s.lr[k] };
  });
}

/** Options of {@link minimumRule}. */
export interface MinimumRuleOptions extends LossRuleOptions {
  /** maxLR = (LR at the smoothed loss's minimum) / divisor; default 10 (fastai's `minimum`). */
  divisor?: number;
}

/** fastai's `minimum`: maxLR = (LR at the minimum of the smoothed loss) / `divisor` (default 10). */
export function minimumRule(curve: RangeCurve, opts: MinimumRuleOptions = {}): BoundsSuggestion {
  const divisor = opts.divisor ?? 10;
  return lossRule('minimum', 'minimum', curve, opts, (s, lo, hi) => {
    const k = lo + argMin(s.smooth.slice(lo, hi));
    return { index: k, lr: s.lr[k] / divisor };
  });
}

